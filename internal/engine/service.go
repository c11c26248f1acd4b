package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// StartExecution creates an execution and its start event in one
// transaction; the engine loop runs it. A client-supplied id that exists
// already returns that execution unchanged (an idempotent start).
func (e *Engine) StartExecution(ctx context.Context, req StartRequest) (*workflow.Execution, error) {
	return e.startExecution(ctx, req, false)
}

func (e *Engine) startExecution(ctx context.Context, req StartRequest, deferStart bool) (*workflow.Execution, error) {
	var ex *workflow.Execution
	err := store.InTx(ctx, e.store, func(ctx context.Context, tx store.Tx) error {
		var err error
		ex, err = e.startInTx(ctx, tx, req, deferStart)
		return err
	})
	if err != nil && !deferStart && !errors.Is(err, ErrInvalidInput) && !isNotFound(err) && !errors.Is(err, store.ErrConflict) {
		// Starting failed for a reason of its own: queue the start event
		// instead, so the engine loop retries it (and, if it keeps
		// failing, records why) rather than losing the request.
		e.log.Warn("engine: starting in the request failed; queueing the start", "err", err)
		return e.startExecution(ctx, req, true)
	}
	if err != nil {
		return nil, fmt.Errorf("start execution: %w", err)
	}
	signal(e.wakeEvents)
	signal(e.wakeWork)
	return ex, nil
}

// StartExecutionInTx starts an execution inside the caller's transaction
// (a cron trigger firing, for one): the execution, its start and the
// caller's own changes commit together. The start is applied at once,
// as StartExecution does.
func (e *Engine) StartExecutionInTx(ctx context.Context, tx store.Tx, req StartRequest) (*workflow.Execution, error) {
	ex, err := e.startInTx(ctx, tx, req, false)
	if err != nil {
		return nil, err
	}
	signal(e.wakeEvents)
	signal(e.wakeWork)
	return ex, nil
}

func (e *Engine) startInTx(ctx context.Context, tx store.Tx, req StartRequest, deferStart bool) (*workflow.Execution, error) {
	var ex *workflow.Execution
	err := func() error {
		if req.ID != "" {
			existing, err := tx.ExecutionGet(ctx, req.ID)
			if err == nil {
				ex = existing
				return nil
			}
			if !isNotFound(err) {
				return err
			}
		}
		def, err := tx.WorkflowDefinitionGet(ctx, req.WorkflowIdentifier, req.WorkflowNamespace)
		if err != nil {
			return fmt.Errorf("workflow %q in namespace %q: %w", req.WorkflowIdentifier, req.WorkflowNamespace, err)
		}
		spec, err := e.definitionSpec(def)
		if err != nil {
			return err
		}
		input, err := workflow.PrepareInput(spec, req.Input)
		if err != nil {
			return userError(ErrInvalidInput, "%s", err.Error())
		}
		if spec.Type == dsl.TypeReverse {
			if _, err := workflow.ReverseTarget(spec, req.Params); err != nil {
				return userError(ErrInvalidInput, "%s", err.Error())
			}
		}
		params := req.Params
		if params == nil {
			params = value.NewMap(1)
		} else {
			params = params.Clone()
		}
		env, err := e.resolveEnv(ctx, tx, params)
		if err != nil {
			return err
		}
		params.Set("env", env)
		exID := req.ID
		if exID == "" {
			exID = id.New()
		}
		now := e.now()
		ex = workflow.NewExecution(exID, spec, def.ID, def.Namespace, input, params)
		ex.Description = req.Description
		ex.Spec = def.Definition
		e.specs.put(ex.ID, spec)
		ex.CreatedAt, ex.UpdatedAt = now, now
		if err := tx.ExecutionInsert(ctx, ex); err != nil {
			return fmt.Errorf("insert execution: %w", err)
		}
		start := &store.Event{
			ID: id.New(), ExecutionID: ex.ID, RootID: ex.RootID(), Kind: store.EventStart,
			Payload: []byte("{}"), AvailableAt: now, CreatedAt: now,
		}
		if !deferStart {
			// Start it right here, as Mistral's engine does before it
			// answers: the caller sees RUNNING (or even SUCCESS), and a
			// short workflow needs no trip through the event queue.
			return e.applyNew(ctx, tx, ex, start)
		}
		return tx.EventInsert(ctx, start)
	}()
	if err != nil {
		return nil, err
	}
	return ex, nil
}

// actionResultPayload is the payload of an EventActionResult event: the
// result itself is on the action execution row.
type actionResultPayload struct {
	ActionExecutionID string `json:"action_execution_id,omitempty"`
	// ActionExecutionIDs carries many inline results of one execution that
	// did not fit one transaction's budget: one event instead of one each.
	ActionExecutionIDs []string `json:"action_execution_ids,omitempty"`
}

// CompleteAction records the outcome of a running action and queues the
// event that lets the engine take it. A second report for the same action
// (or one for an attempt that is no longer running) is ErrWrongState.
func (e *Engine) CompleteAction(ctx context.Context, c ActionCompletion) (*workflow.ActionExecution, error) {
	return e.completeAction(ctx, c, false)
}

