package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/value"
)

// Timer kinds: what a delayed callback does when it fires.
const (
	TimerWaitBefore = "wait-before"
	TimerWaitAfter  = "wait-after"
	TimerRetry      = "retry"
	TimerTimeout    = "timeout"
)

// Timer asks the engine to call ApplyTimer after Delay. The machine reads
// no clock: it only says how long; the engine turns that into an event
// whose available_at lies in the future.
type Timer struct {
	TaskID  string
	Kind    string
	Attempt int // the task attempt the timer belongs to; a later one ignores it
	Delay   time.Duration
}

func (Timer) command() {}

// StartWorkflow asks for a sub-workflow execution for a task. The engine
// resolves the definition, checks the input, creates the execution with
// id ChildID and starts it in the same transaction.
type StartWorkflow struct {
	Task      *Task
	ChildID   string
	Name      string
	Namespace string
	Input     *value.Map
	Params    *value.Map
	// Item is set for one item of a with-items task: the child records
	// Index and Attempt so its result finds its place in the task.
	Item    bool
	Index   int
	Attempt int
}

func (StartWorkflow) command() {}

// beginTask applies the policies that act before a task runs
// (wait-before), then runs it.
func (m *Machine) beginTask(ctx context.Context, s *Step, t *dsl.Task, task *Task) error {
	s.touchTask(task)
	view := dataView(s.Execution, task.InContext, task)
	h := host{step: s, task: task}
	if s.spec.EffectivePolicies(t).PauseBefore != nil && !task.Runtime.PausedBefore {
		pause, err := m.policyBool(ctx, s.spec.EffectivePolicies(t).PauseBefore, view, h)
		if err != nil {
			return m.finishRun(ctx, s, t, task, StateError, nil, fmt.Sprintf("Failed to evaluate pause-before of task %q: %v", t.Name, err))
		}
		if pause {
			task.Runtime.PausedBefore = true
			task.State = StateIdle
			task.StateInfo = "Set by 'pause-before' policy"
			ex := s.Execution
			if ex.State == StateRunning {
				ex.State = StatePaused
			}
			ex.Runtime.Backlog = append(ex.Runtime.Backlog, BacklogItem{TaskID: task.ID, Start: true})
			s.touchExecution()
			return nil
		}
	}
	delay, err := m.policySeconds(ctx, s.spec.EffectivePolicies(t).WaitBefore, view, h)
	if err != nil {
		return m.finishRun(ctx, s, t, task, StateError, nil, fmt.Sprintf("Failed to evaluate wait-before of task %q: %v", t.Name, err))
	}
	if delay > 0 {
		task.State = StateDelayed
		task.StateInfo = fmt.Sprintf("Delayed by 'wait-before' policy [delay=%s]", formatSeconds(delay))
		s.Commands = append(s.Commands, Timer{TaskID: task.ID, Kind: TimerWaitBefore, Attempt: task.Runtime.Attempt, Delay: seconds(delay)})
		return nil
	}
	return m.runTask(ctx, s, t, task)
}

// runTask starts one attempt of a task: its action, its items, or its
// sub-workflow.
func (m *Machine) runTask(ctx context.Context, s *Step, t *dsl.Task, task *Task) error {
	s.touchTask(task)
	task.State = StateRunning
	task.StateInfo = ""
	task.Result = nil
	task.Runtime.Attempt++
	task.Runtime.WithItems = nil
	task.Runtime.TimedOut = false
	view := dataView(s.Execution, task.InContext, task)
	h := host{step: s, task: task}

	timeout, err := m.policySeconds(ctx, s.spec.EffectivePolicies(t).Timeout, view, h)
	if err != nil {
		return m.finishRun(ctx, s, t, task, StateError, nil, fmt.Sprintf("Failed to evaluate timeout of task %q: %v", t.Name, err))
	}
	if timeout > 0 {
		s.Commands = append(s.Commands, Timer{TaskID: task.ID, Kind: TimerTimeout, Attempt: task.Runtime.Attempt, Delay: seconds(timeout)})
	}
	if len(t.WithItems) > 0 {
		return m.startItems(ctx, s, t, task, view, h)
	}
	if t.Workflow != "" {
		return m.startSubworkflow(ctx, s, t, task, view, h, -1)
	}
	return m.startAction(ctx, s, t, task, view, h, 0)
}

