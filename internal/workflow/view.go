package workflow

import (
	"context"
	"errors"
	"time"

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

// host answers task() and execution() for expressions evaluated in a step.
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
	ex := h.step.Execution
	return value.MapOf(
		"id", ex.ID,
		"name", ex.WorkflowName,
		"spec", nil,
		"input", ex.Input,
		"params", ex.Params,
		"created_at", timeString(ex.CreatedAt),
		"updated_at", timeString(ex.UpdatedAt),
		"root_execution_id", nullIfEmpty(ex.RootExecutionID),
	), nil
}

// Global implements expression.GlobalHost: a variable published with
// `publish: {global: ...}`, or null.
func (h host) Global(_ context.Context, name string) (any, error) {
	v, _ := h.step.Execution.Context.Get(name)
	return v, nil
}

// taskDict is what Mistral's task() returns.
func taskDict(t *Task) *value.Map {
	return value.MapOf(
		"id", t.ID,
		"name", t.Name,
		"spec", nil,
		"state", string(t.State),
		"state_info", nullIfEmpty(t.StateInfo),
		"result", t.Result,
		"published", mapOrEmpty(t.Published),
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
