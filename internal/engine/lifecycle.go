package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// ExecutionUpdate is what PUT /v2/executions/{id} may change: the state
// (pause, resume, stop), the description, or the environment.
type ExecutionUpdate struct {
	ID          string
	State       workflow.State // "" leaves the state alone
	StateInfo   string
	Description *string
	Env         *value.Map
}

// UpdateExecution pauses, resumes or stops an execution, or changes its
// description or environment, in one transaction under the tree's lock.
// Pausing, resuming and cancelling reach the sub-workflows still running.
func (e *Engine) UpdateExecution(ctx context.Context, u ExecutionUpdate) (*workflow.Execution, error) {
	var out *workflow.Execution
	var set workflow.State // the state the change itself left, before any action ran
	err := store.InTx(ctx, e.store, func(ctx context.Context, tx store.Tx) error {
		ex, err := tx.ExecutionGet(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("execution %s: %w", u.ID, err)
		}
		if err := tx.ExecutionLock(ctx, ex.RootID()); err != nil {
			return fmt.Errorf("lock execution %s: %w", ex.RootID(), err)
		}
		st := e.newTxState(tx)
		if ex, err = st.execution(ctx, u.ID); err != nil { // re-read under the lock
			return err
		}
		if u.Description != nil {
			ex.Description = *u.Description
			st.dirtyExecution[ex.ID] = true
		}
		if u.Env != nil {
			if u.State == "" && ex.State == workflow.StateRunning {
				return userError(ErrInvalidInput, "the environment of a running execution can only change on resume")
			}
			env, _ := ex.Params.Get("env")
			merged := value.MergeDicts(asMap(env), u.Env)
			ex.Params.Set("env", merged)
			st.dirtyExecution[ex.ID] = true
		}
		if u.State != "" {
			targets := []*workflow.Execution{ex}
			if u.State == workflow.StatePaused || u.State == workflow.StateRunning || u.State == workflow.StateCancelled {
				desc, err := e.descendants(ctx, st, ex)
				if err != nil {
					return err
				}
				if u.State == workflow.StateRunning {
					// Children first: a resumed child that finishes at once
					// then reports to a parent that is running again.
					targets = append(desc, ex)
				} else {
					// Parent first: a cancelled child then reports to a
					// parent that no longer takes results.
					targets = append(targets, desc...)
				}
			}
			run := e.requestRunner()
			before := ex.State
			for _, target := range targets {
				step, err := e.changeState(ctx, st, target, u.State, u.StateInfo)
				if err != nil {
					if target != ex && errors.Is(err, workflow.ErrTransition) {
						continue // a child already in that state (or finished)
					}
					if target == ex && u.State == workflow.StateRunning && before == workflow.StatePaused &&
						ex.State != workflow.StatePaused && errors.Is(err, workflow.ErrTransition) {
						// A child resumed first already resumed its parent
						// (the parent was paused only because the child
						// was) and may have run it to its end: the resume
						// is done, as in Mistral, where the child's work
						// runs after the request.
						set = u.State
						continue
					}
					return err
				}
				if target == ex {
					// Mistral hands a child's end to its parent after the
					// request: with children in play the answer is what the
					// request set, whatever they finished here.
					set = u.State
					if len(targets) == 1 {
						set = ex.State
					}
				}
				if err := e.absorb(ctx, st, run, step); err != nil {
					return err
				}
			}
		}
		out = ex
		return st.flush(ctx, e)
	})
	if err != nil {
		return nil, transitionRefused(err, "update execution")
	}
	signal(e.wakeEvents)
	signal(e.wakeWork)
	if (u.State == workflow.StateRunning || u.State == workflow.StatePaused) && set == u.State {
		// The answer states what the request set, as Mistral's does: its
		// actions run on executors after the request, so the work a resume
		// sets off (which bora may run inline) is not done yet. A resume
		// that completes the workflow by itself answers that end.
		answer := *out
		answer.State, answer.StateInfo = u.State, u.StateInfo
		if u.State == workflow.StateRunning {
			answer.Output = nil
		}
		return &answer, nil
	}
	return out, nil
}