// isItemOf reports whether child runs an item of the current attempt of
// the with-items task.
func isItemOf(task *Task, child *Execution) bool {
	return task.Runtime.WithItems != nil && child.Runtime.Item && child.Runtime.TaskAttempt == task.Runtime.Attempt
}

// startAction evaluates the action's name, input and target against view
// and asks for it to run as item index of the task.
func (m *Machine) startAction(ctx context.Context, s *Step, t *dsl.Task, task *Task, view *value.Map, h host, index int) error {
	name, err := m.evalString(ctx, t.Action, view, h)
	if err != nil {
		return m.startFailure(ctx, s, t, task, fmt.Sprintf("Failed to evaluate the action name of task %q: %v", t.Name, err))
	}
	if name == "" {
		name = "std.noop"
	}
	input, err := m.actionInput(ctx, t, view, h)
	if err != nil {
		return m.startFailure(ctx, s, t, task, err.Error())
	}
	target, err := m.evalString(ctx, t.Target, view, h)
	if err != nil {
		return m.startFailure(ctx, s, t, task, fmt.Sprintf("Failed to evaluate the target of task %q: %v", t.Name, err))
	}
	safeRerun, err := m.policyBool(ctx, s.spec.EffectivePolicies(t).SafeRerun, view, h)
	if err != nil {
		return m.startFailure(ctx, s, t, task, fmt.Sprintf("Failed to evaluate safe-rerun of task %q: %v", t.Name, err))
	}
	chain, adhocName, err := m.adhocChain(ctx, s, name)
	if err != nil {
		return m.startFailure(ctx, s, t, task, err.Error())
	}
	run := RunAction{}
	if len(chain) > 0 {
		if err := checkAdhocInput(chain[0], input); err != nil {
			return m.startFailure(ctx, s, t, task, err.Error())
		}
		run.Call, run.CallInput, err = m.expandAdhoc(ctx, chain, input, view, h)
		if err != nil {
			return m.startFailure(ctx, s, t, task, err.Error())
		}
	}
	if target == "" {
		// Without a target the action runs here, so it must exist and take
		// this input; a targeted one may be known only to its executor.
		call, callInput := name, input
		if run.Call != "" {
			call, callInput = run.Call, run.CallInput
		}
		if err := s.reader.CheckAction(call, s.Execution.WorkflowNamespace, callInput); err != nil {
			var unknown *UnknownActionError
			if len(chain) > 0 && errors.As(err, &unknown) {
				// Mistral finds an ad-hoc action's base when it builds
				// the action and names the ad-hoc action, not the base.
				err = fmt.Errorf("Failed to instantiate an action [action_desc=AdHoc action [name=%s, definition=%s], input_dict=%s]",
					adhocName, mistralActionText(chain[0].Definition, adhocName, name), value.PyStr(input))
			}
			return m.startFailure(ctx, s, t, task, err.Error())
		}
	}
	act := &ActionExecution{
		ID:                m.newID(),
		TaskExecutionID:   task.ID,
		ExecutionID:       s.Execution.ID,
		RootExecutionID:   s.Execution.RootID(),
		WorkflowName:      s.Execution.WorkflowName,
		WorkflowNamespace: s.Execution.WorkflowNamespace,
		TaskName:          task.Name,
		Name:              name,
		ProjectID:         s.Execution.ProjectID,
		State:             StateRunning,
		Input:             input,
		Target:            target,
		SafeRerun:         safeRerun,
		Attempt:           task.Runtime.Attempt,
		Index:             index,
	}
	task.Runtime.ActionID = act.ID
	s.NewActions = append(s.NewActions, act)
	run.Action = act
	s.Commands = append(s.Commands, run)
	return nil
}

// startFailure fails a task that could not start (its input, action,
// items or sub-workflow could not be worked out) the way Mistral does:
// the task ends in ERROR with "Failed to run task [...]" and an empty
// result, and the workflow fails with it at once — on-error and
// on-complete do not run, since the task never ran.
func (m *Machine) startFailure(ctx context.Context, s *Step, t *dsl.Task, task *Task, msg string) error {
	s.dropRuns(task)
	task.Result = []any{}
	task.Runtime.WithItems = nil
	m.forceFail(ctx, s, task, fmt.Sprintf("Failed to run task [error=%s, wf=%s, task=%s]", msg, s.spec.Name, t.Name))
	return nil
}

