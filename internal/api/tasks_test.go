package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// echoTask stores the sample's execution and its finished task `say`.
func echoTask(t *testing.T, api *testAPI) (*workflow.Execution, *workflow.Task) {
	t.Helper()
	ex := storetest.Execution(t, api.store, func(ex *workflow.Execution) {
		ex.WorkflowName = "capture_echo"
		ex.State = workflow.StateSuccess
	})
	done := storetest.T0.Add(time.Second)
	task := storetest.Task(t, api.store, ex, func(task *workflow.Task) {
		task.Name = "say"
		task.State = workflow.StateSuccess
		task.Result = "hi"
		task.Published = value.MapOf("out", "hi")
		task.Processed = true
		task.StartedAt = &storetest.T0
		task.FinishedAt = &done
	})
	return ex, task
}

func TestGetTaskMatchesMistral(t *testing.T) {
	api := newTestAPI(t)
	_, want := loadSample(t, "GET_v2_tasks_ID.json")
	ex, task := echoTask(t, api)

	res := api.get("/v2/tasks/" + task.ID)

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	require.Equal(t, want.Keys(), res.body.Keys())
	for _, k := range []string{"name", "type", "workflow_name", "workflow_namespace", "tags", "state",
		"state_info", "project_id", "runtime_context", "result", "published", "processed"} {
		require.Equal(t, get(t, want, k), get(t, res.body, k), k)
	}
	require.Equal(t, ex.ID, get(t, res.body, "workflow_execution_id"))
	require.Equal(t, "2026-01-02 03:04:05", get(t, res.body, "started_at"))
	require.Equal(t, "2026-01-02 03:04:06", get(t, res.body, "finished_at"))
}

func TestTaskResultRendering(t *testing.T) {
	tests := []struct {
		name   string
		state  workflow.State
		result any
		want   string
	}{
		{"running, no result yet", workflow.StateRunning, nil, "[]"},
		{"finished with None", workflow.StateSuccess, nil, "null"},
		{"with-items results", workflow.StateSuccess, []any{int64(1), "two", 3.0}, `[1, "two", 3.0]`},
		{"a dict", workflow.StateError, value.MapOf("b", int64(1), "a", true), `{"b": 1, "a": true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)
			ex := storetest.Execution(t, api.store, nil)
			task := storetest.Task(t, api.store, ex, func(task *workflow.Task) {
				task.State, task.Result = tt.state, tt.result
			})
			res := api.get("/v2/tasks/" + task.ID)
			require.Equal(t, http.StatusOK, res.status)
			require.Equal(t, tt.want, get(t, res.body, "result"))
		})
	}
}

func TestListExecutionTasksMatchesMistral(t *testing.T) {
	api := newTestAPI(t)
	sample, want := loadSample(t, "GET_v2_executions_ID_tasks.json")
	ex, task := echoTask(t, api)
	other := storetest.Execution(t, api.store, nil)
	storetest.Task(t, api.store, other, nil)

	// The CLI's own query, on our execution.
	_, query, _ := strings.Cut(sample.Request.Path, "?")
	res := api.get("/v2/executions/" + ex.ID + "/tasks?" + query)

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	require.Equal(t, want.Keys(), res.body.Keys())
	got := getList(t, res.body, "tasks")
	require.Len(t, got, 1, "only the tasks of that execution")
	require.Equal(t, getList(t, want, "tasks")[0].(*value.Map).Keys(), got[0].(*value.Map).Keys())
	require.Equal(t, task.ID, get(t, got[0].(*value.Map), "id"))

	// /v2/tasks filters by execution too, and lists carry no result.
	all := api.get("/v2/tasks?workflow_execution_id=" + ex.ID)
	require.Equal(t, http.StatusOK, all.status, "body: %s", all.raw)
	list := getList(t, all.body, "tasks")
	require.Len(t, list, 1)
	require.False(t, list[0].(*value.Map).Has("result"))
	require.Len(t, getList(t, api.get("/v2/tasks").body, "tasks"), 2)
	require.Len(t, getList(t, api.get("/v2/tasks?name=say").body, "tasks"), 1)
}

func TestGetTaskNotFound(t *testing.T) {
	api := newTestAPI(t)
	msg := requireFault(t, api.get("/v2/tasks/nope"), http.StatusNotFound)
	require.Contains(t, msg, "nope")
}
