package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// Run applies events until ctx is cancelled. Cancelling stops claiming;
// the transaction in flight finishes (it runs on a context that is not
// cancelled) and Run returns nil.
func (e *Engine) Run(ctx context.Context) error {
	backoff := 10 * time.Millisecond
	nextRescue := e.now()
	for ctx.Err() == nil {
		if !e.now().Before(nextRescue) {
			if _, err := e.RescueOnce(context.WithoutCancel(ctx)); err != nil {
				e.log.Error("engine: rescuing expired work items failed", "err", err)
			}
			nextRescue = e.now().Add(e.opts.RescueInterval)
		}
		n, err := e.ProcessOnce(context.WithoutCancel(ctx))
		if err != nil {
			e.log.Error("engine: processing events failed", "err", err)
			if !sleepCtx(ctx, backoff) {
				break
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 10 * time.Millisecond
		if n > 0 {
			continue
		}
		wait := min(e.opts.PollInterval, max(nextRescue.Sub(e.now()), time.Millisecond))
		if next, err := e.store.EventNextAvailableAt(ctx); err == nil && !next.IsZero() {
			if d := next.Sub(e.now()); d < wait {
				wait = max(d, time.Millisecond)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-e.wakeEvents:
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// ProcessOnce claims one batch of due events and applies them in one
// transaction. It returns how many events it applied. When the batch
// fails, each event is retried alone, so one poison event cannot block
// the others.
func (e *Engine) ProcessOnce(ctx context.Context) (int, error) {
	var claimed []*store.Event
	err := store.InTx(ctx, e.store, func(ctx context.Context, tx store.Tx) error {
		events, err := tx.EventClaimMany(ctx, store.EventClaimParams{Now: e.now(), Limit: e.opts.BatchSize})
		if err != nil {
			return fmt.Errorf("claim events: %w", err)
		}
		claimed = events
		return e.applyEvents(ctx, tx, events)
	})
	if err == nil {
		e.afterCommit(len(claimed))
		return len(claimed), nil
	}
	if len(claimed) <= 1 || errors.Is(err, store.ErrRetryable) || ctx.Err() != nil {
		if len(claimed) == 1 {
			e.postpone(ctx, claimed[0], err)
		}
		return 0, err
	}
	e.log.Warn("engine: batch failed, applying its events one by one", "events", len(claimed), "err", err)
	applied := 0
	for _, ev := range claimed {
		err := store.InTx(ctx, e.store, func(ctx context.Context, tx store.Tx) error {
			return e.applyEvents(ctx, tx, []*store.Event{ev})
		})
		if err != nil {
			e.postpone(ctx, ev, err)
			continue
		}
		applied++
	}
	e.afterCommit(applied)
	return applied, nil
}

func (e *Engine) afterCommit(applied int) {
	if applied > 0 {
		signal(e.wakeWork)
	}
}

// postpone records a failed attempt of ev. After maxEventAttempts the
// execution fails with the error instead of being retried forever.
func (e *Engine) postpone(ctx context.Context, ev *store.Event, cause error) {
	e.log.Error("engine: event failed", "event", ev.ID, "kind", ev.Kind, "execution", ev.ExecutionID, "attempt", ev.Attempts+1, "err", cause)
	err := store.InTx(ctx, e.store, func(ctx context.Context, tx store.Tx) error {
		if ev.Attempts+1 >= maxEventAttempts {
			if err := e.failExecution(ctx, tx, ev.ExecutionID, fmt.Sprintf("Internal error applying %s event: %v", ev.Kind, cause)); err != nil {
				return err
			}
			return tx.EventDelete(ctx, ev.ID)
		}
		delay := time.Duration(1<<ev.Attempts) * time.Second
		return tx.EventPostpone(ctx, store.EventPostponeParams{ID: ev.ID, At: e.now().Add(delay), Error: cause.Error()})
	})
	if err != nil {
		e.log.Error("engine: recording the failed event failed", "event", ev.ID, "err", err)
	}
}

func (e *Engine) failExecution(ctx context.Context, tx store.Tx, exID, msg string) error {
	ex, err := tx.ExecutionGet(ctx, exID)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	if ex.State.IsCompleted() {
		return nil
	}
	ex.State = workflow.StateError
	ex.StateInfo = msg
	ex.Output = nil
	ex.UpdatedAt = e.now()
	return tx.ExecutionUpdate(ctx, ex)
}

// applyEvents applies events inside tx: it locks each execution tree once
// (in id order, so engines sharing trees cannot deadlock), applies the
// events, runs what can run inline, writes everything and deletes the events.
func (e *Engine) applyEvents(ctx context.Context, tx store.Tx, events []*store.Event) error {
	sort.SliceStable(events, func(i, j int) bool { return events[i].RootID < events[j].RootID })
	st := e.newTxState(tx)
	run := e.engineRunner()
	locked := ""
	for _, ev := range events {
		if ev.RootID != locked {
			if err := tx.ExecutionLock(ctx, ev.RootID); err != nil {
				if isNotFound(err) {
					// The execution was deleted; its events die with it.
					if err := tx.EventDelete(ctx, ev.ID); err != nil {
						return fmt.Errorf("delete orphan event %s: %w", ev.ID, err)
					}
					continue
				}
				return fmt.Errorf("lock execution %s: %w", ev.RootID, err)
			}
			locked = ev.RootID
		}
		if err := e.applyEvent(ctx, st, run, ev); err != nil {
			return fmt.Errorf("apply %s event %s of execution %s: %w", ev.Kind, ev.ID, ev.ExecutionID, err)
		}
		if err := tx.EventDelete(ctx, ev.ID); err != nil {
			return fmt.Errorf("delete event %s: %w", ev.ID, err)
		}
	}
	return st.flush(ctx, e)
}

// applyNew applies the start event of an execution inserted in this same
// transaction, without storing the event. Its inline budget is the
// request's: what does not fit continues through the event queue.
func (e *Engine) applyNew(ctx context.Context, tx store.Tx, ex *workflow.Execution, start *store.Event) error {
	st := e.newTxState(tx)
	st.executions[ex.ID] = ex
	run := e.requestRunner()
	if err := e.applyEvent(ctx, st, run, start); err != nil {
		return fmt.Errorf("apply start of execution %s: %w", ex.ID, err)
	}
	return st.flush(ctx, e)
}

// applyResultNow applies the result of act (already set on it, not yet
// stored) inside tx, whose caller holds the execution tree's lock.
func (e *Engine) applyResultNow(ctx context.Context, tx store.Tx, act *workflow.ActionExecution) error {
	st := e.newTxState(tx)
	st.actions[act.ID] = act
	st.dirtyAction[act.ID] = true
	run := e.requestRunner()
	run.pending = []followUp{{action: act}}
	if err := e.absorb(ctx, st, run, nil); err != nil {
		return fmt.Errorf("apply result of action %s: %w", act.ID, err)
	}
	act.UpdatedAt = e.now()
	return st.flush(ctx, e)
}

func (e *Engine) applyEvent(ctx context.Context, st *txState, run *inlineRunner, ev *store.Event) error {
	ex, err := st.execution(ctx, ev.ExecutionID)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	spec, err := e.specFor(ctx, st.tx, ex)
	if err != nil {
		return err
	}
	var step *workflow.Step
	switch ev.Kind {
	case store.EventStart:
		step, err = e.machine.Start(ctx, ex, spec, st)
	case store.EventActionResult:
		var p actionResultPayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return fmt.Errorf("decode payload: %w", err)
		}
		if len(p.ActionExecutionIDs) > 0 {
			if err := st.prefetchActions(ctx, p.ActionExecutionIDs); err != nil {
				return err
			}
			for _, actID := range p.ActionExecutionIDs {
				act, err := st.action(ctx, actID)
				if err != nil {
					return fmt.Errorf("action execution %s: %w", actID, err)
				}
				run.pending = append(run.pending, followUp{action: act})
			}
			return e.absorb(ctx, st, run, nil)
		}
		act, err := st.action(ctx, p.ActionExecutionID)
		if err != nil {
			return fmt.Errorf("action execution %s: %w", p.ActionExecutionID, err)
		}
		step, err = e.machine.ApplyActionResult(ctx, ex, spec, act, resultOf(act), st)
		if err != nil {
			return err
		}
	case store.EventTimer:
		var p timerPayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return fmt.Errorf("decode payload: %w", err)
		}
		step, err = e.machine.ApplyTimer(ctx, ex, spec, workflow.Timer{TaskID: p.TaskID, Kind: p.Kind, Attempt: p.Attempt}, st)
	default:
		return fmt.Errorf("unknown event kind %q", ev.Kind)
	}
	if err != nil {
		return err
	}
	return e.absorb(ctx, st, run, step)
}

func resultOf(act *workflow.ActionExecution) workflow.ActionResult {
	return workflow.ActionResult{ActionExecutionID: act.ID, State: act.State, Result: act.Result, StateInfo: act.StateInfo}
}

// executionContext tells an action where it runs.
func (e *Engine) executionContext(act *workflow.ActionExecution) action.ExecutionContext {
	ec := action.ExecutionContext{
		WorkflowName:        act.WorkflowName,
		WorkflowExecutionID: act.ExecutionID,
		TaskExecutionID:     act.TaskExecutionID,
		ActionExecutionID:   act.ID,
	}
	if e.opts.CallbackBaseURL != "" {
		ec.CallbackURL = e.opts.CallbackBaseURL + "/v2/action_executions/" + act.ID
	}
	return ec
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err)) // only our own, always-encodable types reach here
	}
	return b
}
