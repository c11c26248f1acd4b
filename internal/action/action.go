// Package action holds the actions a workflow task can call, starting
// with Mistral's standard ones, behind one registry. An action takes its
// input as a dict and returns an Outcome: a result, an error (the error
// data becomes the task's result and state_info), or "async" for a
// delegate action whose result arrives later through the API (seed 002).
package action

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/bora-workflow/bora/internal/value"
)

// Outcome is what running an action produced.
type Outcome struct {
	// Failed marks an error; Result then holds the error data.
	Failed bool
	Result any
	// Async means the action returned no result: it stays RUNNING until
	// PUT /v2/action_executions/{id} completes it.
	Async bool
}

// Param is a declared action parameter.
type Param struct {
	Name       string
	Default    any
	HasDefault bool
}

// Func runs an action with its validated input (defaults filled in) and
// the execution it runs for.
type Func func(ctx context.Context, input *value.Map, ex ExecutionContext) Outcome

// ExecutionContext tells an action where it runs: Mistral hands the same
// facts to its actions (std.mistral_http sends them as headers so a
// third party can complete the action later).
type ExecutionContext struct {
	WorkflowName        string `json:"workflow_name,omitempty"`
	WorkflowExecutionID string `json:"workflow_execution_id,omitempty"`
	TaskExecutionID     string `json:"task_execution_id,omitempty"`
	ActionExecutionID   string `json:"action_execution_id,omitempty"`
	// CallbackURL is where the action's result may be PUT; empty when the
	// API's address is unknown.
	CallbackURL string `json:"callback_url,omitempty"`
}

// Definition is a registered action.
type Definition struct {
	Name string
	// Class is the Python class Mistral implements the action with
	// (mistral.actions.std_actions.EchoAction): its error texts name it,
	// and so do ours. Empty: the name stands in.
	Class       string
	Description string
	Params      []Param
	Run         Func
	// Inline reports whether a run with this input is quick and local
	// enough for the engine to do inside its transaction (std.noop, an
	// std.echo without delay), as Mistral's local-executor option does.
	// Nil means never.
	Inline func(input *value.Map) bool
}

// Registry maps action names to definitions. Build it once at startup;
// it is read-only afterwards, so it is safe for concurrent use.
type Registry struct {
	defs map[string]*Definition
}

// NewRegistry returns a registry holding defs.
func NewRegistry(defs ...*Definition) *Registry {
	r := &Registry{defs: make(map[string]*Definition, len(defs))}
	for _, d := range defs {
		r.defs[d.Name] = d
	}
	return r
}

// Get returns the action with that name.
func (r *Registry) Get(name string) (*Definition, bool) {
	d, ok := r.defs[name]
	return d, ok
}

// Names lists the registered actions in order.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.defs))
	for n := range r.defs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Run validates input and runs the named action. An unknown action or an
// input that does not match the parameters is a failed outcome, as in
// Mistral, not a Go error: the task fails and its on-error clause may
// handle it.
func (r *Registry) Run(ctx context.Context, name string, input *value.Map, ex ExecutionContext) Outcome {
	d, ok := r.defs[name]
	if !ok {
		return Outcome{Failed: true, Result: fmt.Sprintf("Failed to find action [action_name=%s]", name)}
	}
	full, err := d.PrepareInput(input)
	if err != nil {
		return Outcome{Failed: true, Result: err.Error()}
	}
	return d.Run(ctx, full, ex)
}

// CanInline reports whether the named action with this input may run
// inside the engine's transaction.
func (r *Registry) CanInline(name string, input *value.Map) bool {
	d, ok := r.defs[name]
	if !ok {
		return true // fails at once with "Failed to find action"
	}
	if d.Inline == nil {
		return false
	}
	if _, err := d.PrepareInput(input); err != nil {
		return true // fails at once with the input error
	}
	return d.Inline(input)
}

// PrepareInput fills in defaults and rejects missing or unexpected
// parameters with Mistral's message.
func (d *Definition) PrepareInput(input *value.Map) (*value.Map, error) {
	out := value.NewMap(len(d.Params))
	known := make(map[string]bool, len(d.Params))
	var missing, unexpected []string
	for _, p := range d.Params {
		known[p.Name] = true
		if v, ok := input.Get(p.Name); ok {
			out.Set(p.Name, v)
		} else if p.HasDefault {
			out.Set(p.Name, p.Default)
		} else {
			missing = append(missing, p.Name)
		}
	}
	for _, k := range input.Keys() {
		if !known[k] {
			unexpected = append(unexpected, k)
		}
	}
	if len(missing) == 0 && len(unexpected) == 0 {
		return out, nil
	}
	var b strings.Builder
	class := d.Class
	if class == "" {
		class = d.Name
	}
	fmt.Fprintf(&b, "Invalid input [name=%s, class=%s", d.Name, class)
	if len(missing) > 0 {
		fmt.Fprintf(&b, ", missing=%s", value.PyStr(toAny(missing)))
	}
	if len(unexpected) > 0 {
		fmt.Fprintf(&b, ", unexpected=%s", value.PyStr(toAny(unexpected)))
	}
	b.WriteString("]")
	return nil, fmt.Errorf("%s", b.String())
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Required declares a parameter without a default.
func Required(name string) Param { return Param{Name: name} }

// Optional declares a parameter with a default.
func Optional(name string, def any) Param { return Param{Name: name, Default: def, HasDefault: true} }

// Invocation is what a work item carries: everything an executor needs to
// run the action without reading the database. It is the payload of the
// work queue, so local and remote executors read the same JSON.
type Invocation struct {
	Action    string           `json:"action"`
	Input     *value.Map       `json:"input"`
	Attempt   int              `json:"attempt"`
	Execution ExecutionContext `json:"execution"`
	// SafeRerun tells an executor that stops before the action finished
	// that it may hand the item back to run again elsewhere.
	SafeRerun bool `json:"safe_rerun,omitempty"`
}
