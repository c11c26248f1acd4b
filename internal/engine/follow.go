package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// inlineRunner holds, for one transaction, the steps still to absorb and
// the follow-ups still to apply (inline action results, finished
// sub-workflows), and the budget left for inline action runs. It is a
// queue, not recursion, so a long sequence does not grow the stack.
type inlineRunner struct {
	budget   int       // inline runs left
	deadline time.Time // no inline runs after it (wall clock: it bounds lock time)
	steps    []*workflow.Step
	pending  []followUp
}

func (e *Engine) engineRunner() *inlineRunner {
	return &inlineRunner{budget: e.opts.InlineBudget, deadline: time.Now().Add(e.opts.InlineTime)}
}

func (e *Engine) requestRunner() *inlineRunner {
	return &inlineRunner{budget: e.opts.RequestInlineBudget, deadline: time.Now().Add(e.opts.RequestInlineTime)}
}

// take spends one inline run of the budget, if any is left.
func (r *inlineRunner) take() bool {
	if r.budget <= 0 || time.Now().After(r.deadline) {
		return false
	}
	r.budget--
	return true
}

// followUp is one thing to apply in this transaction: exactly one field is set.
type followUp struct {
	action     *workflow.ActionExecution // an inline action finished
	child      *workflow.Execution       // a sub-workflow finished
	childState *workflow.Execution       // a sub-workflow paused or resumed
	childStart *childStartFailure        // a sub-workflow could not start
}

type childStartFailure struct {
	task *workflow.Task
	msg  string
}

// timerPayload is the payload of an EventTimer event.
type timerPayload struct {
	TaskID  string `json:"task_id"`
	Kind    string `json:"kind"`
	Attempt int    `json:"attempt"`
}

// absorb takes a step (may be nil) into the transaction and follows
// everything it causes until nothing is left to do in this transaction.
func (e *Engine) absorb(ctx context.Context, st *txState, run *inlineRunner, step *workflow.Step) error {
	if step != nil {
		run.steps = append(run.steps, step)
	}
	for len(run.steps) > 0 || len(run.pending) > 0 {
		if len(run.steps) > 0 {
			s := run.steps[0]
			run.steps = run.steps[1:]
			st.absorb(s)
			if err := e.follow(ctx, st, run, s); err != nil {
				return err
			}
			continue
		}
		f := run.pending[0]
		run.pending = run.pending[1:]
		next, err := e.applyFollowUp(ctx, st, f)
		if err != nil {
			return err
		}
		run.steps = append(run.steps, next)
		if f.childState != nil && next.Execution.State == workflow.StatePaused && next.PrevState == workflow.StateRunning {
			// A child that paused itself paused its parent; as Mistral's
			// pause of the parent, that pause reaches every other
			// sub-workflow still running below it.
			paused, err := e.pauseDescendants(ctx, st, next.Execution)
			if err != nil {
				return err
			}
			run.steps = append(run.steps, paused...)
		}
	}
	return nil
}

// pauseDescendants pauses the running sub-workflows below ex.
func (e *Engine) pauseDescendants(ctx context.Context, st *txState, ex *workflow.Execution) ([]*workflow.Step, error) {
	desc, err := e.descendants(ctx, st, ex)
	if err != nil {
		return nil, err
	}
	var steps []*workflow.Step
	for _, d := range desc {
		if d.State != workflow.StateRunning {
			continue
		}
		step, err := e.changeState(ctx, st, d, workflow.StatePaused, "")
		if err != nil {
			return nil, err
		}
		steps = append(steps, step)
	}
	return steps, nil
}

