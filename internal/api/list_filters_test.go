package api

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

func listIDs(t *testing.T, res response, collection string) []string {
	t.Helper()
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	var ids []string
	for _, item := range getList(t, res.body, collection) {
		ids = append(ids, get(t, item.(*value.Map), "id").(string))
	}
	return ids
}

// Mistral's filter operators, as `mistral <x>-list --filter` sends them.
func TestListFilterOperators(t *testing.T) {
	api := newTestAPI(t)
	a := storetest.Execution(t, api.store, func(ex *workflow.Execution) {
		ex.WorkflowName, ex.State, ex.Description, ex.CreatedAt = "alpha", workflow.StateSuccess, "nightly run", storetest.T0
	})
	b := storetest.Execution(t, api.store, func(ex *workflow.Execution) {
		ex.WorkflowName, ex.State, ex.CreatedAt = "beta", workflow.StateError, storetest.T0.Add(time.Hour)
		ex.RootExecutionID, ex.TaskExecutionID = a.ID, "t"
	})
	c := storetest.Execution(t, api.store, func(ex *workflow.Execution) {
		ex.WorkflowName, ex.State, ex.CreatedAt = "gamma", workflow.StateRunning, storetest.T0.Add(2*time.Hour)
	})
	at := func(d time.Duration) string {
		return url.QueryEscape(storetest.T0.Add(d).Format("2006-01-02 15:04:05"))
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"workflow_name=beta", []string{b.ID}},
		{"workflow_name=eq:beta", []string{b.ID}},
		{"workflow_name=neq:beta", []string{a.ID, c.ID}},
		{"state=in:SUCCESS,RUNNING", []string{a.ID, c.ID}},
		{"state=nin:SUCCESS,RUNNING", []string{b.ID}},
		{"created_at=gt:" + at(30*time.Minute), []string{b.ID, c.ID}},
		{"created_at=lte:" + at(time.Hour), []string{a.ID, b.ID}},
		{"created_at=gte:" + at(2*time.Hour) + "&workflow_name=gamma", []string{c.ID}},
		{"created_at=" + at(time.Hour), []string{b.ID}},
		{"created_at=gt:" + at(time.Hour), []string{c.ID}},
		{"created_at=lt:" + at(time.Hour), []string{a.ID}},
		{"description=has:night", []string{a.ID}},
		{"nulls=root_execution_id", []string{a.ID, c.ID}},
		{"nulls=", []string{a.ID, b.ID, c.ID}},
	} {
		require.Equal(t, tc.want, listIDs(t, api.get("/v2/executions?"+tc.query), "executions"), tc.query)
	}

	// The filters are carried into the `next` link.
	res := api.get("/v2/executions?state=in:SUCCESS,RUNNING&limit=1")
	require.Equal(t, []string{a.ID}, listIDs(t, res, "executions"))
	next, err := url.Parse(get(t, res.body, "next").(string))
	require.NoError(t, err)
	require.Equal(t, "in:SUCCESS,RUNNING", next.Query().Get("state"))
	require.Equal(t, []string{c.ID}, listIDs(t, api.get(next.RequestURI()), "executions"))

	// Attributes the handlers filtered by name alone now take operators
	// on the other lists too.
	res = api.postYAML("/v2/workflows", "version: '2.0'\none:\n  tasks:\n    a:\n      action: std.noop\ntwo:\n  tasks:\n    a:\n      action: std.noop\n")
	require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)
	res = api.get("/v2/workflows?name=two")
	require.Len(t, getList(t, res.body, "workflows"), 1)
	res = api.get("/v2/workflows?name=in:one,two,three")
	require.Len(t, getList(t, res.body, "workflows"), 2)
	task := storetest.Task(t, api.store, a, func(tk *workflow.Task) { tk.Name = "t1" })
	require.Equal(t, []string{task.ID}, listIDs(t, api.get("/v2/tasks?name=has:t&workflow_execution_id="+a.ID), "tasks"))

	msg := requireFault(t, api.get("/v2/executions?created_at=gt:soon"), http.StatusBadRequest)
	require.Contains(t, msg, "created_at")
	msg = requireFault(t, api.get("/v2/executions?colour=red"), http.StatusBadRequest)
	require.Contains(t, msg, `"colour"`)
	require.Contains(t, msg, "workflow_name")
}