func (e *Engine) completeAction(ctx context.Context, c ActionCompletion, deferApply bool) (*workflow.ActionExecution, error) {
	switch c.State {
	case workflow.StateSuccess, workflow.StateError, workflow.StateCancelled:
	default:
		return nil, userError(ErrInvalidInput, "state must be SUCCESS, ERROR or CANCELLED, not %q", c.State)
	}
	var act *workflow.ActionExecution
	err := store.InTx(ctx, e.store, func(ctx context.Context, tx store.Tx) error {
		var err error
		act, err = tx.ActionExecutionGet(ctx, c.ActionExecutionID)
		if err != nil {
			return fmt.Errorf("action execution %s: %w", c.ActionExecutionID, err)
		}
		if act.TaskExecutionID == "" || deferApply {
			return e.recordResult(ctx, tx, act, c)
		}
		// Take the result right here, as Mistral's engine does before the
		// API answers: lock the execution tree, check the action is still
		// running under that lock, and apply.
		if err := tx.ExecutionLock(ctx, rootOf(act)); err != nil {
			return fmt.Errorf("lock execution %s: %w", rootOf(act), err)
		}
		if act, err = tx.ActionExecutionGet(ctx, c.ActionExecutionID); err != nil {
			return fmt.Errorf("action execution %s: %w", c.ActionExecutionID, err)
		}
		if err := checkRunning(act, c); err != nil {
			return err
		}
		act.State, act.Result, act.StateInfo = c.State, c.Result, c.StateInfo
		return e.applyResultNow(ctx, tx, act)
	})
	if err != nil && !deferApply && !errors.Is(err, ErrWrongState) && !errors.Is(err, ErrInvalidInput) && !isNotFound(err) {
		// Applying failed for a reason of its own: record the result and
		// let the engine loop apply (and, if need be, retry) it.
		e.log.Warn("engine: applying an action result in the request failed; queueing it", "action", c.ActionExecutionID, "err", err)
		return e.completeAction(ctx, c, true)
	}
	if err != nil {
		return nil, fmt.Errorf("complete action: %w", err)
	}
	signal(e.wakeEvents)
	return act, nil
}

// recordResult moves a RUNNING action to its final state under the
// version guard and queues the event for the engine.
func (e *Engine) recordResult(ctx context.Context, q store.Queries, act *workflow.ActionExecution, c ActionCompletion) error {
	if err := checkRunning(act, c); err != nil {
		return err
	}
	now := e.now()
	act.State = c.State
	act.Result = c.Result
	act.StateInfo = c.StateInfo
	act.UpdatedAt = now
	if act.TaskExecutionID == "" {
		// A standalone action is accepted when its result is recorded
		// (Mistral's accepted); a task's action when its task takes it.
		act.Accepted = true
	}
	if err := q.ActionExecutionUpdate(ctx, act); err != nil {
		if errors.Is(err, store.ErrStale) {
			return fmt.Errorf("%w: action execution %s changed while completing it", ErrWrongState, act.ID)
		}
		return fmt.Errorf("update action execution %s: %w", act.ID, err)
	}
	if act.TaskExecutionID == "" {
		return nil // standalone action: no workflow waits for it
	}
	payload, err := json.Marshal(actionResultPayload{ActionExecutionID: act.ID})
	if err != nil {
		return fmt.Errorf("encode action result event: %w", err)
	}
	return q.EventInsert(ctx, &store.Event{
		ID: id.New(), ExecutionID: act.ExecutionID, RootID: rootOf(act), Kind: store.EventActionResult,
		Payload: payload, AvailableAt: now, CreatedAt: now,
	})
}

// checkRunning refuses a result for an action that is not running, or
// for an attempt other than the one running.
func checkRunning(act *workflow.ActionExecution, c ActionCompletion) error {
	if act.State.IsCompleted() {
		// Mistral's words (it answers them with a 500; bora with 409).
		return userError(ErrWrongState, "Action %s is already completed", act.ID)
	}
	if act.State != workflow.StateRunning {
		return fmt.Errorf("%w: action execution %s is %s, not RUNNING", ErrWrongState, act.ID, act.State)
	}
	if c.Attempt != 0 && c.Attempt != act.Attempt {
		return fmt.Errorf("%w: action execution %s runs attempt %d, the result is for attempt %d", ErrWrongState, act.ID, act.Attempt, c.Attempt)
	}
	return nil
}

func rootOf(act *workflow.ActionExecution) string {
	if act.RootExecutionID != "" {
		return act.RootExecutionID
	}
	return act.ExecutionID
}

// ReportResult is how an executor hands back the outcome of a work item it
// leased: the lease is checked and the item deleted in the same
// transaction that records the result, so a result from an executor that
// lost its lease is rejected (store.ErrStale) and never applied.
func (e *Engine) ReportResult(ctx context.Context, item *store.WorkItem, attempt int, out action.Outcome) error {
	err := store.InTx(ctx, e.store, func(ctx context.Context, tx store.Tx) error {
		if err := tx.WorkItemDelete(ctx, item.ID, item.LeaseToken); err != nil {
			return fmt.Errorf("release work item %s: %w", item.ID, err)
		}
		if out.Async {
			return nil // the action stays RUNNING until the API completes it
		}
		act, err := tx.ActionExecutionGet(ctx, item.ActionExecutionID)
		if err != nil {
			return fmt.Errorf("action execution %s: %w", item.ActionExecutionID, err)
		}
		return e.recordResult(ctx, tx, act, completionOf(act.ID, attempt, out))
	})
	if err != nil {
		return fmt.Errorf("report result of work item %s: %w", item.ID, err)
	}
	signal(e.wakeEvents)
	return nil
}

func completionOf(actionID string, attempt int, out action.Outcome) ActionCompletion {
	c := ActionCompletion{ActionExecutionID: actionID, Attempt: attempt, State: workflow.StateSuccess, Result: out.Result}
	if out.Failed {
		c.State = workflow.StateError
	}
	return c
}
