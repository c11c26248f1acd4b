package engine

import (
	"context"
	"fmt"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// ExecutorLost is the error an action gets when the executor running it
// stopped heartbeating and the action may not simply run again.
const ExecutorLost = "executor lost while running"

// rescueBatch bounds the expired work items one rescue transaction takes.
const rescueBatch = 64

// RescueOnce deals with work items whose lease expired (the executor died
// or lost its connection): an action marked safe-rerun goes back to the
// queue to run again; any other fails with ExecutorLost and its task
// follows its retry and on-error rules. A run is never silently repeated.
// It returns how many items it handled.
func (e *Engine) RescueOnce(ctx context.Context) (int, error) {
	handled := 0
	err := store.InTx(ctx, e.store, func(ctx context.Context, tx store.Tx) error {
		handled = 0
		items, err := tx.WorkItemExpiredMany(ctx, store.WorkItemExpiredParams{Now: e.now(), Limit: rescueBatch})
		if err != nil {
			return fmt.Errorf("find expired work items: %w", err)
		}
		for _, item := range items {
			if err := e.rescue(ctx, tx, item); err != nil {
				return err
			}
			handled++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rescue expired work items: %w", err)
	}
	if handled > 0 {
		signal(e.wakeEvents)
		signal(e.wakeWork)
	}
	return handled, nil
}

func (e *Engine) rescue(ctx context.Context, tx store.Tx, item *store.WorkItem) error {
	act, err := tx.ActionExecutionGet(ctx, item.ActionExecutionID)
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("action execution %s of work item %s: %w", item.ActionExecutionID, item.ID, err)
	}
	if act == nil || act.State != workflow.StateRunning || act.Attempt != item.Attempt {
		// The action ended some other way (API completion, timeout): the
		// item is a leftover.
		return tx.WorkItemDelete(ctx, item.ID, item.LeaseToken)
	}
	if act.SafeRerun {
		e.log.Warn("engine: executor lost; re-queueing a safe-rerun action", "action", act.ID, "name", act.Name, "owner", item.LeaseOwner)
		return tx.WorkItemRequeue(ctx, item.ID, item.LeaseToken)
	}
	e.log.Warn("engine: executor lost; failing the action", "action", act.ID, "name", act.Name, "owner", item.LeaseOwner)
	if err := tx.WorkItemDelete(ctx, item.ID, item.LeaseToken); err != nil {
		return fmt.Errorf("remove lost work item %s: %w", item.ID, err)
	}
	return e.recordResult(ctx, tx, act, ActionCompletion{
		ActionExecutionID: act.ID, Attempt: act.Attempt, State: workflow.StateError,
		Result: ExecutorLost, StateInfo: ExecutorLost,
	})
}
