package api

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

func TestFinishedItemResults(t *testing.T) {
	tests := []struct {
		name string
		runs []itemRun // in creation order
		want []any
	}{
		{"no runs", nil, []any{}},
		{"nothing finished yet", []itemRun{{index: 0}, {index: 1}}, []any{}},
		{
			"finished items in item order, not finishing order",
			[]itemRun{{index: 2, finished: true, result: "c"}, {index: 1}, {index: 0, finished: true, result: "a"}},
			[]any{"a", "c"},
		},
		{
			"a failed item shows its error",
			[]itemRun{{index: 0, finished: true, result: "boom"}, {index: 1, finished: true, result: "b"}},
			[]any{"boom", "b"},
		},
		{
			"an item run again is hidden until its new run ends",
			[]itemRun{{index: 0, finished: true, result: "a"}, {index: 1, finished: true, result: "bad"}, {index: 1}},
			[]any{"a"},
		},
		{
			"an item's latest run wins",
			[]itemRun{{index: 1, finished: true, result: "bad"}, {index: 0, finished: true, result: "a"}, {index: 1, finished: true, result: "good"}},
			[]any{"a", "good"},
		},
		{"a null result is a result", []itemRun{{index: 0, finished: true}}, []any{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, finishedItemResults(tt.runs))
		})
	}
}

// itemsTask stores a with-items task of four items in its second attempt.
func itemsTask(t *testing.T, api *testAPI, mutate func(*workflow.Task)) (*workflow.Execution, *workflow.Task) {
	t.Helper()
	ex := storetest.Execution(t, api.store, nil)
	task := storetest.Task(t, api.store, ex, func(task *workflow.Task) {
		task.Name = "t"
		task.Runtime.Attempt = 2
		task.Runtime.WithItems = &workflow.WithItemsState{Count: 4, Next: 4, Running: 1}
		if mutate != nil {
			mutate(task)
		}
	})
	return ex, task
}

// itemAction stores the action run of item index of task, created at
// T0+at so the rows' order is the test's, not the ids'.
func itemAction(t *testing.T, api *testAPI, task *workflow.Task, at, attempt, index int, state workflow.State, accepted bool, result any) {
	t.Helper()
	storetest.ActionExecution(t, api.store, task, func(a *workflow.ActionExecution) {
		a.Attempt, a.Index, a.State, a.Accepted, a.Result = attempt, index, state, accepted, result
		a.CreatedAt = storetest.T0.Add(time.Duration(at) * time.Millisecond)
		a.UpdatedAt = a.CreatedAt
	})
}

// itemChild stores the sub-workflow run of item index of task.
func itemChild(t *testing.T, api *testAPI, ex *workflow.Execution, task *workflow.Task, at, attempt, index int, state workflow.State, output *value.Map) {
	t.Helper()
	storetest.Execution(t, api.store, func(c *workflow.Execution) {
		c.WorkflowName = "child"
		c.TaskExecutionID = task.ID
		c.RootExecutionID = ex.ID
		c.State, c.Output = state, output
		c.Runtime.Item, c.Runtime.ItemIndex, c.Runtime.TaskAttempt = true, index, attempt
		c.CreatedAt = storetest.T0.Add(time.Duration(at) * time.Millisecond)
		c.UpdatedAt = c.CreatedAt
	})
}

