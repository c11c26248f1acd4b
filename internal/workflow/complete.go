package workflow

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/value"
)

// Transition events, named as Mistral names them.
const (
	eventOnSuccess  = "on-success"
	eventOnError    = "on-error"
	eventOnComplete = "on-complete"
)

// chosenTransition is a transition whose guard held.
type chosenTransition struct {
	target string
	params *value.Map
	event  string
}

// completeTask ends a task in the state its run left it: it publishes,
// takes the transitions whose guards hold (in Mistral's order: on-error
// or on-success, then on-complete), and records what workflow completion
// needs.
func (m *Machine) completeTask(ctx context.Context, s *Step, t *dsl.Task, task *Task) error {
	ex := s.Execution
	task.Processed = true
	ex.Runtime.ActiveTasks--
	s.touchTask(task)
	s.touchExecution()

	onSuccess, onError, onComplete := s.spec.EffectiveOnClauses(t)
	outbound := value.MergeDicts(task.InContext.Clone(), task.Published)
	if keep, err := m.keepResult(ctx, s, t, task); err == nil && !keep {
		task.Result = nil // keep-result: false; publish already took what it needed
	}
	if s.spec.Type == dsl.TypeReverse {
		return m.completeReverseTask(ctx, s, t, task, outbound)
	}

	chosen, err := m.chooseTransitions(ctx, s, task, outbound, onSuccess, onError, onComplete)
	if err != nil {
		// A guard that cannot be evaluated fails the task; its own on-error
		// clause is not consulted again (that could loop forever).
		task.State = StateError
		task.StateInfo = err.Error()
		chosen = nil
	}

	hasNext := false
	for _, c := range chosen {
		if c.event == eventOnError {
			task.Runtime.ErrorHandled = true
		}
		if s.spec.TaskByName[c.target] != nil {
			hasNext = true
		}
	}
	if task.State == StateError && !task.Runtime.ErrorHandled {
		ex.Runtime.FailedTasks = append(ex.Runtime.FailedTasks, failedTask(task))
	}
	if task.State == StateCancelled {
		ex.Runtime.CancelledTasks = append(ex.Runtime.CancelledTasks, task.Name)
	}
	if !hasNext {
		ex.Runtime.FinalContext = value.MergeDicts(ex.Runtime.FinalContext, outbound)
	}

	// Tasks before an engine command run; fail and succeed end the
	// workflow there; after a pause the rest waits in the backlog for
	// the resume, as Mistral's dispatcher keeps it.
	for _, c := range chosen {
		if ex.State.IsCompleted() {
			break
		}
		if ex.State == StatePaused {
			ex.Runtime.Backlog = append(ex.Runtime.Backlog, BacklogItem{TaskID: task.ID, Target: c.target, Params: c.params})
			continue
		}
		if err := m.takeTransition(ctx, s, task, outbound, c.target, c.params); err != nil {
			return err
		}
	}
	return m.missTransitions(ctx, s, t, chosen)
}

// takeTransition arrives at the next task, or carries out an engine command.
func (m *Machine) takeTransition(ctx context.Context, s *Step, task *Task, outbound *value.Map, target string, params *value.Map) error {
	ex := s.Execution
	if next := s.spec.TaskByName[target]; next != nil {
		return m.arrive(ctx, s, next, outbound, task.Name)
	}
	msg := ""
	if v, ok := params.Get("msg"); ok && v != nil {
		msg = value.PyStr(v)
	}
	switch target {
	case dsl.CommandFail:
		m.failWorkflow(ctx, s, msg)
	case dsl.CommandSucceed:
		m.succeedWorkflow(ctx, s, msg)
	case dsl.CommandPause:
		ex.State = StatePaused
		ex.StateInfo = msg
		s.touchExecution()
	case dsl.CommandNoop:
	}
	return nil
}

func failedTask(t *Task) FailedTask {
	return FailedTask{TaskID: t.ID, Name: t.Name, StateInfo: t.StateInfo}
}

