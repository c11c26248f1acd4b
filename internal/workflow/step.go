package workflow

import (
	"context"
	"fmt"
	"slices"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/value"
)

// NewExecution builds the row for a new execution of spec, in state IDLE,
// with the input already checked by PrepareInput. Start runs it.
func NewExecution(id string, spec *dsl.Workflow, workflowID, namespace string, input, params *value.Map) *Execution {
	// Mistral's params start with namespace and env, in that order.
	ordered := value.NewMap(params.Len() + 2)
	ordered.Set("namespace", namespace)
	ordered.Set("env", value.NewMap(0))
	ordered.Update(params)
	params = ordered
	return &Execution{
		ID:                id,
		WorkflowID:        workflowID,
		WorkflowName:      spec.Name,
		WorkflowNamespace: namespace,
		Tags:              spec.Tags,
		ProjectID:         DefaultProjectID,
		State:             StateIdle,
		Input:             input,
		Params:            params,
		Context:           value.MapOf(keyExecution, value.MapOf("id", id)),
	}
}

// Start moves an IDLE execution to RUNNING: it evaluates vars and starts
// the tasks that no transition leads to.
func (m *Machine) Start(ctx context.Context, ex *Execution, spec *dsl.Workflow, r Reader) (*Step, error) {
	s := m.newStep(ex, spec, r)
	if ex.State != StateIdle {
		return s, nil // started already: a repeated start event changes nothing
	}
	ex.State = StateRunning
	s.touchExecution()

	if spec.Vars != nil {
		vars, err := m.eval.Evaluate(ctx, spec.Vars, dataView(ex, nil, nil), host{step: s})
		if err != nil {
			m.failWorkflow(ctx, s, fmt.Sprintf("Failed to evaluate workflow vars: %v", err))
			return s, nil
		}
		value.MergeDicts(ex.Context, vars.(*value.Map))
	}

	if spec.Type == dsl.TypeReverse {
		if err := m.startReverse(ctx, s); err != nil {
			return nil, err
		}
		if err := m.checkComplete(ctx, s); err != nil {
			return nil, err
		}
		return s, nil
	}
	inbound := inboundTargets(spec)
	for _, t := range spec.Tasks {
		if inbound[t.Name] {
			continue
		}
		if err := m.arrive(ctx, s, t, value.NewMap(0), ""); err != nil {
			return nil, err
		}
	}
	if err := m.checkComplete(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// inboundTargets names every task some transition leads to; the others
// are the start tasks.
func inboundTargets(spec *dsl.Workflow) map[string]bool {
	in := map[string]bool{}
	for _, t := range spec.Tasks {
		for _, c := range effectiveClauses(spec, t) {
			if c == nil {
				continue
			}
			for _, tr := range c.Next {
				in[tr.Target] = true
			}
		}
	}
	return in
}

func effectiveClauses(spec *dsl.Workflow, t *dsl.Task) [3]*dsl.OnClause {
	s, e, c := spec.EffectiveOnClauses(t)
	return [3]*dsl.OnClause{s, e, c}
}

// ActionResult is the outcome of an action execution.
type ActionResult struct {
	ActionExecutionID string
	State             State // SUCCESS, ERROR or CANCELLED
	Result            any
	StateInfo         string
}

// ApplyActionResult completes an action execution and its task, and
// takes the task's transitions. A result for an action that is no longer
// running is stale and changes nothing.
func (m *Machine) ApplyActionResult(ctx context.Context, ex *Execution, spec *dsl.Workflow, act *ActionExecution, res ActionResult, r Reader) (*Step, error) {
	s := m.newStep(ex, spec, r)
	if act.State.IsCompleted() && act.Accepted {
		return s, nil
	}
	if !act.State.IsCompleted() {
		act.State = res.State
		act.Result = res.Result
		act.StateInfo = res.StateInfo
	}
	if act.State == StateSuccess {
		// An ad-hoc action's output transforms apply to its base's result.
		chain, _, err := m.adhocChain(ctx, s, act.Name)
		if err != nil {
			return nil, err
		}
		if len(chain) > 0 {
			out, err := m.adhocOutput(ctx, chain, act.Result)
			if err != nil {
				act.State, act.Result = StateError, err.Error()
			} else {
				act.Result = out
			}
		}
	}
	act.Accepted = true
	s.ChangedActions = append(s.ChangedActions, act)

	if act.TaskExecutionID == "" {
		return s, nil // a standalone action run
	}
	task, err := r.Task(ctx, act.TaskExecutionID)
	if err != nil {
		return nil, fmt.Errorf("load task %s of action %s: %w", act.TaskExecutionID, act.ID, err)
	}
	if task.State != StateRunning || act.Attempt != task.Runtime.Attempt || act.Superseded {
		return s, nil // the task moved on: nothing to do
	}
	taskSpec := spec.TaskByName[task.Name]
	if taskSpec == nil {
		return nil, fmt.Errorf("task %q of execution %s is not in the workflow spec", task.Name, ex.ID)
	}
	if ex.State.IsCompleted() {
		// A fail or succeed command, or a cancel, ended the workflow while
		// this task ran: Mistral still completes the task (state, result,
		// publish) but its controller takes no transition of a completed
		// workflow.
		if task.Runtime.WithItems == nil && task.Runtime.ActionID == act.ID {
			m.completeAfterEnd(ctx, s, taskSpec, task, act)
		}
		return s, nil
	}
	if wi := task.Runtime.WithItems; wi != nil {
		wi.Running--
		if err := m.itemDone(ctx, s, taskSpec, task, act.State == StateSuccess); err != nil {
			return nil, err
		}
	} else {
		if task.Runtime.ActionID != act.ID {
			return s, nil
		}
		state, stateInfo := act.State, ""
		if state != StateSuccess {
			stateInfo = actionStateInfo(act)
		}
		if err := m.finishRun(ctx, s, taskSpec, task, state, act.Result, stateInfo); err != nil {
			return nil, err
		}
	}
	if err := m.checkComplete(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// completeAfterEnd completes a task whose workflow already ended: no
// policy, no transition, nothing the workflow's outcome depends on.
func (m *Machine) completeAfterEnd(ctx context.Context, s *Step, t *dsl.Task, task *Task, act *ActionExecution) {
	task.State, task.Result, task.StateInfo = act.State, act.Result, ""
	if act.State != StateSuccess {
		task.StateInfo = actionStateInfo(act)
	}
	if err := m.publishRun(ctx, s, t, task); err != nil {
		task.State, task.StateInfo = StateError, err.Error()
	}
	task.Processed = true
	s.touchTask(task)
	s.Execution.Runtime.ActiveTasks--
	s.touchExecution()
}

// actionStateInfo is the state_info a task takes from its failed action:
// the error, or the action's own state_info when there is none.
func actionStateInfo(act *ActionExecution) string {
	if act.Result != nil {
		return value.PyStr(act.Result)
	}
	return act.StateInfo
}

// arrive handles a transition (or the start) reaching task t with the
// given context. A plain task starts a new task execution; a join task
// counts the arrival on its WAITING execution and starts when enough
// inbound transitions arrived (see join.go for when it fails instead).
func (m *Machine) arrive(ctx context.Context, s *Step, t *dsl.Task, inCtx *value.Map, from string) error {
	ex := s.Execution
	if ex.State.IsCompleted() {
		return nil // a task that could not start already ended the workflow
	}
	if !t.Join.IsJoin() {
		if _, ok := ex.Runtime.Unreached[t.Name]; ok {
			delete(ex.Runtime.Unreached, t.Name) // it runs after all (a loop came back)
		}
		task := m.newTask(s, t, inCtx.Clone(), StateRunning)
		ex.Runtime.ActiveTasks++
		s.touchExecution()
		return m.beginTask(ctx, s, t, task)
	}

	task := s.joins[t.Name]
	if task != nil && task.State != StateWaiting {
		return nil // fired earlier in this step; see below
	}
	if task == nil {
		found, err := s.reader.WaitingTask(ctx, ex.ID, t.Name)
		if err != nil {
			return fmt.Errorf("find waiting join task %q: %w", t.Name, err)
		}
		task = found
	}
	if task == nil {
		// A join fires once: an arrival after it ran (the third of a
		// join: 2) finds no waiting task and is dropped, as in Mistral.
		last, err := s.reader.TaskByName(ctx, ex.ID, t.Name)
		if err != nil {
			return fmt.Errorf("find join task %q: %w", t.Name, err)
		}
		if last != nil && last.State != StateWaiting {
			return nil
		}
		task = m.newTask(s, t, value.NewMap(inCtx.Len()), StateWaiting)
		task.StateInfo = "Task is waiting." // Mistral's words for a deferred task
		// Inbound tasks that ended before the join had a task execution
		// were kept on the execution; from here the join counts them.
		if missed, ok := ex.Runtime.Unreached[t.Name]; ok {
			task.Runtime.JoinFailedFrom = slices.DeleteFunc(missed, func(n string) bool { return n == from })
			delete(ex.Runtime.Unreached, t.Name)
		}
		ex.Runtime.WaitingJoins++
		s.touchExecution()
	} else {
		s.touchTask(task)
	}
	s.joins[t.Name] = task

	if from != "" && task.Runtime.hasArrived(from) {
		return nil // a loop brought the same inbound task again; it counts once
	}
	// A loop may bring an inbound task that ended elsewhere before: its
	// latest run is the one that counts, as Mistral reads the latest.
	task.Runtime.JoinFailedFrom = slices.DeleteFunc(task.Runtime.JoinFailedFrom, func(n string) bool { return n == from })
	if task.Runtime.JoinArrived == 0 {
		value.MergeDicts(task.InContext, inCtx)
	} else {
		// Mistral's waiting join keeps the context of the first arrival
		// and gathers the others only when it fires: a join that fails
		// sees the first alone.
		task.Runtime.JoinContext = value.MergeDicts(task.Runtime.JoinContext, inCtx)
	}
	task.Runtime.arrive(from)
	return m.settleJoin(ctx, s, t, task)
}

func (m *Machine) newTask(s *Step, t *dsl.Task, inCtx *value.Map, state State) *Task {
	ex := s.Execution
	typ := TaskTypeAction
	if t.Workflow != "" {
		typ = TaskTypeWorkflow
	}
	task := &Task{
		ID:                m.newID(),
		ExecutionID:       ex.ID,
		RootExecutionID:   ex.RootID(),
		Name:              t.Name,
		Type:              typ,
		WorkflowName:      ex.WorkflowName,
		WorkflowID:        ex.WorkflowID,
		WorkflowNamespace: ex.WorkflowNamespace,
		ProjectID:         ex.ProjectID,
		State:             state,
		InContext:         inCtx,
	}
	s.addTask(task)
	return task
}

// actionInput evaluates the task's input and merges the inline params
// into it; a whole-expression input must give a dict.
func (m *Machine) actionInput(ctx context.Context, t *dsl.Task, view *value.Map, h host) (*value.Map, error) {
	var input *value.Map
	if t.Input != nil {
		v, err := m.eval.Evaluate(ctx, t.Input, view, h)
		if err != nil {
			return nil, fmt.Errorf("Failed to evaluate the input of task %q: %v", t.Name, err)
		}
		d, ok := v.(*value.Map)
		if !ok {
			return nil, fmt.Errorf("Wrong dynamic input for task: %s. Dict type is expected. Actual type: %s. Actual value: %s",
				t.Name, value.TypeName(v), value.PyStr(v))
		}
		input = d
	}
	if t.InlineInput.Len() > 0 {
		inline, err := m.eval.Evaluate(ctx, t.InlineInput, view, h)
		if err != nil {
			return nil, fmt.Errorf("Failed to evaluate the inline parameters of task %q: %v", t.Name, err)
		}
		// Mistral merges the inline params into the input (merge_dicts with
		// overwrite), so on a conflict the inline value wins.
		input = value.MergeDicts(input, inline.(*value.Map))
	}
	if input == nil {
		input = value.NewMap(0)
	}
	return input, nil
}

func (m *Machine) evalString(ctx context.Context, s string, view *value.Map, h host) (string, error) {
	if s == "" || !expression.ContainsExpression(s) {
		return s, nil
	}
	v, err := m.eval.Evaluate(ctx, s, view, h)
	if err != nil {
		return "", err
	}
	if v == nil {
		return "", nil
	}
	return value.PyStr(v), nil
}