func (e *Engine) applyFollowUp(ctx context.Context, st *txState, f followUp) (*workflow.Step, error) {
	switch {
	case f.action != nil:
		act := f.action
		ex, spec, err := e.executionAndSpec(ctx, st, act.ExecutionID)
		if err != nil {
			return nil, err
		}
		step, err := e.machine.ApplyActionResult(ctx, ex, spec, act, resultOf(act), st)
		if err != nil {
			return nil, fmt.Errorf("apply inline result of action %s: %w", act.ID, err)
		}
		return step, nil
	case f.childState != nil:
		task, err := st.Task(ctx, f.childState.TaskExecutionID)
		if err != nil {
			return nil, fmt.Errorf("parent task %s of execution %s: %w", f.childState.TaskExecutionID, f.childState.ID, err)
		}
		ex, spec, err := e.executionAndSpec(ctx, st, task.ExecutionID)
		if err != nil {
			return nil, err
		}
		step, err := e.machine.ApplyChildState(ctx, ex, spec, f.childState, st)
		if err != nil {
			return nil, fmt.Errorf("apply the state of sub-workflow %s: %w", f.childState.ID, err)
		}
		return step, nil
	case f.child != nil:
		task, err := st.Task(ctx, f.child.TaskExecutionID)
		if err != nil {
			return nil, fmt.Errorf("parent task %s of execution %s: %w", f.child.TaskExecutionID, f.child.ID, err)
		}
		ex, spec, err := e.executionAndSpec(ctx, st, task.ExecutionID)
		if err != nil {
			return nil, err
		}
		step, err := e.machine.ApplyChildResult(ctx, ex, spec, f.child, st)
		if err != nil {
			return nil, fmt.Errorf("apply the result of sub-workflow %s: %w", f.child.ID, err)
		}
		return step, nil
	default:
		task := f.childStart.task
		ex, spec, err := e.executionAndSpec(ctx, st, task.ExecutionID)
		if err != nil {
			return nil, err
		}
		return e.machine.FailChildStart(ctx, ex, spec, task, f.childStart.msg, st)
	}
}

func (e *Engine) executionAndSpec(ctx context.Context, st *txState, exID string) (*workflow.Execution, *dsl.Workflow, error) {
	ex, err := st.execution(ctx, exID)
	if err != nil {
		return nil, nil, fmt.Errorf("execution %s: %w", exID, err)
	}
	spec, err := e.specFor(ctx, st.tx, ex)
	if err != nil {
		return nil, nil, err
	}
	return ex, spec, nil
}

// follow carries out a step's commands and, when the step completed a
// sub-workflow, queues its result for the parent task.
func (e *Engine) follow(ctx context.Context, st *txState, run *inlineRunner, step *workflow.Step) error {
	if ex := step.Execution; ex != nil && step.ExecutionChanged && ex.TaskExecutionID != "" {
		switch {
		case ex.State.IsCompleted():
			run.pending = append(run.pending, followUp{child: ex})
		case ex.State != step.PrevState && (ex.State == workflow.StatePaused || step.PrevState == workflow.StatePaused):
			run.pending = append(run.pending, followUp{childState: ex})
		}
	}
	for _, c := range step.Commands {
		switch c := c.(type) {
		case workflow.RunAction:
			e.runAction(ctx, st, run, c)
		case workflow.Timer:
			payload := mustJSON(timerPayload{TaskID: c.TaskID, Kind: c.Kind, Attempt: c.Attempt})
			st.events = append(st.events, &store.Event{
				ID: id.New(), ExecutionID: step.Execution.ID, RootID: step.Execution.RootID(), Kind: store.EventTimer,
				Payload: payload, AvailableAt: e.now().Add(c.Delay),
			})
		case workflow.StartWorkflow:
			if err := e.startChild(ctx, st, run, step.Execution, c); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown workflow command %T", c)
		}
	}
	return nil
}

// runAction runs an action inline when it can (queueing its result for
// this transaction, budget permitting), and otherwise leaves a work item
// for an executor.
func (e *Engine) runAction(ctx context.Context, st *txState, run *inlineRunner, cmd workflow.RunAction) {
	act := cmd.Action
	name, input := act.Name, act.Input
	if cmd.Call != "" { // an ad-hoc action: its base runs
		name, input = cmd.Call, cmd.CallInput
	}
	if act.Target == "" && e.actions.CanInline(name, input) {
		out := e.actions.Run(ctx, name, input, e.executionContext(act))
		if out.Async {
			act.Async = true
			return // stays RUNNING until the API completes it
		}
		c := completionOf(act.ID, act.Attempt, out)
		act.State, act.Result = c.State, c.Result
		if run.take() {
			run.pending = append(run.pending, followUp{action: act})
			return
		}
		// Over budget: the result waits for the next transaction, in one
		// event per execution that lists every such result.
		st.dirtyAction[act.ID] = true
		st.overflow(act)
		return
	}
	st.workItems = append(st.workItems, &store.WorkItem{
		ID: act.ID, ActionExecutionID: act.ID, ExecutionID: act.ExecutionID, Target: act.Target,
		Payload: mustJSON(action.Invocation{Action: name, Input: input, Attempt: act.Attempt, Execution: e.executionContext(act), SafeRerun: act.SafeRerun}),
		Attempt: act.Attempt,
	})
}