// publishRun evaluates the publish of a finished run into
// task.Published; an error is a publish that cannot be evaluated.
func (m *Machine) publishRun(ctx context.Context, s *Step, t *dsl.Task, task *Task) error {
	onSuccess, onError, onComplete := s.spec.EffectiveOnClauses(t)
	published, hasBranch, err := m.publish(ctx, s, t, task, onSuccess, onError, onComplete)
	if err != nil {
		task.Published = value.NewMap(0)
		return err
	}
	task.Published = published
	task.Runtime.PublishedNull = !hasBranch
	return nil
}

// completionFailure fails a task whose completion could not be handled (a
// publish that cannot be evaluated) as Mistral's force_fail_task does:
// the task ends in ERROR keeping its result, no on-* clause runs, and the
// workflow fails with the same words at once.
func (m *Machine) completionFailure(ctx context.Context, s *Step, t *dsl.Task, task *Task, msg string) error {
	name, err := m.runName(ctx, s, task)
	if err != nil {
		return err
	}
	m.forceFail(ctx, s, task, fmt.Sprintf("Failed to handle action completion [error=%s, wf=%s, task=%s, action=%s]", msg, s.spec.Name, t.Name, name))
	return nil
}

// forceFail ends a task in ERROR with info, outside its transitions, and
// fails the workflow with the same words at once, as Mistral's
// force_fail_task does.
func (m *Machine) forceFail(ctx context.Context, s *Step, task *Task, info string) {
	ex := s.Execution
	task.State, task.StateInfo = StateError, info
	task.Processed = true
	ex.Runtime.ActiveTasks--
	s.touchTask(task)
	s.touchExecution()
	if ex.State == StateRunning || ex.State == StatePaused {
		m.failWorkflow(ctx, s, info)
	}
}

// runName is the name of what the task's run executed: its latest action,
// or the sub-workflow it started.
func (m *Machine) runName(ctx context.Context, s *Step, task *Task) (string, error) {
	if task.Type == TaskTypeWorkflow {
		children, err := s.reader.TaskChildren(ctx, task.ID)
		if err != nil {
			return "", fmt.Errorf("list the sub-workflows of task %s: %w", task.Name, err)
		}
		if len(children) > 0 {
			return children[len(children)-1].WorkflowName, nil
		}
		return "", nil
	}
	for _, a := range s.ChangedActions {
		if a.TaskExecutionID == task.ID {
			return a.Name, nil
		}
	}
	acts, err := s.reader.TaskActions(ctx, task.ID)
	if err != nil {
		return "", fmt.Errorf("list the actions of task %s: %w", task.Name, err)
	}
	if len(acts) > 0 {
		return acts[len(acts)-1].Name, nil
	}
	return "", nil
}

// keepResult evaluates the keep-result policy (default true).
func (m *Machine) keepResult(ctx context.Context, s *Step, t *dsl.Task, task *Task) (bool, error) {
	if !t.Keep.Set {
		return true, nil
	}
	return m.policyBool(ctx, t.Keep.Value, dataView(s.Execution, task.InContext, task), host{step: s, task: task})
}

