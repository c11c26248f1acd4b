package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/workflow"
)

// Every endpoint that reads a JSON body answers a body that is not JSON,
// and a field of the wrong type, with a 400 whose message names the
// field, before it looks anything up.
func TestBodyErrorsNameTheField(t *testing.T) {
	api := newTestAPI(t)
	ex := storetest.Execution(t, api.store, nil)
	task := storetest.Task(t, api.store, ex, func(tk *workflow.Task) { tk.State = workflow.StateError })
	act := storetest.ActionExecution(t, api.store, task, nil)
	unknown := "5ad0e8a4-2f7c-4f86-9d55-3b1f4a3c2e11"
	tests := []struct {
		method, path, body, field string
	}{
		{"POST", "/v2/executions", `{"workflow_name": 5}`, "workflow_name"},
		{"POST", "/v2/executions", `{"workflow_name": "wf", "params": [1]}`, "params"},
		{"PUT", "/v2/executions/" + ex.ID, `{"description": 5}`, "description"},
		{"PUT", "/v2/executions/" + ex.ID, `{"state": true}`, "state"},
		{"PUT", "/v2/action_executions/" + act.ID, `{"state": 1}`, "state"},
		{"POST", "/v2/action_executions", `{"name": 5}`, "name"},
		{"POST", "/v2/action_executions", `{"name": "std.echo", "input": 5}`, "input"},
		{"POST", "/v2/environments", `{"name": 5}`, "name"},
		{"POST", "/v2/environments", `{"name": "e", "variables": 5}`, "variables"},
		{"PUT", "/v2/environments", `{"name": "missing", "description": 5}`, "description"},
		{"POST", "/v2/cron_triggers", `{"name": "x", "workflow_name": "wf", "pattern": 5}`, "pattern"},
		{"POST", "/v2/cron_triggers", `{"name": "x", "workflow_name": "wf", "pattern": "* * * * *", "remaining_executions": "two"}`, "remaining_executions"},
		{"PUT", "/v2/tasks/" + task.ID, `{"state": "RUNNING", "reset": "yes"}`, "reset"},
		{"PUT", "/v2/tasks/" + unknown, `{"state": "RUNNING", "reset": "yes"}`, "reset"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path+" "+tc.body, func(t *testing.T) {
			msg := requireFault(t, api.do(tc.method, tc.path, "application/json", tc.body), http.StatusBadRequest)
			require.Contains(t, msg, tc.field)
			msg = requireFault(t, api.do(tc.method, tc.path, "application/json", `{"`+tc.field+`": `), http.StatusBadRequest)
			require.Contains(t, msg, "JSON")
		})
	}
}