// subWorkflowDescription is the description Mistral gives every
// sub-workflow execution (execution-list shows it).
const subWorkflowDescription = "sub-workflow execution"

// startChild resolves a sub-workflow's definition, checks its input and
// starts it in this transaction, so the parent task and the child agree
// at every commit. A definition that is missing or an input that does not
// fit fails the parent task.
func (e *Engine) startChild(ctx context.Context, st *txState, run *inlineRunner, parent *workflow.Execution, c workflow.StartWorkflow) error {
	def, err := e.resolveChildDefinition(ctx, st.tx, parent, c.Name, c.Namespace)
	if err != nil {
		if isNotFound(err) {
			run.pending = append(run.pending, followUp{childStart: &childStartFailure{task: c.Task,
				msg: fmt.Sprintf("Failed to find workflow [name=%s] [namespace=%s]", c.Name, c.Namespace)}})
			return nil
		}
		return err
	}
	spec, err := e.definitionSpec(def)
	if err != nil {
		return err
	}
	input, err := workflow.PrepareInput(spec, c.Input)
	if err != nil {
		run.pending = append(run.pending, followUp{childStart: &childStartFailure{task: c.Task, msg: err.Error()}})
		return nil
	}
	child := workflow.NewExecution(c.ChildID, spec, def.ID, def.Namespace, input, c.Params)
	child.WorkflowName = def.Name
	child.TaskExecutionID = c.Task.ID
	if c.Item {
		child.Runtime.Item, child.Runtime.ItemIndex, child.Runtime.TaskAttempt = true, c.Index, c.Attempt
	}
	child.RootExecutionID = parent.RootID()
	child.Description = subWorkflowDescription
	child.Spec = def.Definition
	child.CreatedAt, child.UpdatedAt = e.now(), e.now()
	st.executions[child.ID] = child
	st.newExecutions = append(st.newExecutions, child)
	e.specs.put(child.ID, spec)
	step, err := e.machine.Start(ctx, child, spec, st)
	if err != nil {
		return fmt.Errorf("start sub-workflow %s of task %s: %w", def.Name, c.Task.ID, err)
	}
	run.steps = append(run.steps, step)
	if parent.State == workflow.StatePaused && child.State == workflow.StateRunning {
		// The parent paused in this transaction before its task's child
		// started (another child's pause command ran inline). In Mistral
		// the child starts with its task and the parent's pause reaches it
		// afterwards: it ends up paused, its first actions running.
		paused, err := e.machine.Pause(ctx, child, spec, "", st)
		if err != nil {
			return fmt.Errorf("pause sub-workflow %s of paused execution %s: %w", child.ID, parent.ID, err)
		}
		run.steps = append(run.steps, paused)
	}
	return nil
}

// resolveChildDefinition finds a sub-workflow: inside a workbook the
// workbook's own workflows come first ("local names first"), then the
// name in the parent's namespace, then in the default namespace.
func (e *Engine) resolveChildDefinition(ctx context.Context, q store.Queries, parent *workflow.Execution, name, namespace string) (*store.WorkflowDefinition, error) {
	var candidates []struct{ name, ns string }
	if i := strings.LastIndex(parent.WorkflowName, "."); i > 0 && !strings.Contains(name, ".") {
		candidates = append(candidates, struct{ name, ns string }{parent.WorkflowName[:i] + "." + name, namespace})
	}
	candidates = append(candidates, struct{ name, ns string }{name, namespace})
	if namespace != "" {
		candidates = append(candidates, struct{ name, ns string }{name, ""})
	}
	var lastErr error
	for _, c := range candidates {
		def, err := q.WorkflowDefinitionGet(ctx, c.name, c.ns)
		if err == nil {
			return def, nil
		}
		if !isNotFound(err) {
			return nil, fmt.Errorf("find workflow %q: %w", c.name, err)
		}
		lastErr = err
	}
	return nil, lastErr
}