// publish evaluates publish (on SUCCESS) or publish-on-error (on ERROR),
// together with the publish of the advanced on-* clauses, merged as
// Mistral's DirectWorkflowTaskSpec.get_publish merges them: the plain
// publish and on-complete's publish are merged into the specific clause's
// (on-success or on-error), and on a conflict they win — on-complete over
// the plain publish, both over the specific clause. The second result is
// false when there is a publish but no branch part (only global or
// atomic): Mistral then leaves the task's published null. (Mistral also
// drops parts whose counterpart in the clause it merges into is missing;
// bora keeps them.)
func (m *Machine) publish(ctx context.Context, s *Step, t *dsl.Task, task *Task, onSuccess, onError, onComplete *dsl.OnClause) (*value.Map, bool, error) {
	var plain *value.Map
	var specific *dsl.OnClause
	switch task.State {
	case StateSuccess:
		plain, specific = t.Publish, onSuccess
	case StateError:
		plain, specific = t.PublishOnError, onError
	default:
		return value.NewMap(0), true, nil
	}
	var branch, global *value.Map
	hasPublish := plain != nil
	for _, c := range []*dsl.OnClause{specific, onComplete} {
		if c == nil {
			continue
		}
		if c.Publish != nil || c.PublishGlobal != nil || c.PublishAtomic != nil {
			hasPublish = true
		}
		if c == onComplete {
			branch = mergeSpec(branch, plain)
			plain = nil
		}
		branch = mergeSpec(branch, c.Publish)
		global = mergeSpec(global, c.PublishGlobal)
	}
	branch = mergeSpec(branch, plain)
	view := dataView(s.Execution, task.InContext, task)
	h := host{step: s, task: task}
	if global.Len() > 0 {
		// Global publishes go to the execution's context, visible to every
		// branch through global() (and $.name where no branch shadows it).
		g, err := m.eval.Evaluate(ctx, global, view, h)
		if err != nil {
			return nil, true, fmt.Errorf("Failed to evaluate the global publish of task %q: %v", task.Name, err)
		}
		value.MergeDicts(s.Execution.Context, g.(*value.Map))
		s.touchExecution()
	}
	if branch == nil {
		return value.NewMap(0), !hasPublish, nil
	}
	v, err := m.eval.Evaluate(ctx, branch, view, h)
	if err != nil {
		return nil, true, fmt.Errorf("Failed to evaluate the publish of task %q: %v", task.Name, err)
	}
	return v.(*value.Map), true, nil
}

// mergeSpec merges the publish spec over into base (over wins, nested
// dicts merge), copying so the parsed spec is never changed.
func mergeSpec(base, over *value.Map) *value.Map {
	if over == nil {
		return base
	}
	if base == nil {
		base = value.NewMap(over.Len())
	}
	return value.MergeDicts(base, value.DeepCopy(over).(*value.Map))
}

func (m *Machine) chooseTransitions(ctx context.Context, s *Step, task *Task, outbound *value.Map, onSuccess, onError, onComplete *dsl.OnClause) ([]chosenTransition, error) {
	view := dataView(s.Execution, outbound, task)
	h := host{step: s, task: task}
	var chosen []chosenTransition
	take := func(c *dsl.OnClause, event string) error {
		if c == nil {
			return nil
		}
		for _, tr := range c.Next {
			if tr.Guard != nil {
				ok, err := m.eval.Evaluate(ctx, tr.Guard, view, h)
				if err != nil {
					return fmt.Errorf("Failed to evaluate the %s condition of task %q for %q: %v", event, task.Name, tr.Target, err)
				}
				if !truthy(ok) {
					continue
				}
			}
			params := value.NewMap(0)
			if tr.Params.Len() > 0 {
				p, err := m.eval.Evaluate(ctx, tr.Params, view, h)
				if err != nil {
					return fmt.Errorf("Failed to evaluate the parameters of %q in task %q: %v", tr.Target, task.Name, err)
				}
				params = p.(*value.Map)
			}
			chosen = append(chosen, chosenTransition{target: tr.Target, params: params, event: event})
		}
		return nil
	}
	var err error
	switch task.State {
	case StateError:
		err = take(onError, eventOnError)
	case StateSuccess:
		err = take(onSuccess, eventOnSuccess)
	}
	if err != nil {
		return nil, err
	}
	if task.State.IsCompleted() && task.State != StateCancelled {
		if err := take(onComplete, eventOnComplete); err != nil {
			return nil, err
		}
	}
	return chosen, nil
}

// truthy is Python's bool() of a value, which Mistral applies to guards.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case int64:
		return t != 0
	case float64:
		return t != 0
	case []any:
		return len(t) > 0
	case *value.Map:
		return t.Len() > 0
	}
	return true
}

