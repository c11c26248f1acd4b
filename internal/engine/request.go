package engine

import (
	"errors"
	"fmt"

	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// Errors the engine's entry points return (wrapped, with details); the API
// maps them onto HTTP statuses. Store sentinels (store.ErrNotFound,
// store.ErrConflict) pass through as well.
var (
	// ErrInvalidInput: the request itself is wrong (missing or unexpected
	// workflow input, a bad state value). HTTP 400.
	ErrInvalidInput = errors.New("invalid input")
	// ErrWrongState: the target is not in a state that allows the
	// operation (completing an action that already completed). HTTP 409.
	ErrWrongState = errors.New("wrong state")
)

// UserError is an error whose message is written for the API's client,
// as Mistral words it ("Invalid input [name=wf, ...]"): the API shows Msg
// alone, without the context wrapped around it on the way up. Kind is
// the sentinel it matches (ErrInvalidInput, ErrWrongState).
type UserError struct {
	Kind error
	Msg  string
}

func (e *UserError) Error() string        { return e.Msg }
func (e *UserError) Is(target error) bool { return target == e.Kind }

func userError(kind error, format string, args ...any) error {
	return &UserError{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// StartRequest asks for a new workflow execution.
type StartRequest struct {
	// ID, when set by the client, makes the start idempotent: starting an
	// id that exists returns that execution unchanged.
	ID                 string
	WorkflowIdentifier string // a workflow definition name or id
	WorkflowNamespace  string
	Description        string
	Input              *value.Map
	Params             *value.Map
}

// ActionCompletion reports the outcome of an action from outside the
// engine: an executor, or PUT /v2/action_executions/{id} for async actions.
type ActionCompletion struct {
	ActionExecutionID string
	// Attempt guards against late results: 0 accepts whatever attempt is
	// running (the API's PUT); an executor passes the attempt it ran.
	Attempt   int
	State     workflow.State // SUCCESS, ERROR or CANCELLED
	Result    any            // the result, or the error data on ERROR
	StateInfo string
}