// transitionRefused turns the machine's refusal of a state change into
// the 400 Mistral answers, with its words.
func transitionRefused(err error, what string) error {
	if errors.Is(err, workflow.ErrTransition) {
		msg := strings.TrimPrefix(err.Error(), workflow.ErrTransition.Error()+": ")
		return userError(ErrInvalidInput, "%s", msg)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (e *Engine) changeState(ctx context.Context, st *txState, ex *workflow.Execution, state workflow.State, msg string) (*workflow.Step, error) {
	spec, err := e.specFor(ctx, st.tx, ex)
	if err != nil {
		return nil, err
	}
	switch state {
	case workflow.StatePaused:
		return e.machine.Pause(ctx, ex, spec, msg, st)
	case workflow.StateRunning:
		return e.machine.Resume(ctx, ex, spec, st)
	case workflow.StateSuccess, workflow.StateError, workflow.StateCancelled:
		return e.machine.Stop(ctx, ex, spec, state, msg, st)
	}
	return nil, userError(ErrInvalidInput, "state must be PAUSED, RUNNING, SUCCESS, ERROR or CANCELLED, not %q", state)
}

// descendants lists the not yet completed sub-workflow executions below
// ex, deepest first.
func (e *Engine) descendants(ctx context.Context, st *txState, ex *workflow.Execution) ([]*workflow.Execution, error) {
	all, err := st.tx.ExecutionList(ctx, store.ExecutionListParams{RootExecutionID: ex.RootID()})
	if err != nil {
		return nil, fmt.Errorf("list sub-workflows of %s: %w", ex.ID, err)
	}
	// Sub-workflows started in this transaction are not in the store yet.
	listed := make(map[string]bool, len(all))
	for _, c := range all {
		listed[c.ID] = true
	}
	for _, c := range st.newExecutions {
		if !listed[c.ID] && c.TaskExecutionID != "" && c.RootID() == ex.RootID() {
			all = append(all, c)
		}
	}
	parentOf := map[string]string{}
	for _, child := range all {
		task, err := st.Task(ctx, child.TaskExecutionID)
		if err != nil {
			return nil, fmt.Errorf("parent task of sub-workflow %s: %w", child.ID, err)
		}
		parentOf[child.ID] = task.ExecutionID
	}
	var out []*workflow.Execution
	var walk func(id string)
	walk = func(id string) {
		for _, child := range all {
			if parentOf[child.ID] == id {
				walk(child.ID)
				if c, err := st.execution(ctx, child.ID); err == nil && !c.State.IsCompleted() {
					out = append(out, c)
				}
			}
		}
	}
	walk(ex.ID)
	return out, nil
}

func asMap(v any) *value.Map {
	if m, ok := v.(*value.Map); ok {
		return m.Clone()
	}
	return value.NewMap(0)
}

// RerunTask runs a task in ERROR again (PUT /v2/tasks/{id} with state
// RUNNING): reset re-runs all of it, otherwise only the failed items of a
// with-items task. env, when given, is merged into the execution's
// environment first.
func (e *Engine) RerunTask(ctx context.Context, taskID string, reset bool, env *value.Map) (*workflow.Task, error) {
	var out *workflow.Task
	err := store.InTx(ctx, e.store, func(ctx context.Context, tx store.Tx) error {
		task, err := tx.TaskGet(ctx, taskID)
		if err != nil {
			return fmt.Errorf("task %s: %w", taskID, err)
		}
		if err := tx.ExecutionLock(ctx, task.RootExecutionID); err != nil {
			return fmt.Errorf("lock execution %s: %w", task.RootExecutionID, err)
		}
		st := e.newTxState(tx)
		if task, err = st.Task(ctx, taskID); err != nil {
			return err
		}
		ex, spec, err := e.executionAndSpec(ctx, st, task.ExecutionID)
		if err != nil {
			return err
		}
		if env != nil {
			cur, _ := ex.Params.Get("env")
			ex.Params.Set("env", value.MergeDicts(asMap(cur), env))
			st.dirtyExecution[ex.ID] = true
		}
		step, err := e.machine.Rerun(ctx, ex, spec, task, reset, st)
		if err != nil {
			return err
		}
		if err := e.absorb(ctx, st, e.requestRunner(), step); err != nil {
			return err
		}
		out = task
		return st.flush(ctx, e)
	})
	if err != nil {
		return nil, transitionRefused(err, "rerun task")
	}
	signal(e.wakeEvents)
	signal(e.wakeWork)
	answer := *out // the answer states what the request set, as Mistral's does
	answer.State, answer.StateInfo, answer.Result = workflow.StateRunning, "", nil
	return &answer, nil
}