// checkComplete ends the workflow when nothing is left to run: SUCCESS
// when every task error was handled, ERROR otherwise.
func (m *Machine) checkComplete(ctx context.Context, s *Step) error {
	ex := s.Execution
	if ex.State != StateRunning || ex.Runtime.ActiveTasks > 0 {
		return nil
	}
	if ex.Runtime.WaitingJoins > 0 {
		if err := m.failWaitingJoins(ctx, s); err != nil {
			return err
		}
		if ex.State != StateRunning || ex.Runtime.ActiveTasks > 0 {
			return nil // a failed join's on-error runs first
		}
	}
	if len(ex.Runtime.CancelledTasks) > 0 {
		// A cancelled task cancels the workflow, before any error counts.
		names := append([]string(nil), ex.Runtime.CancelledTasks...)
		sort.Strings(names)
		m.cancelWorkflow(s, "Cancelled tasks: "+strings.Join(names, ", "))
		return nil
	}
	if len(ex.Runtime.FailedTasks) > 0 {
		info, err := m.failInfo(ctx, s, ex.Runtime.FailedTasks)
		if err != nil {
			return err
		}
		m.failWorkflow(ctx, s, info)
		return nil
	}
	m.succeedWorkflow(ctx, s, "")
	return nil
}

// failWaitingJoins fails the joins still waiting when nothing else runs.
// join.go fails a join as soon as an inbound task ends elsewhere, so
// only a join whose inbound tasks wait on each other in a cycle gets
// here (Mistral's walk back from such a join never ends, and the workflow
// hangs RUNNING), or one of an execution that began before bora counted
// inbound tasks that end elsewhere. With nothing left running, no inbound
// task that did not arrive ever will.
func (m *Machine) failWaitingJoins(ctx context.Context, s *Step) error {
	ex := s.Execution
	waiting, err := s.reader.WaitingTasks(ctx, ex.ID)
	if err != nil {
		return fmt.Errorf("find waiting join tasks: %w", err)
	}
	// This step's copy of a join is the current one.
	for i, w := range waiting {
		if j := s.joins[w.Name]; j != nil && j.ID == w.ID {
			waiting[i] = j
		}
	}
	for _, j := range s.joins {
		if j.State == StateWaiting && !containsTask(waiting, j) {
			waiting = append(waiting, j)
		}
	}
	for _, task := range waiting {
		if task.State != StateWaiting || ex.State != StateRunning {
			continue // failing an earlier one failed this one too
		}
		t := s.spec.TaskByName[task.Name]
		if t == nil {
			return fmt.Errorf("waiting task %q of execution %s is not in the workflow spec", task.Name, ex.ID)
		}
		for _, in := range s.spec.InboundTasks(task.Name) {
			if !task.Runtime.hasArrived(in) && !slices.Contains(task.Runtime.JoinFailedFrom, in) {
				task.Runtime.JoinFailedFrom = append(task.Runtime.JoinFailedFrom, in)
			}
		}
		s.joins[task.Name] = task
		if err := m.failJoin(ctx, s, t, task); err != nil {
			return err
		}
	}
	return nil
}

func containsTask(list []*Task, t *Task) bool {
	for _, x := range list {
		if x.ID == t.ID {
			return true
		}
	}
	return false
}