// dropRuns takes back the actions and sub-workflows this step started for
// the task (earlier items of a with-items task): in Mistral a task that
// cannot start rolls back its whole transaction, so none of them exist.
func (s *Step) dropRuns(task *Task) {
	kept := s.NewActions[:0]
	for _, a := range s.NewActions {
		if a.TaskExecutionID != task.ID {
			kept = append(kept, a)
		}
	}
	s.NewActions = kept
	cmds := s.Commands[:0]
	for _, c := range s.Commands {
		switch c := c.(type) {
		case RunAction:
			if c.Action.TaskExecutionID == task.ID {
				continue
			}
		case StartWorkflow:
			if c.Task.ID == task.ID {
				continue
			}
		}
		cmds = append(cmds, c)
	}
	s.Commands = cmds
}

// startSubworkflow evaluates the sub-workflow's name and input and asks
// the engine to start it; index >= 0 starts that item of a with-items task.
func (m *Machine) startSubworkflow(ctx context.Context, s *Step, t *dsl.Task, task *Task, view *value.Map, h host, index int) error {
	name, err := m.evalString(ctx, t.Workflow, view, h)
	if err != nil {
		return m.startFailure(ctx, s, t, task, fmt.Sprintf("Failed to evaluate the workflow name of task %q: %v", t.Name, err))
	}
	input, err := m.actionInput(ctx, t, view, h)
	if err != nil {
		return m.startFailure(ctx, s, t, task, err.Error())
	}
	params := value.NewMap(2)
	if env, ok := s.Execution.Params.Get("env"); ok {
		params.Set("env", env)
	}
	childID := m.newID()
	cmd := StartWorkflow{
		Task: task, ChildID: childID, Name: name, Namespace: s.Execution.WorkflowNamespace, Input: input, Params: params,
	}
	if index >= 0 {
		cmd.Item, cmd.Index, cmd.Attempt = true, index, task.Runtime.Attempt
	} else {
		task.Runtime.ChildID = childID
	}
	s.Commands = append(s.Commands, cmd)
	return nil
}

// finishRun takes the outcome of a task's run through the policies that
// act after it (wait-after, fail-on, retry) and, if none holds it back,
// completes the task.
func (m *Machine) finishRun(ctx context.Context, s *Step, t *dsl.Task, task *Task, state State, result any, stateInfo string) error {
	task.State, task.Result, task.StateInfo = state, result, stateInfo
	s.touchTask(task)
	if err := m.publishRun(ctx, s, t, task); err != nil {
		return m.completionFailure(ctx, s, t, task, err.Error())
	}
	view := dataView(s.Execution, task.InContext, task)
	h := host{step: s, task: task}
	delay, err := m.policySeconds(ctx, s.spec.EffectivePolicies(t).WaitAfter, view, h)
	if err != nil {
		task.State, task.StateInfo = StateError, fmt.Sprintf("Failed to evaluate wait-after of task %q: %v", t.Name, err)
		delay = 0
	}
	if delay > 0 {
		task.Runtime.Held = &HeldOutcome{State: task.State, StateInfo: task.StateInfo}
		task.State = StateDelayed
		task.StateInfo = fmt.Sprintf("Delayed by 'wait-after' policy [delay=%s]", formatSeconds(delay))
		s.Commands = append(s.Commands, Timer{TaskID: task.ID, Kind: TimerWaitAfter, Attempt: task.Runtime.Attempt, Delay: seconds(delay)})
		return nil
	}
	return m.afterWait(ctx, s, t, task)
}

