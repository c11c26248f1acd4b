package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

func TestUpdateExecution(t *testing.T) {
	api := newTestAPI(t)
	ex := storetest.Execution(t, api.store, nil)
	path := "/v2/executions/" + ex.ID

	res := api.putJSON(path, `{"state": "PAUSED"}`)
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Equal(t, "PAUSED", get(t, res.body, "state"))

	res = api.putJSON(path, `{"description": "renamed"}`)
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Equal(t, "renamed", get(t, res.body, "description"))

	// The client sends env inside params, as an object.
	res = api.putJSON(path, `{"params": {"env": {"k": "v"}}}`)
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	// Resume with a new env, and stop with a reason.
	res = api.putJSON(path, `{"state": "RUNNING", "params": "{\"env\": {\"a\": 1}}"}`)
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	res = api.putJSON(path, `{"state": "ERROR", "state_info": "stopped by hand"}`)
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)

	desc := "renamed"
	require.Equal(t, []engine.ExecutionUpdate{
		{ID: ex.ID, State: workflow.StatePaused},
		{ID: ex.ID, Description: &desc},
		{ID: ex.ID, Env: value.MapOf("k", "v")},
		{ID: ex.ID, State: workflow.StateRunning, Env: value.MapOf("a", int64(1))},
		{ID: ex.ID, State: workflow.StateError, StateInfo: "stopped by hand"},
	}, api.engine.updates)
}

func TestUpdateExecutionRefusals(t *testing.T) {
	api := newTestAPI(t)
	ex := storetest.Execution(t, api.store, nil)
	path := "/v2/executions/" + ex.ID
	for _, tc := range []struct {
		body, want string
		status     int
	}{
		{`{}`, "The property state, description, or env is not provided for update.", 400},
		{`{"params": {"env": {}}}`, "The property state, description, or env is not provided for update.", 400},
		{`{"state": "PAUSED", "description": "d"}`, "The property description must be updated separately from state.", 400},
		{`{"state": "PAUSED", "params": {"env": {"a": 1}}}`, "The property env can only be updated when workflow execution is not running or on resume from pause.", 400},
		{`{"state": "BOGUS"}`, "Cannot change state to BOGUS. Allowed states are: 'RUNNING, PAUSED, SUCCESS, ERROR, CANCELLED", 400},
		{`{"state": 5}`, "Invalid input for field/attribute state: expected a string, got integer.", 400},
		{`{"params": {"env": [1]}}`, "Invalid input for field/attribute env: expected a JSON object, got list.", 400},
		{`{"bogus": 1}`, `Unknown attribute "bogus" in the request body.`, 400},
		{`not json`, "The request body is not valid JSON", 400},
	} {
		msg := requireFault(t, api.putJSON(path, tc.body), tc.status)
		require.Contains(t, msg, tc.want, tc.body)
	}
	require.Empty(t, api.engine.updates, "nothing reached the engine")

	msg := requireFault(t, api.putJSON("/v2/executions/nope", `{"state": "PAUSED"}`), http.StatusNotFound)
	require.Equal(t, "WorkflowExecution not found [id=nope]", msg)

	// The engine's refusals keep their status; an env change on a running
	// execution is Mistral's 403.
	api.engine.updateErr = fmt.Errorf("%w: cannot pause", engine.ErrWrongState)
	requireFault(t, api.putJSON(path, `{"state": "PAUSED"}`), http.StatusConflict)
	api.engine.updateErr = fmt.Errorf("%w: running", engine.ErrInvalidInput)
	msg = requireFault(t, api.putJSON(path, `{"params": {"env": {"a": 1}}}`), http.StatusForbidden)
	require.Equal(t, "Updating env to workflow execution is only permitted if it is in IDLE, PAUSED, or ERROR state.", msg)
}
