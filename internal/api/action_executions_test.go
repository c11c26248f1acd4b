package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// echoAction stores a finished std.echo action of the sample's task.
func echoAction(t *testing.T, api *testAPI) (*workflow.Task, *workflow.ActionExecution) {
	t.Helper()
	_, task := echoTask(t, api)
	a := storetest.ActionExecution(t, api.store, task, func(a *workflow.ActionExecution) {
		a.Name = "std.echo"
		a.State = workflow.StateSuccess
		a.Input = value.MapOf("output", "hi")
		a.Result = "hi"
		a.Accepted = true
	})
	return task, a
}

// asyncAction stores a RUNNING std.async_noop action waiting for its result.
func asyncAction(t *testing.T, api *testAPI) *workflow.ActionExecution {
	t.Helper()
	ex := storetest.Execution(t, api.store, func(ex *workflow.Execution) { ex.WorkflowName = "capture_async" })
	task := storetest.Task(t, api.store, ex, func(task *workflow.Task) { task.Name = "wait_external" })
	return storetest.ActionExecution(t, api.store, task, func(a *workflow.ActionExecution) {
		a.Name = "std.async_noop"
		a.Async = true
	})
}

func TestGetActionExecutionMatchesMistral(t *testing.T) {
	api := newTestAPI(t)
	_, want := loadSample(t, "GET_v2_action_executions_ID.json")
	task, a := echoAction(t, api)

	res := api.get("/v2/action_executions/" + a.ID)

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	require.Equal(t, want.Keys(), res.body.Keys())
	for _, k := range []string{"workflow_name", "workflow_namespace", "task_name", "state", "state_info",
		"tags", "name", "description", "project_id", "accepted", "input", "output"} {
		require.Equal(t, get(t, want, k), get(t, res.body, k), k)
	}
	require.Equal(t, task.ID, get(t, res.body, "task_execution_id"))

	viaTask := api.get("/v2/tasks/" + task.ID + "/action_executions/" + a.ID)
	require.Equal(t, http.StatusOK, viaTask.status)
	requireFault(t, api.get("/v2/tasks/other/action_executions/"+a.ID), http.StatusNotFound)
}

func TestListTaskActionExecutionsMatchesMistral(t *testing.T) {
	api := newTestAPI(t)
	sample, want := loadSample(t, "GET_v2_tasks_ID_action_executions.json")
	task, a := echoAction(t, api)
	asyncAction(t, api)

	_, query, _ := strings.Cut(sample.Request.Path, "?")
	res := api.get("/v2/tasks/" + task.ID + "/action_executions?" + query)

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	require.Equal(t, want.Keys(), res.body.Keys())
	got := getList(t, res.body, "action_executions")
	require.Len(t, got, 1)
	require.Equal(t, a.ID, get(t, got[0].(*value.Map), "id"))
	require.Equal(t, getList(t, want, "action_executions")[0].(*value.Map).Keys(), got[0].(*value.Map).Keys(),
		"no output in lists")

	all := api.get("/v2/action_executions?include_output=true")
	require.Len(t, getList(t, all.body, "action_executions"), 2)
	running := api.get("/v2/action_executions?state=RUNNING&include_output=1")
	list := getList(t, running.body, "action_executions")
	require.Len(t, list, 1)
	require.Nil(t, get(t, list[0].(*value.Map), "output"), "no output before the action completes")
	byTask := api.get("/v2/action_executions?task_execution_id=" + task.ID)
	require.Len(t, getList(t, byTask.body, "action_executions"), 1)
}

func TestCompleteActionMatchesMistral(t *testing.T) {
	api := newTestAPI(t)
	req, want := loadSample(t, "PUT_v2_action_executions_ID.json")
	a := asyncAction(t, api)

	res := api.putJSON("/v2/action_executions/"+a.ID, string(req.Request.Body))

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	// Mistral's answer lacks task_name; bora sends the whole resource.
	require.Equal(t, actionExecutionFields, res.body.Keys())
	withoutTaskName := res.body.Clone()
	withoutTaskName.Delete("task_name")
	require.Equal(t, want.Keys(), withoutTaskName.Keys())
	require.Equal(t, "wait_external", get(t, res.body, "task_name"))
	for _, k := range []string{"workflow_name", "state", "state_info", "tags", "name", "accepted", "input", "output"} {
		require.Equal(t, get(t, want, k), get(t, res.body, k), k)
	}
	require.Len(t, api.engine.completions, 1)
	c := api.engine.completions[0]
	require.Equal(t, a.ID, c.ActionExecutionID)
	require.Equal(t, 0, c.Attempt, "the API completes whatever attempt runs")
	require.Equal(t, workflow.StateSuccess, c.State)
	require.True(t, value.Equal(value.MapOf("answer", int64(42)), c.Result))
}

