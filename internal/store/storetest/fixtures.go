package storetest

import (
	"testing"
	"time"

	"github.com/bora-workflow/bora/internal/id"
	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// T0 is the suite's fixed "now": times are passed explicitly, never read
// from the clock, so no test depends on timing.
var T0 = time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)

// Execution inserts a RUNNING root execution, after mutate (if any) has
// adjusted the defaults, and returns it as stored.
func Execution(t testing.TB, q store.Queries, mutate func(*workflow.Execution)) *workflow.Execution {
	t.Helper()
	ex := &workflow.Execution{
		ID:           id.New(),
		WorkflowID:   id.New(),
		WorkflowName: "wf",
		ProjectID:    workflow.DefaultProjectID,
		State:        workflow.StateRunning,
		Input:        value.NewMap(0),
		Params:       value.NewMap(0),
		Context:      value.NewMap(0),
		Version:      1,
		CreatedAt:    T0,
		UpdatedAt:    T0,
	}
	if mutate != nil {
		mutate(ex)
	}
	require.NoError(t, q.ExecutionInsert(t.Context(), ex))
	return ex
}

// Task inserts a RUNNING action task of execution ex, adjusted by mutate.
func Task(t testing.TB, q store.Queries, ex *workflow.Execution, mutate func(*workflow.Task)) *workflow.Task {
	t.Helper()
	task := &workflow.Task{
		ID:                id.New(),
		ExecutionID:       ex.ID,
		RootExecutionID:   ex.RootExecutionID,
		Name:              "task1",
		Type:              workflow.TaskTypeAction,
		WorkflowName:      ex.WorkflowName,
		WorkflowID:        ex.WorkflowID,
		WorkflowNamespace: ex.WorkflowNamespace,
		ProjectID:         ex.ProjectID,
		State:             workflow.StateRunning,
		InContext:         value.NewMap(0),
		Version:           1,
		CreatedAt:         T0,
		UpdatedAt:         T0,
	}
	if mutate != nil {
		mutate(task)
	}
	require.NoError(t, q.TaskInsert(t.Context(), task))
	return task
}

// ActionExecution inserts a RUNNING std.noop action execution of task,
// adjusted by mutate.
func ActionExecution(t testing.TB, q store.Queries, task *workflow.Task, mutate func(*workflow.ActionExecution)) *workflow.ActionExecution {
	t.Helper()
	a := &workflow.ActionExecution{
		ID:                id.New(),
		TaskExecutionID:   task.ID,
		ExecutionID:       task.ExecutionID,
		RootExecutionID:   task.RootExecutionID,
		WorkflowName:      task.WorkflowName,
		WorkflowNamespace: task.WorkflowNamespace,
		TaskName:          task.Name,
		Name:              "std.noop",
		ProjectID:         task.ProjectID,
		State:             workflow.StateRunning,
		Input:             value.NewMap(0),
		Attempt:           1,
		Version:           1,
		CreatedAt:         T0,
		UpdatedAt:         T0,
	}
	if mutate != nil {
		mutate(a)
	}
	require.NoError(t, q.ActionExecutionInsert(t.Context(), a))
	return a
}

// Event inserts an event for ex, due at T0 unless mutate says otherwise.
func Event(t testing.TB, q store.Queries, ex *workflow.Execution, mutate func(*store.Event)) *store.Event {
	t.Helper()
	ev := &store.Event{
		ID:          id.New(),
		ExecutionID: ex.ID,
		RootID:      ex.RootID(),
		Kind:        store.EventStart,
		Payload:     []byte(`{}`),
		AvailableAt: T0,
		CreatedAt:   T0,
	}
	if mutate != nil {
		mutate(ev)
	}
	require.NoError(t, q.EventInsert(t.Context(), ev))
	return ev
}

// WorkItem inserts an unleased work item for action a on the default
// target, available at T0 unless mutate says otherwise.
func WorkItem(t testing.TB, q store.Queries, a *workflow.ActionExecution, mutate func(*store.WorkItem)) *store.WorkItem {
	t.Helper()
	w := &store.WorkItem{
		ID:                a.ID,
		ActionExecutionID: a.ID,
		ExecutionID:       a.ExecutionID,
		Payload:           []byte(`{"action":"std.noop"}`),
		AvailableAt:       T0,
		Attempt:           a.Attempt,
		CreatedAt:         T0,
	}
	if mutate != nil {
		mutate(w)
	}
	require.NoError(t, q.WorkItemInsert(t.Context(), w))
	return w
}