// afterWait applies fail-on and retry, then completes the task.
func (m *Machine) afterWait(ctx context.Context, s *Step, t *dsl.Task, task *Task) error {
	outbound := value.MergeDicts(task.InContext.Clone(), task.Published)
	view := dataView(s.Execution, outbound, task)
	h := host{step: s, task: task}

	if task.State == StateSuccess && s.spec.EffectivePolicies(t).FailOn != nil {
		failOn, err := m.policyBool(ctx, s.spec.EffectivePolicies(t).FailOn, view, h)
		switch {
		case err != nil:
			task.State, task.StateInfo = StateError, fmt.Sprintf("Failed to evaluate fail-on of task %q: %v", t.Name, err)
		case failOn:
			task.State, task.StateInfo = StateError, "Failed by 'fail-on' policy"
		}
	}
	if r := s.spec.EffectivePolicies(t).Retry; r != nil && !task.Runtime.TimedOut && task.State.IsCompleted() && task.State != StateCancelled {
		again, delay, err := m.retryAgain(ctx, r, task, view, h)
		if err != nil {
			task.State, task.StateInfo = StateError, fmt.Sprintf("Failed to evaluate the retry policy of task %q: %v", t.Name, err)
		} else if again {
			// The runs so far no longer count (Mistral's invalidate_result):
			// the next run's result is the task's.
			if err := m.supersede(ctx, s, task, func(*ActionExecution) bool { return true }); err != nil {
				return err
			}
			task.Runtime.RetryNo++
			task.State = StateDelayed
			task.StateInfo = fmt.Sprintf("Delayed by 'retry' policy [delay=%s]", formatSeconds(delay))
			s.Commands = append(s.Commands, Timer{TaskID: task.ID, Kind: TimerRetry, Attempt: task.Runtime.Attempt, Delay: seconds(delay)})
			return nil
		}
	}
	return m.completeTask(ctx, s, t, task)
}

// supersede sets aside the task's action executions that pick selects:
// a retry or a rerun runs the task again, and their results no longer
// count (Accepted stays as it is: a result still to come for one of them
// must find it taken or be dropped, never be taken by the new run). A
// workflow task runs sub-workflows, which have no such flag to show.
func (m *Machine) supersede(ctx context.Context, s *Step, task *Task, pick func(*ActionExecution) bool) error {
	if task.Type != TaskTypeAction {
		return nil
	}
	acts, err := s.reader.TaskActions(ctx, task.ID)
	if err != nil {
		return fmt.Errorf("read the action executions of task %s to set them aside: %w", task.ID, err)
	}
	for _, a := range acts {
		if !a.Superseded && pick(a) {
			a.Superseded = true
			s.ChangedActions = append(s.ChangedActions, a)
		}
	}
	return nil
}

// retryAgain decides whether the retry policy runs the task once more, as
// Mistral's RetryPolicy does: while retries remain, an ERROR retries
// unless break-on holds; a SUCCESS retries only while continue-on holds.
func (m *Machine) retryAgain(ctx context.Context, r *dsl.Retry, task *Task, view *value.Map, h host) (bool, float64, error) {
	count, err := m.policySeconds(ctx, r.Count, view, h)
	if err != nil {
		return false, 0, err
	}
	if task.Runtime.RetryNo >= int(count) {
		return false, 0, nil
	}
	delay, err := m.policySeconds(ctx, r.Delay, view, h)
	if err != nil {
		return false, 0, err
	}
	switch task.State {
	case StateError:
		if r.BreakOn != nil {
			brk, err := m.policyBool(ctx, r.BreakOn, view, h)
			if err != nil || brk {
				return false, 0, err
			}
		}
		return true, delay, nil
	case StateSuccess:
		if r.ContinueOn == nil {
			return false, 0, nil
		}
		cont, err := m.policyBool(ctx, r.ContinueOn, view, h)
		return cont && err == nil, delay, err
	}
	return false, 0, nil
}

