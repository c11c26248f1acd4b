package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

func TestRunAction(t *testing.T) {
	api := newTestAPI(t)

	// What `mistral run-action std.echo '{"output": "hi"}'` sends: the
	// action runs and its result comes back at once.
	res := api.postJSON("/v2/action_executions", `{"name": "std.echo", "input": "{\"output\": \"hi\"}"}`)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)
	require.Equal(t, actionExecutionFields, res.body.Keys())
	require.Equal(t, "SUCCESS", get(t, res.body, "state"))
	require.Equal(t, `{"result": "hi"}`, get(t, res.body, "output"))
	require.Nil(t, get(t, res.body, "workflow_name"))
	require.Nil(t, get(t, res.body, "task_name"))
	require.Nil(t, get(t, res.body, "task_execution_id"))

	res = api.postJSON("/v2/action_executions",
		`{"name": "std.echo", "input": {"output": 1}, "description": "d", "params": "{\"run_sync\": true, \"save_result\": true, \"target\": \"t1\"}"}`)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)
	require.Equal(t, []engine.StandaloneAction{
		{Name: "std.echo", Input: value.MapOf("output", "hi")},
		{Name: "std.echo", Input: value.MapOf("output", int64(1)), Target: "t1", Description: "d"},
	}, api.engine.standalone)

	for _, tc := range []struct {
		body, want string
		status     int
	}{
		{`{"input": "{}"}`, "Please provide at least action name to run action.", 400},
		{`{"name": "std.missing"}`, "Failed to find action [action_name=std.missing]", 400},
		{`{"name": "std.echo", "params": {"run_sync": "yes"}}`, "Invalid input for field/attribute params.run_sync: expected a boolean, got string.", 400},
		{`{"name": "std.echo", "params": {"bogus": 1}}`, `Unknown parameter "bogus" in params`, 400},
		{`{"name": "std.echo", "params": {"timeout": -1}}`, "params.timeout", 400},
		{`{"name": "std.echo", "input": "[1]"}`, "Invalid input for field/attribute input", 400},
		{`{"name": 3}`, "Invalid input for field/attribute name", 400},
	} {
		msg := requireFault(t, api.postJSON("/v2/action_executions", tc.body), tc.status)
		require.Contains(t, msg, tc.want, tc.body)
	}
}

// An action an executor runs is waited for (synchronous by default),
// up to the timeout; with save_result alone it is answered RUNNING.
func TestRunActionWaitsForTheExecutor(t *testing.T) {
	api := newTestAPI(t)
	res := api.postJSON("/v2/action_executions", `{"name": "std.sleep", "params": {"save_result": true}}`)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)
	require.Equal(t, "RUNNING", get(t, res.body, "state"))
	require.Nil(t, get(t, res.body, "output"))
	id := get(t, res.body, "id").(string)

	// An executor completes the action while the request waits.
	go func() {
		time.Sleep(50 * time.Millisecond)
		a, err := api.store.ActionExecutionGet(t.Context(), id)
		if err != nil {
			return
		}
		a.State, a.Result = workflow.StateSuccess, "done"
		_ = api.store.ActionExecutionUpdate(t.Context(), a)
	}()
	a, err := api.server.waitForAction(t.Context(), id, 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, workflow.StateSuccess, a.State)

	// A timeout answers with the row as it is.
	res = api.postJSON("/v2/action_executions", `{"name": "std.sleep", "params": {"run_sync": true, "timeout": 0.05}}`)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)
	require.Equal(t, "RUNNING", get(t, res.body, "state"))
}

func TestDeleteActionExecutionIsRefused(t *testing.T) {
	api := newTestAPI(t)
	msg := requireFault(t, api.do("DELETE", "/v2/action_executions/any", "", ""), http.StatusForbidden)
	require.Equal(t, "Action execution deletion is not allowed.", msg)
}
