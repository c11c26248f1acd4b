package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
)

const acceptedWorkflows = `---
version: '2.0'
retried:
  tasks:
    t:
      action: std.fail
      retry: {count: 2, delay: 0}
rerun:
  tasks:
    t:
      action: std.async_noop
`

// actionsShown lists the task's action executions as GET
// /v2/action_executions?task_execution_id= shows them, oldest first.
func (c client) actionsShown(taskID string) []*value.Map {
	c.t.Helper()
	code, body := c.do("GET", "/v2/action_executions?task_execution_id="+taskID, "", "")
	require.Equal(c.t, http.StatusOK, code, "%s", value.MustEncode(body))
	list, _ := body.Get("action_executions")
	var out []*value.Map
	for _, a := range list.([]any) {
		out = append(out, a.(*value.Map))
	}
	return out
}

func acceptedOf(t *testing.T, acts []*value.Map) []bool {
	t.Helper()
	out := make([]bool, len(acts))
	for i, a := range acts {
		v, ok := a.Get("accepted")
		require.True(t, ok, "no accepted in %s", value.MustEncode(a))
		out[i] = v.(bool)
	}
	return out
}

// onlyTask returns the id of the execution's one task.
func (c client) onlyTask(exID string) string {
	c.t.Helper()
	code, tasks := c.do("GET", "/v2/tasks?workflow_execution_id="+exID, "", "")
	require.Equal(c.t, http.StatusOK, code)
	list, _ := tasks.Get("tasks")
	require.Len(c.t, list, 1)
	return str(c.t, list.([]any)[0].(*value.Map), "id")
}

// TestAcceptedOfRetriedAndRerunActions checks what the API shows as
// accepted, the way Mistral 15 shows it: the failed runs that a retry or a
// rerun replaced are not accepted, the run whose result the task took is;
// a second result for a replaced run is refused and changes nothing.
func TestAcceptedOfRetriedAndRerunActions(t *testing.T) {
	t.Parallel()
	stores := map[string]func(testing.TB) store.Store{
		"sqlite":   storetest.OpenSQLite,
		"postgres": storetest.OpenPostgres,
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := startServer(t, open(t))
			code, body := c.do("POST", "/v2/workflows", "text/plain", acceptedWorkflows)
			require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(body))

			// retry: {count: 2}: three runs, only the last accepted.
			code, ex := c.do("POST", "/v2/executions", "application/json", `{"workflow_name": "retried"}`)
			require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(ex))
			exID := str(t, ex, "id")
			require.Equal(t, "ERROR", str(t, c.waitState(exID), "state"))
			taskID := c.onlyTask(exID)
			acts := c.actionsShown(taskID)
			require.Equal(t, []bool{false, false, true}, acceptedOf(t, acts))
			for _, a := range acts {
				require.Equal(t, "ERROR", str(t, a, "state"))
			}
			first := str(t, acts[0], "id")
			code, one := c.do("GET", "/v2/action_executions/"+first, "", "")
			require.Equal(t, http.StatusOK, code)
			require.Equal(t, []bool{false}, acceptedOf(t, []*value.Map{one}))
			code, viaTask := c.do("GET", fmt.Sprintf("/v2/tasks/%s/action_executions", taskID), "", "")
			require.Equal(t, http.StatusOK, code)
			list, _ := viaTask.Get("action_executions")
			require.Len(t, list, 3)

			// A late result for a replaced run is refused; nothing moves.
			code, body = c.do("PUT", "/v2/action_executions/"+first, "application/json", `{"state": "SUCCESS", "output": {"late": true}}`)
			require.GreaterOrEqual(t, code, 400, "%s", value.MustEncode(body))
			require.Less(t, code, 500)
			require.Equal(t, "ERROR", str(t, c.waitState(exID), "state"))
			require.Equal(t, []bool{false, false, true}, acceptedOf(t, c.actionsShown(taskID)))

			// A rerun with reset sets the failed run aside.
			code, ex = c.do("POST", "/v2/executions", "application/json", `{"workflow_name": "rerun"}`)
			require.Equal(t, http.StatusCreated, code)
			exID = str(t, ex, "id")
			failed := c.waitRunningAction(exID)
			code, body = c.do("PUT", "/v2/action_executions/"+failed, "application/json", `{"state": "ERROR", "output": {"bad": 1}}`)
			require.Equal(t, http.StatusOK, code, "%s", value.MustEncode(body))
			require.Equal(t, []bool{true}, acceptedOf(t, []*value.Map{body}))
			require.Equal(t, "ERROR", str(t, c.waitState(exID), "state"))
			taskID = c.onlyTask(exID)
			code, body = c.do("PUT", "/v2/tasks/"+taskID, "application/json",
				fmt.Sprintf(`{"id": %q, "state": "RUNNING", "reset": true}`, taskID))
			require.Equal(t, http.StatusOK, code, "%s", value.MustEncode(body))
			again := c.waitRunningAction(exID)
			require.NotEqual(t, failed, again)
			require.Equal(t, []bool{false, false}, acceptedOf(t, c.actionsShown(taskID)))
			code, body = c.do("PUT", "/v2/action_executions/"+again, "application/json", `{"state": "SUCCESS", "output": {"good": 1}}`)
			require.Equal(t, http.StatusOK, code, "%s", value.MustEncode(body))
			require.Equal(t, "SUCCESS", str(t, c.waitState(exID), "state"))
			require.Equal(t, []bool{false, true}, acceptedOf(t, c.actionsShown(taskID)))
		})
	}
}
