package workflow

import (
	"context"
	"fmt"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/value"
)

// Pause pauses a running execution. Actions already running finish and
// their tasks complete, but the transitions they would take wait in the
// backlog until Resume.
func (m *Machine) Pause(ctx context.Context, ex *Execution, spec *dsl.Workflow, msg string, r Reader) (*Step, error) {
	s := m.newStep(ex, spec, r)
	if ex.State != StateRunning {
		return nil, transitionError(ex, StatePaused)
	}
	ex.State = StatePaused
	ex.StateInfo = msg
	s.touchExecution()
	return s, nil
}

// Resume continues a paused execution: it replays the backlog in order
// (transitions, tasks paused before they started, timers) and completes
// the workflow if nothing is left to run.
func (m *Machine) Resume(ctx context.Context, ex *Execution, spec *dsl.Workflow, r Reader) (*Step, error) {
	s := m.newStep(ex, spec, r)
	if ex.State == StateRunning {
		return s, nil // resuming a running execution changes nothing, as in Mistral
	}
	if ex.State != StatePaused {
		return nil, transitionError(ex, StateRunning)
	}
	ex.State = StateRunning
	ex.StateInfo = ""
	s.touchExecution()
	for len(ex.Runtime.Backlog) > 0 && ex.State == StateRunning {
		item := ex.Runtime.Backlog[0]
		ex.Runtime.Backlog = ex.Runtime.Backlog[1:]
		if err := m.replay(ctx, s, item); err != nil {
			return nil, err
		}
	}
	if err := m.checkComplete(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

func (m *Machine) replay(ctx context.Context, s *Step, item BacklogItem) error {
	task, err := s.reader.Task(ctx, item.TaskID)
	if err != nil {
		return fmt.Errorf("load task %s from the backlog: %w", item.TaskID, err)
	}
	t := s.spec.TaskByName[task.Name]
	if t == nil {
		return fmt.Errorf("task %q of the backlog is not in the workflow spec", task.Name)
	}
	switch {
	case item.Start:
		if task.State == StateIdle {
			return m.beginTask(ctx, s, t, task)
		}
	case item.Timer != nil:
		sub, err := m.ApplyTimer(ctx, s.Execution, s.spec, *item.Timer, s.reader)
		if err != nil {
			return err
		}
		s.merge(sub)
	default:
		outbound := value.MergeDicts(task.InContext.Clone(), task.Published)
		return m.takeTransition(ctx, s, task, outbound, item.Target, item.Params)
	}
	return nil
}

// Stop ends an execution with the state an operator asked for: SUCCESS
// or ERROR (output evaluated as on completion, state_info from msg), or
// CANCELLED.
func (m *Machine) Stop(ctx context.Context, ex *Execution, spec *dsl.Workflow, state State, msg string, r Reader) (*Step, error) {
	s := m.newStep(ex, spec, r)
	if ex.State.IsCompleted() {
		return nil, transitionError(ex, state)
	}
	switch state {
	case StateSuccess:
		m.succeedWorkflow(ctx, s, msg)
	case StateError:
		m.failWorkflow(ctx, s, msg)
	case StateCancelled:
		m.cancelWorkflow(s, msg)
	default:
		return nil, fmt.Errorf("%w: cannot stop an execution with state %s", ErrTransition, state)
	}
	return s, nil
}

// transitionError is Mistral's refusal of a state change.
func transitionError(ex *Execution, to State) error {
	return fmt.Errorf("%w: Can't change workflow execution state from %s to %s. [workflow=%s, execution_id=%s]",
		ErrTransition, ex.State, to, ex.WorkflowName, ex.ID)
}

// merge folds another step over the same execution into s.
func (s *Step) merge(o *Step) {
	if o.ExecutionChanged {
		s.touchExecution()
	}
	for _, t := range o.NewTasks {
		s.addTask(t)
	}
	for _, t := range o.ChangedTasks {
		s.touchTask(t)
	}
	s.NewActions = append(s.NewActions, o.NewActions...)
	s.ChangedActions = append(s.ChangedActions, o.ChangedActions...)
	s.Commands = append(s.Commands, o.Commands...)
}

// Rerun runs a task in ERROR again, as PUT /v2/tasks/{id} asks: the
// execution goes back to RUNNING and the task runs from the start
// (reset), or — for a with-items task without reset — only its failed
// items run again.
func (m *Machine) Rerun(ctx context.Context, ex *Execution, spec *dsl.Workflow, task *Task, reset bool, r Reader) (*Step, error) {
	s := m.newStep(ex, spec, r)
	t := spec.TaskByName[task.Name]
	if t == nil {
		return nil, fmt.Errorf("task %q is not in the workflow spec", task.Name)
	}
	if task.State != StateError {
		return nil, fmt.Errorf("%w: The current task execution must be in ERROR for rerun. Only updating task to rerun is supported.", ErrTransition)
	}
	if !reset && len(t.WithItems) == 0 {
		return nil, fmt.Errorf("%w: Only with-items task has the option to not reset.", ErrTransition)
	}
	if ex.State != StateError && ex.State != StateRunning && ex.State != StatePaused {
		return nil, fmt.Errorf("%w: cannot rerun a task of an execution in state %s", ErrTransition, ex.State)
	}
	kept := ex.Runtime.FailedTasks[:0]
	for _, f := range ex.Runtime.FailedTasks {
		if f.TaskID != task.ID {
			kept = append(kept, f)
		}
	}
	ex.Runtime.FailedTasks = kept
	if ex.State == StateError {
		ex.State, ex.StateInfo, ex.Output = StateRunning, "", nil
	}
	ex.Runtime.ActiveTasks++
	s.touchExecution()
	task.Processed = false
	task.Runtime.RetryNo = 0
	task.Runtime.Held = nil
	task.Runtime.ErrorHandled = false
	s.touchTask(task)
	if reset || task.Runtime.WithItems == nil {
		// Every run so far is set aside, as Mistral's reset does.
		if err := m.supersede(ctx, s, task, func(*ActionExecution) bool { return true }); err != nil {
			return nil, err
		}
		if err := m.runTask(ctx, s, t, task); err != nil {
			return nil, err
		}
	} else if err := m.rerunFailedItems(ctx, s, t, task); err != nil {
		return nil, err
	}
	if err := m.checkComplete(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// rerunFailedItems starts again, in the same attempt, every item whose
// latest run failed, and sets that run aside; the items that succeeded
// keep their results. An item still running (its task timed out) is not
// failed: it keeps its run, whose result the task takes when it comes.
// The counts are made again from the runs, since a task that ended early
// stopped counting the results that came after.
func (m *Machine) rerunFailedItems(ctx context.Context, s *Step, t *dsl.Task, task *Task) error {
	view := dataView(s.Execution, task.InContext, task)
	h := host{step: s, task: task}
	bindings, err := m.itemBindings(ctx, t, view, h)
	if err != nil {
		return m.finishRun(ctx, s, t, task, StateError, nil, err.Error())
	}
	runs, err := m.itemRuns(ctx, s, t, task)
	if err != nil {
		return err
	}
	wi := task.Runtime.WithItems
	wi.Succeeded, wi.Failed, wi.Running = 0, 0, 0
	task.State, task.StateInfo, task.Result = StateRunning, "", nil
	for _, r := range runs { // in item order, so the new runs are listed in that order
		switch {
		case r.state == StateSuccess:
			wi.Succeeded++
			continue
		case !r.state.IsCompleted():
			wi.Running++
			continue
		case r.index >= len(bindings):
			wi.Failed++ // no longer an item: nothing to run it with
			continue
		}
		if r.action != nil && !r.action.Superseded {
			r.action.Superseded = true
			s.ChangedActions = append(s.ChangedActions, r.action)
		}
		wi.Running++
		itemCtx := task.InContext.Clone()
		itemCtx.Update(bindings[r.index])
		if err := m.startItemRun(ctx, s, t, task, dataView(s.Execution, itemCtx, task), r.index); err != nil {
			return err
		}
	}
	return nil
}