func TestCompleteActionReadsTheBody(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		state  workflow.State
		result any
	}{
		{"output as a JSON string", `{"state": "SUCCESS", "output": "{\"b\": 1, \"a\": [2]}"}`,
			workflow.StateSuccess, value.MapOf("b", int64(1), "a", []any{int64(2)})},
		{"output JSON text of a falsy value", `{"state": "SUCCESS", "output": "[]"}`, workflow.StateSuccess, value.NewMap(0)},
		{"output absent", `{"state": "SUCCESS"}`, workflow.StateSuccess, nil},
		{"error with details", `{"state": "ERROR", "output": {"code": 7}}`, workflow.StateError, value.MapOf("code", int64(7))},
		{"error without output", `{"state": "ERROR"}`, workflow.StateError, "Unknown error"},
		{"error with an empty output", `{"state": "ERROR", "output": ""}`, workflow.StateError, "Unknown error"},
		{"cancelled", `{"state": "CANCELLED", "output": "ignored"}`, workflow.StateCancelled, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)
			a := asyncAction(t, api)

			res := api.putJSON("/v2/action_executions/"+a.ID, tt.body)

			require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
			c := api.engine.completions[0]
			require.Equal(t, tt.state, c.State)
			require.True(t, value.Equal(tt.result, c.Result), "result %#v", c.Result)
			out, err := jsonText(value.MapOf("result", tt.result))
			require.NoError(t, err)
			require.Equal(t, out, get(t, res.body, "output"))
		})
	}
}

func TestCompleteActionRefusesBadInput(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"not JSON", `{"state": SUCCESS}`, http.StatusBadRequest},
		{"no state", `{"output": 1}`, http.StatusBadRequest},
		// Mistral's JsonType: JSON text that is not JSON, or not a dict.
		{"output text that is not JSON", `{"state": "SUCCESS", "output": "done"}`, http.StatusBadRequest},
		{"output that is not a dict", `{"state": "SUCCESS", "output": "[1, 2]"}`, http.StatusBadRequest},
		{"output a raw list", `{"state": "SUCCESS", "output": [1]}`, http.StatusBadRequest},
		{"unknown state", `{"state": "DONE"}`, http.StatusBadRequest},
		{"state of the wrong type", `{"state": 1}`, http.StatusBadRequest},
		{"unknown field", `{"state": "SUCCESS", "result": 1}`, http.StatusBadRequest},
		{"pause is not supported", `{"state": "PAUSED"}`, http.StatusNotImplemented},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)
			a := asyncAction(t, api)

			requireFault(t, api.putJSON("/v2/action_executions/"+a.ID, tt.body), tt.status)

			require.Empty(t, api.engine.completions)
			stored, err := api.store.ActionExecutionGet(t.Context(), a.ID)
			require.NoError(t, err)
			require.Equal(t, workflow.StateRunning, stored.State)
		})
	}
}

func TestCompleteActionEngineErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{"already completed", fmt.Errorf("action x is SUCCESS: %w", engine.ErrWrongState), http.StatusConflict},
		{"unknown action", fmt.Errorf("action x: %w", store.ErrNotFound), http.StatusNotFound},
		{"concurrent update", fmt.Errorf("action x: %w", store.ErrStale), http.StatusConflict},
		{"invalid result", fmt.Errorf("result: %w", engine.ErrInvalidInput), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)
			api.engine.completeErr = tt.err
			requireFault(t, api.putJSON("/v2/action_executions/some-id", `{"state": "SUCCESS", "output": {"r": 1}}`), tt.status)
		})
	}
}

func TestGetActionExecutionNotFound(t *testing.T) {
	api := newTestAPI(t)
	msg := requireFault(t, api.get("/v2/action_executions/nope"), http.StatusNotFound)
	require.Contains(t, msg, "nope")
}

// TestSupersededActionIsShownNotAccepted: a run a retry or a rerun set
// aside shows accepted false, as in Mistral, though the engine took its
// result (Accepted stays, so a second delivery is still dropped).
func TestSupersededActionIsShownNotAccepted(t *testing.T) {
	api := newTestAPI(t)
	task, kept := echoAction(t, api)
	aside := storetest.ActionExecution(t, api.store, task, func(a *workflow.ActionExecution) {
		a.State, a.Result, a.Accepted, a.Superseded = workflow.StateError, "bad", true, true
	})
	running := storetest.ActionExecution(t, api.store, task, nil)

	shown := map[string]any{}
	for _, item := range getList(t, api.get("/v2/action_executions?task_execution_id="+task.ID).body, "action_executions") {
		a := item.(*value.Map)
		shown[get(t, a, "id").(string)] = get(t, a, "accepted")
	}
	require.Equal(t, map[string]any{kept.ID: true, aside.ID: false, running.ID: false}, shown)
	require.Equal(t, false, get(t, api.get("/v2/action_executions/"+aside.ID).body, "accepted"))
}