func TestGetRunningWithItemsTaskShowsFinishedItems(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, api *testAPI) *workflow.Task
		want  string
	}{
		{
			name: "no item finished yet",
			setup: func(t *testing.T, api *testAPI) *workflow.Task {
				_, task := itemsTask(t, api, nil)
				itemAction(t, api, task, 0, 2, 0, workflow.StateRunning, false, nil)
				return task
			},
			want: `[]`,
		},
		{
			name: "actions: the current attempt's finished items in item order, failed ones included",
			setup: func(t *testing.T, api *testAPI) *workflow.Task {
				_, task := itemsTask(t, api, nil)
				itemAction(t, api, task, 0, 1, 0, workflow.StateSuccess, true, "first attempt")
				itemAction(t, api, task, 1, 2, 2, workflow.StateSuccess, true, value.MapOf("v", "c"))
				itemAction(t, api, task, 2, 2, 0, workflow.StateError, true, "boom")
				itemAction(t, api, task, 3, 2, 1, workflow.StateRunning, false, nil)
				// Recorded but not yet taken by the task: not its result yet.
				itemAction(t, api, task, 4, 2, 3, workflow.StateSuccess, false, "raw")
				return task
			},
			want: `["boom", {"v": "c"}]`,
		},
		{
			name: "actions: a failed item run again without reset shows once its new run ends",
			setup: func(t *testing.T, api *testAPI) *workflow.Task {
				_, task := itemsTask(t, api, nil)
				itemAction(t, api, task, 0, 2, 0, workflow.StateSuccess, true, "a")
				itemAction(t, api, task, 1, 2, 1, workflow.StateError, true, "bad")
				itemAction(t, api, task, 2, 2, 2, workflow.StateError, true, "bad too")
				itemAction(t, api, task, 3, 2, 1, workflow.StateSuccess, true, "good")
				itemAction(t, api, task, 4, 2, 2, workflow.StateRunning, false, nil)
				return task
			},
			want: `["a", "good"]`,
		},
		{
			name: "sub-workflows: outputs of the ended children of the current attempt in item order",
			setup: func(t *testing.T, api *testAPI) *workflow.Task {
				ex, task := itemsTask(t, api, func(task *workflow.Task) { task.Type = workflow.TaskTypeWorkflow })
				itemChild(t, api, ex, task, 0, 1, 0, workflow.StateSuccess, value.MapOf("x", "old"))
				itemChild(t, api, ex, task, 1, 2, 1, workflow.StateSuccess, value.MapOf("x", int64(2)))
				itemChild(t, api, ex, task, 2, 2, 0, workflow.StateError, value.MapOf("result", "failed"))
				itemChild(t, api, ex, task, 3, 2, 2, workflow.StateRunning, nil)
				itemChild(t, api, ex, task, 4, 2, 3, workflow.StatePaused, nil)
				// A child of the task that runs no item is not one of its items.
				storetest.Execution(t, api.store, func(c *workflow.Execution) {
					c.TaskExecutionID, c.State, c.Output = task.ID, workflow.StateSuccess, value.MapOf("x", "stray")
				})
				return task
			},
			want: `[{"result": "failed"}, {"x": 2}]`,
		},
		{
			name: "a paused with-items task shows its finished items too",
			setup: func(t *testing.T, api *testAPI) *workflow.Task {
				_, task := itemsTask(t, api, func(task *workflow.Task) { task.State = workflow.StatePaused })
				itemAction(t, api, task, 0, 2, 1, workflow.StateSuccess, true, "b")
				return task
			},
			want: `["b"]`,
		},
		{
			name: "a completed task shows the result written when it completed",
			setup: func(t *testing.T, api *testAPI) *workflow.Task {
				_, task := itemsTask(t, api, func(task *workflow.Task) {
					task.State, task.Result = workflow.StateSuccess, []any{"final"}
				})
				itemAction(t, api, task, 0, 2, 0, workflow.StateSuccess, true, "other")
				return task
			},
			want: `["final"]`,
		},
		{
			name: "a run held by a retry delay shows the result it ended with",
			setup: func(t *testing.T, api *testAPI) *workflow.Task {
				_, task := itemsTask(t, api, func(task *workflow.Task) {
					task.State, task.Result = workflow.StateDelayed, []any{"ended", "run"}
				})
				itemAction(t, api, task, 0, 2, 0, workflow.StateSuccess, true, "other")
				return task
			},
			want: `["ended", "run"]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)
			task := tt.setup(t, api)
			res := api.get("/v2/tasks/" + task.ID)
			require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
			require.Equal(t, tt.want, get(t, res.body, "result"))
		})
	}
}

// countingStore counts the reads of a task's runs.
type countingStore struct {
	store.Store
	reads atomic.Int64
}

func (s *countingStore) ActionExecutionList(ctx context.Context, p store.ActionExecutionListParams) ([]*workflow.ActionExecution, error) {
	s.reads.Add(1)
	return s.Store.ActionExecutionList(ctx, p)
}

func (s *countingStore) ExecutionList(ctx context.Context, p store.ExecutionListParams) ([]*workflow.Execution, error) {
	s.reads.Add(1)
	return s.Store.ExecutionList(ctx, p)
}

// Only a with-items task whose run has not ended costs a read of its
// runs, and only when its result is asked for; lists never show a result
// (Mistral's task lists have none) and so never read runs.
func TestTaskItemReadsOnlyWhenNeeded(t *testing.T) {
	api := newTestAPI(t)
	counting := &countingStore{Store: api.store}
	handler := New(counting, api.engine, Options{}).Handler()
	ex, running := itemsTask(t, api, nil)
	itemAction(t, api, running, 0, 2, 0, workflow.StateSuccess, true, "a")
	_, done := itemsTask(t, api, func(task *workflow.Task) {
		task.State, task.Result = workflow.StateSuccess, []any{"a"}
	})
	plain := storetest.Task(t, api.store, ex, nil)

	tests := []struct {
		name  string
		path  string
		reads int64
	}{
		{"running with-items task", "/v2/tasks/" + running.ID, 1},
		{"its result asked for", "/v2/tasks/" + running.ID + "?fields=id,result", 1},
		{"its result not asked for", "/v2/tasks/" + running.ID + "?fields=id,state", 0},
		{"completed with-items task", "/v2/tasks/" + done.ID, 0},
		{"running task without items", "/v2/tasks/" + plain.ID, 0},
		{"task list", "/v2/tasks", 0},
		{"execution's task list", "/v2/executions/" + ex.ID + "/tasks", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api.handler = handler
			counting.reads.Store(0)
			res := api.get(tt.path)
			require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
			require.Equal(t, tt.reads, counting.reads.Load())
			if list, ok := res.body.Get("tasks"); ok {
				for _, task := range list.([]any) {
					require.False(t, task.(*value.Map).Has("result"), "lists carry no result")
				}
			}
		})
	}
}

// The rerun's answer is read after the rerun, as Mistral's is: without
// reset, the items that succeeded keep their results and the failed ones,
// running again, show none yet.
func TestRerunWithoutResetShowsKeptItems(t *testing.T) {
	api := newTestAPI(t)
	_, task := itemsTask(t, api, func(task *workflow.Task) {
		task.State, task.Result = workflow.StateError, []any{"a", "bad"}
		task.Runtime.WithItems = &workflow.WithItemsState{Count: 2, Next: 2, Succeeded: 1, Failed: 1}
	})
	itemAction(t, api, task, 0, 2, 0, workflow.StateSuccess, true, "a")
	itemAction(t, api, task, 1, 2, 1, workflow.StateError, true, "bad")
	// The run the engine's rerun starts for the failed item.
	itemAction(t, api, task, 2, 2, 1, workflow.StateRunning, false, nil)

	res := api.putJSON("/v2/tasks/"+task.ID, `{"state": "RUNNING", "reset": false}`)

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	require.Equal(t, "RUNNING", get(t, res.body, "state"))
	require.Equal(t, `["a"]`, get(t, res.body, "result"))
}
