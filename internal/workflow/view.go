package workflow

import (
	"context"
	"errors"
	"time"

	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/value"
)

// Keys of the internal entries Mistral keeps in data contexts.
const (
	keyExecution     = "__execution"
	keyEnv           = "__env"
	keyTaskExecution = "__task_execution"
)

// dataView builds what `$` means for an expression, as Mistral's
// ContextView does: the first source that has a key wins, in the order
// current task, ctx, environment, execution context, input.
func dataView(ex *Execution, ctx *value.Map, task *Task) *value.Map {
	view := value.NewMap(ex.Input.Len() + ex.Context.Len() + ctx.Len() + 2)
	view.Update(ex.Input)
	view.Update(ex.Context)
	env, _ := ex.Params.Get("env")
	if env == nil {
		env = value.NewMap(0)
	}
	view.Set(keyEnv, env)
	view.Update(ctx)
	if task != nil {
		view.Set(keyTaskExecution, value.MapOf("id", task.ID, "name", task.Name))
	}
	return view
}

// host answers Mistral's functions that read the execution (task(),
// tasks(), execution(), executions(), global()) for expressions evaluated
// in a step, through the step's Reader: inside the engine's transaction.
type host struct {
	step *Step
	task *Task // the current task, or nil outside a task
}

func (h host) Task(ctx context.Context, name string) (any, error) {
	if name == "" || (h.task != nil && name == h.task.Name) {
		if h.task == nil {
			return nil, errors.New("task() without a name is only valid inside a task")
		}
		return taskDict(h.task), nil
	}
	t, err := h.step.reader.TaskByName(ctx, h.step.Execution.ID, name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, nil
	}
	return taskDict(t), nil
}

func (h host) Execution(ctx context.Context) (any, error) {
	d := executionDict(h.step.Execution)
	d.Delete("state")
	d.Delete("state_info")
	return d, nil
}

// Global implements expression.GlobalHost: a variable published with
// `publish: {global: ...}`, or null.
func (h host) Global(_ context.Context, name string) (any, error) {
	v, _ := h.step.Execution.Context.Get(name)
	return v, nil
}

// Tasks implements expression.TasksHost (Mistral's tasks()).
func (h host) Tasks(ctx context.Context, executionID string, recursive bool, state string, flat bool) (any, error) {
	var out []any
	var collect func(exID string, depth int) error
	collect = func(exID string, depth int) error {
		if depth > 100 {
			return errors.New("tasks(): sub-workflows nest deeper than 100 levels")
		}
		tasks, err := h.step.reader.ListTasks(ctx, exID, "")
		if err != nil {
			return err
		}
		for _, t := range tasks {
			isWorkflow := t.Type == TaskTypeWorkflow
			var child *Execution
			if isWorkflow && t.Runtime.ChildID != "" && (recursive || flat) {
				kids, err := h.step.reader.ListExecutions(ctx, t.Runtime.ChildID, "", "")
				if err != nil {
					return err
				}
				if len(kids) == 1 {
					child = kids[0]
				}
			}
			keep := state == "" || string(t.State) == state
			if flat && isWorkflow && child != nil && child.State == t.State {
				keep = false // Mistral's flat view drops a workflow task that mirrors its sub-workflow
			}
			if keep {
				out = append(out, taskDict(t))
			}
			if recursive && child != nil {
				if err := collect(child.ID, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := collect(executionID, 0); err != nil {
		return nil, err
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// Executions implements expression.ExecutionsHost (Mistral's executions()).
func (h host) Executions(ctx context.Context, f expression.ExecutionsFilter) (any, error) {
	list, err := h.step.reader.ListExecutions(ctx, f.ID, f.RootExecutionID, State(f.State))
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, ex := range list {
		created := ex.CreatedAt.UTC().Format(TimeLayout)
		if (f.FromTime != "" && created < f.FromTime) || (f.ToTime != "" && created >= f.ToTime) {
			continue
		}
		out = append(out, executionDict(ex))
	}
	return out, nil
}

func executionDict(ex *Execution) *value.Map {
	return value.MapOf(
		"id", ex.ID,
		"name", ex.WorkflowName,
		"spec", nil,
		"input", ex.Input,
		"params", ex.Params,
		"state", string(ex.State),
		"state_info", nullIfEmpty(ex.StateInfo),
		"created_at", timeString(ex.CreatedAt),
		"updated_at", timeString(ex.UpdatedAt),
		"root_execution_id", nullIfEmpty(ex.RootExecutionID),
	)
}

// taskDict is what Mistral's task() returns. A task with no accepted
// result yet (still running) has an empty list, as Mistral computes it
// from its accepted action executions.
func taskDict(t *Task) *value.Map {
	result := t.Result
	if result == nil && !t.State.IsCompleted() {
		result = []any{}
	}
	var published any = mapOrEmpty(t.Published)
	if t.Runtime.PublishedNull {
		published = nil
	}
	return value.MapOf(
		"id", t.ID,
		"name", t.Name,
		"spec", nil,
		"state", string(t.State),
		"state_info", nullIfEmpty(t.StateInfo),
		"result", result,
		"published", published,
		"type", t.Type,
		"workflow_execution_id", t.ExecutionID,
		"created_at", timeString(t.CreatedAt),
		"updated_at", timeString(t.UpdatedAt),
	)
}

// TimeLayout is how Mistral prints times.
const TimeLayout = "2006-01-02 15:04:05"

func timeString(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(TimeLayout)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func mapOrEmpty(m *value.Map) *value.Map {
	if m == nil {
		return value.NewMap(0)
	}
	return m
}