// failInfo is Mistral's report of the unhandled task errors: each failed
// task by name with its state_info, then every action execution (and
// sub-workflow execution) of the task that ended in ERROR, each with its
// position among all of the task's runs — retries and reruns included, as
// Mistral lists task_ex.action_executions.
func (m *Machine) failInfo(ctx context.Context, s *Step, failed []FailedTask) (string, error) {
	sorted := append([]FailedTask(nil), failed...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	names := make([]string, len(sorted))
	for i, f := range sorted {
		names[i] = f.Name
	}
	// The actions this step changed may be newer than what the reader has.
	fresh := make(map[string]*ActionExecution, len(s.ChangedActions)+len(s.NewActions))
	for _, a := range s.ChangedActions {
		fresh[a.ID] = a
	}
	for _, a := range s.NewActions {
		fresh[a.ID] = a
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Failure caused by error in tasks: %s\n", strings.Join(names, ", "))
	for _, f := range sorted {
		info := f.StateInfo
		if info == "" {
			info = "None"
		}
		fmt.Fprintf(&b, "\n  %s [task_ex_id=%s] -> %s\n", f.Name, f.TaskID, info)
		actions, err := s.reader.TaskActions(ctx, f.TaskID)
		if err != nil {
			return "", fmt.Errorf("list the actions of failed task %s: %w", f.Name, err)
		}
		seen := make(map[string]bool, len(actions))
		for _, a := range actions {
			seen[a.ID] = true
		}
		for _, a := range s.NewActions {
			if !seen[a.ID] && a.TaskExecutionID == f.TaskID {
				actions = append(actions, a)
			}
		}
		for i, a := range actions {
			if c, ok := fresh[a.ID]; ok {
				a = c
			}
			if a.State == StateError {
				fmt.Fprintf(&b, "    [action_ex_id=%s, idx=%d]: %s\n", a.ID, i, errorText(a.Result))
			}
		}
		children, err := s.reader.TaskChildren(ctx, f.TaskID)
		if err != nil {
			return "", fmt.Errorf("list the sub-workflows of failed task %s: %w", f.Name, err)
		}
		for i, c := range children {
			if c.State != StateError {
				continue
			}
			var result any
			if out, ok := c.Output.(*value.Map); ok {
				result, _ = out.Get("result")
			}
			fmt.Fprintf(&b, "    [wf_ex_id=%s, idx=%d]: %s\n", c.ID, i, errorText(result))
		}
	}
	return b.String(), nil
}

// errorText is how Mistral prints a failed run's error: str() of it, or
// "Unknown" when there is none.
func errorText(v any) string {
	if v == nil {
		return "Unknown"
	}
	return value.PyStr(v)
}

// succeedWorkflow evaluates the output against the final context; without
// an output clause (or one that comes out empty) the context itself is
// the output, as in Mistral.
func (m *Machine) succeedWorkflow(ctx context.Context, s *Step, msg string) {
	ex := s.Execution
	final := mapOrEmpty(ex.Runtime.FinalContext)
	output, err := m.workflowOutput(ctx, s, s.spec.Output, final)
	if err != nil {
		m.failWorkflow(ctx, s, fmt.Sprintf("Failed to evaluate the workflow output: %v", err))
		return
	}
	ex.State = StateSuccess
	ex.StateInfo = msg
	ex.Output = output
	ex.Runtime.FinalContext = nil // no longer needed; keeps the row small
	s.touchExecution()
}

// failWorkflow ends the workflow in ERROR; the output is {"result": msg}
// merged with output-on-error (or the final context without one).
func (m *Machine) failWorkflow(ctx context.Context, s *Step, msg string) {
	ex := s.Execution
	final := mapOrEmpty(ex.Runtime.FinalContext)
	onError, err := m.workflowOutput(ctx, s, s.spec.OutputOnError, final)
	if err != nil {
		msg = fmt.Sprintf("Failed to evaluate expression in output-on-error! (output-on-error: '%s', exception: '%v' Cause: '%s'",
			value.PyStr(s.spec.OutputOnError), err, msg)
		onError = value.NewMap(0)
	}
	var resultMsg any
	if msg != "" {
		resultMsg = msg
	}
	out := value.MapOf("result", resultMsg)
	if d, ok := onError.(*value.Map); ok {
		out = value.MergeDicts(out, d)
	}
	ex.State = StateError
	ex.StateInfo = msg
	ex.Output = out
	ex.Runtime.FinalContext = nil
	s.touchExecution()
}

// cancelWorkflow ends the workflow CANCELLED; the output is
// {"result": msg} (null without a message), as Mistral sets it.
func (m *Machine) cancelWorkflow(s *Step, msg string) {
	ex := s.Execution
	var resultMsg any
	if msg != "" {
		resultMsg = msg
	}
	ex.State = StateCancelled
	ex.StateInfo = msg
	ex.Output = value.MapOf("result", resultMsg)
	ex.Runtime.FinalContext = nil
	s.touchExecution()
}

func (m *Machine) workflowOutput(ctx context.Context, s *Step, spec any, final *value.Map) (any, error) {
	if spec == nil {
		return final, nil
	}
	out, err := m.eval.Evaluate(ctx, spec, dataView(s.Execution, final, nil), host{step: s})
	if err != nil {
		return nil, err
	}
	if !truthy(out) {
		return final, nil
	}
	return out, nil
}