// ApplyTimer handles a timer the machine asked for. A timer for an
// attempt that is over, or for a task that moved on, changes nothing.
func (m *Machine) ApplyTimer(ctx context.Context, ex *Execution, spec *dsl.Workflow, timer Timer, r Reader) (*Step, error) {
	s := m.newStep(ex, spec, r)
	if ex.State == StatePaused {
		t := timer
		ex.Runtime.Backlog = append(ex.Runtime.Backlog, BacklogItem{TaskID: timer.TaskID, Timer: &t})
		s.touchExecution()
		return s, nil
	}
	if ex.State != StateRunning {
		return s, nil
	}
	task, err := r.Task(ctx, timer.TaskID)
	if err != nil {
		return nil, fmt.Errorf("load task %s for its %s timer: %w", timer.TaskID, timer.Kind, err)
	}
	t := spec.TaskByName[task.Name]
	if t == nil || task.Runtime.Attempt != timer.Attempt {
		return s, nil
	}
	switch timer.Kind {
	case TimerWaitBefore:
		if task.State == StateDelayed {
			err = m.runTask(ctx, s, t, task)
		}
	case TimerRetry:
		if task.State == StateDelayed && task.Runtime.Held == nil {
			err = m.runTask(ctx, s, t, task)
		}
	case TimerWaitAfter:
		if held := task.Runtime.Held; task.State == StateDelayed && held != nil {
			task.Runtime.Held = nil
			task.State, task.StateInfo = held.State, held.StateInfo
			s.touchTask(task)
			err = m.afterWait(ctx, s, t, task)
		}
	case TimerTimeout:
		if task.State == StateRunning {
			task.Runtime.TimedOut = true
			secs, _ := m.policySeconds(ctx, s.spec.EffectivePolicies(t).Timeout, dataView(ex, task.InContext, task), host{step: s, task: task})
			// The running action's result is never accepted: the task's
			// result is the empty list of no accepted results, as in Mistral.
			err = m.finishRun(ctx, s, t, task, StateError, []any{}, fmt.Sprintf("Task timed out [timeout(s)=%s].", formatSeconds(secs)))
		}
	default:
		return nil, fmt.Errorf("unknown timer kind %q", timer.Kind)
	}
	if err != nil {
		return nil, err
	}
	if err := m.checkComplete(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// ApplyChildResult completes the workflow task that ran child, a
// sub-workflow that just completed. The engine calls it in the
// transaction that completed the child, so nothing lies between them.
func (m *Machine) ApplyChildResult(ctx context.Context, ex *Execution, spec *dsl.Workflow, child *Execution, r Reader) (*Step, error) {
	s := m.newStep(ex, spec, r)
	task, err := r.Task(ctx, child.TaskExecutionID)
	if err != nil {
		return nil, fmt.Errorf("load parent task %s of execution %s: %w", child.TaskExecutionID, child.ID, err)
	}
	t := spec.TaskByName[task.Name]
	item := isItemOf(task, child)
	if t != nil && item && (task.State == StateCancelled || child.State == StateCancelled) {
		if err := m.cancelItems(ctx, s, t, task); err != nil {
			return nil, err
		}
		if err := m.checkComplete(ctx, s); err != nil {
			return nil, err
		}
		return s, nil
	}
	if t == nil || (task.Runtime.ChildID != child.ID && !item) || (task.State != StateRunning && task.State != StatePaused) {
		return s, nil
	}
	if ex.State.IsCompleted() {
		// The parent ended first (a cancel reaches the parent, then its
		// children): the task takes the child's end, as Mistral shows it,
		// and nothing follows.
		if child.State == StateCancelled {
			task.State, task.StateInfo, task.Result = StateCancelled, child.StateInfo, child.Output
			task.Processed = true
			ex.Runtime.ActiveTasks--
			s.touchTask(task)
			s.touchExecution()
		}
		return s, nil
	}
	task.State = StateRunning // a paused child's task shows PAUSED until the child ends
	if item {
		task.Runtime.WithItems.Running--
		if err := m.itemDone(ctx, s, t, task, child.State == StateSuccess); err != nil {
			return nil, err
		}
		if err := m.checkComplete(ctx, s); err != nil {
			return nil, err
		}
		return s, nil
	}
	info := ""
	if child.State != StateSuccess {
		info = child.StateInfo // Mistral passes the child's report up as it is
	}
	if err := m.finishRun(ctx, s, t, task, child.State, child.Output, info); err != nil {
		return nil, err
	}
	if err := m.checkComplete(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// cancelItems handles a child of a with-items workflow task that ended
// while or after a child of it was cancelled. Mistral's with-items task
// ends CANCELLED at its first cancelled child (the parent itself, or the
// child alone, was cancelled); the children still running run on, and
// the task's result keeps listing every child ended so far, in item order,
// as Mistral computes it from the children it has accepted.
func (m *Machine) cancelItems(ctx context.Context, s *Step, t *dsl.Task, task *Task) error {
	runs, err := m.itemRuns(ctx, s, t, task)
	if err != nil {
		return err
	}
	results := make([]any, 0, len(runs))
	for _, r := range runs {
		if r.state.IsCompleted() {
			results = append(results, r.result)
		}
	}
	const info = "One or more actions was cancelled."
	switch {
	case task.State == StateCancelled:
		task.Result = results
		s.touchTask(task)
		return nil
	case task.State != StateRunning && task.State != StatePaused:
		return nil
	case s.Execution.State.IsCompleted():
		// The parent was cancelled first: the task takes the end, and
		// nothing follows.
		task.State, task.StateInfo, task.Result = StateCancelled, info, results
		task.Processed = true
		s.Execution.Runtime.ActiveTasks--
		s.touchTask(task)
		s.touchExecution()
		return nil
	}
	task.Runtime.WithItems.Running--
	return m.finishRun(ctx, s, t, task, StateCancelled, results, info)
}

// ApplyChildState mirrors a sub-workflow's pause and resume on the
// workflow task that runs it, as Mistral's action update does: the task
// shows PAUSED while its child is paused and the parent pauses with it;
// when the child runs again so does the task, and the parent resumes once
// no other task of it is paused.
func (m *Machine) ApplyChildState(ctx context.Context, ex *Execution, spec *dsl.Workflow, child *Execution, r Reader) (*Step, error) {
	s := m.newStep(ex, spec, r)
	task, err := r.Task(ctx, child.TaskExecutionID)
	if err != nil {
		return nil, fmt.Errorf("load parent task %s of execution %s: %w", child.TaskExecutionID, child.ID, err)
	}
	item := isItemOf(task, child)
	if (task.Runtime.ChildID != child.ID && !item) || ex.State.IsCompleted() {
		return s, nil
	}
	switch {
	case child.State == StatePaused && task.State == StateRunning:
		task.State = StatePaused
		s.touchTask(task)
		if ex.State == StateRunning {
			ex.State = StatePaused
			s.touchExecution()
		}
	case child.State == StateRunning && task.State == StatePaused:
		if item {
			// A with-items task runs again only once none of its
			// children is paused, as Mistral's task update checks.
			children, err := r.TaskChildren(ctx, task.ID)
			if err != nil {
				return nil, fmt.Errorf("read the items of task %s: %w", task.ID, err)
			}
			for _, c := range children {
				if c.ID != child.ID && isItemOf(task, c) && c.State == StatePaused {
					return s, nil
				}
			}
		}
		task.State = StateRunning
		s.touchTask(task)
		if ex.State != StatePaused {
			return s, nil
		}
		paused, err := r.ListTasks(ctx, ex.ID, StatePaused)
		if err != nil {
			return nil, fmt.Errorf("find paused tasks of execution %s: %w", ex.ID, err)
		}
		for _, p := range paused {
			if p.ID != task.ID && p.State == StatePaused {
				return s, nil
			}
		}
		resumed, err := m.Resume(ctx, ex, spec, r)
		if err != nil {
			return nil, err
		}
		s.merge(resumed)
	}
	return s, nil
}

// FailChildStart fails a workflow task whose sub-workflow could not start
// (no such workflow, bad input).
func (m *Machine) FailChildStart(ctx context.Context, ex *Execution, spec *dsl.Workflow, task *Task, msg string, r Reader) (*Step, error) {
	s := m.newStep(ex, spec, r)
	t := spec.TaskByName[task.Name]
	if t == nil || task.State != StateRunning {
		return s, nil
	}
	if err := m.startFailure(ctx, s, t, task, msg); err != nil {
		return nil, err
	}
	if err := m.checkComplete(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// policySeconds evaluates a numeric policy value (a number or an
// expression); nil is 0.
func (m *Machine) policySeconds(ctx context.Context, v any, view *value.Map, h host) (float64, error) {
	if v == nil {
		return 0, nil
	}
	got, err := m.eval.Evaluate(ctx, v, view, h)
	if err != nil {
		return 0, err
	}
	switch n := got.(type) {
	case nil:
		return 0, nil
	case int64:
		return float64(n), nil
	case float64:
		return n, nil
	case bool:
		if n {
			return 1, nil
		}
		return 0, nil
	case string:
		num, err := value.ParseNumber(n)
		if err == nil {
			return m.policySeconds(ctx, num, view, h)
		}
	}
	return 0, fmt.Errorf("expected a number, got %s %s", value.TypeName(got), value.PyRepr(got))
}

// policyBool evaluates a boolean policy value by Python truthiness.
func (m *Machine) policyBool(ctx context.Context, v any, view *value.Map, h host) (bool, error) {
	if v == nil {
		return false, nil
	}
	got, err := m.eval.Evaluate(ctx, v, view, h)
	if err != nil {
		return false, err
	}
	return truthy(got), nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// formatSeconds prints a delay as Mistral does in state_info (2, 0.5).
func formatSeconds(s float64) string {
	if s == float64(int64(s)) {
		return fmt.Sprintf("%d", int64(s))
	}
	return value.FormatFloat(s)
}
