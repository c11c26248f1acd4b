package engine

import (
	"context"
	"fmt"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// StandaloneAction asks to run one action outside any workflow, as
// POST /v2/action_executions does (Mistral's run-action).
type StandaloneAction struct {
	Name        string
	Input       *value.Map
	Target      string
	Description string
}

// StartStandaloneAction records an action execution and runs it: inline
// when it is instant (the returned row is then already completed), else
// through a work item an executor takes; the row completes when the
// executor reports. The caller polls the row to wait (run_sync).
func (e *Engine) StartStandaloneAction(ctx context.Context, req StandaloneAction) (*workflow.ActionExecution, error) {
	if _, ok := e.actions.Get(req.Name); !ok {
		return nil, fmt.Errorf("%w: Action not found [action_name=%s]", store.ErrNotFound, req.Name)
	}
	input := req.Input
	if input == nil {
		input = value.NewMap(0)
	}
	now := e.now()
	act := &workflow.ActionExecution{
		ID: id.New(), Name: req.Name, Description: req.Description, ProjectID: workflow.DefaultProjectID,
		State: workflow.StateRunning, Input: input, Target: req.Target, Attempt: 1,
		CreatedAt: now, UpdatedAt: now,
	}
	var item *store.WorkItem
	if req.Target == "" && e.actions.CanInline(req.Name, input) {
		out := e.actions.Run(ctx, req.Name, input, e.executionContext(act))
		if out.Async {
			act.Async = true
		} else {
			c := completionOf(act.ID, act.Attempt, out)
			// Accepted once its result is recorded, as in Mistral: a
			// running standalone action shows accepted false.
			act.State, act.Result, act.Accepted = c.State, c.Result, true
		}
	} else {
		item = &store.WorkItem{
			ID: act.ID, ActionExecutionID: act.ID, Target: req.Target, Attempt: act.Attempt,
			Payload:     mustJSON(action.Invocation{Action: req.Name, Input: input, Attempt: act.Attempt, Execution: e.executionContext(act)}),
			AvailableAt: now, CreatedAt: now,
		}
	}
	err := store.InTx(ctx, e.store, func(ctx context.Context, tx store.Tx) error {
		if err := tx.ActionExecutionInsert(ctx, act); err != nil {
			return fmt.Errorf("insert action execution: %w", err)
		}
		if item != nil {
			return tx.WorkItemInsert(ctx, item)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("start action %s: %w", req.Name, err)
	}
	signal(e.wakeWork)
	return act, nil
}
