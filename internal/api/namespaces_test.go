package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

func TestListExecutionsByNamespace(t *testing.T) {
	api := newTestAPI(t)
	inDefault := storetest.Execution(t, api.store, nil)
	inNS1 := storetest.Execution(t, api.store, func(ex *workflow.Execution) { ex.WorkflowNamespace = "ns1" })

	ids := func(res response) []string {
		require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
		var out []string
		for _, e := range getList(t, res.body, "executions") {
			out = append(out, get(t, e.(*value.Map), "id").(string))
		}
		return out
	}
	require.ElementsMatch(t, []string{inDefault.ID, inNS1.ID}, ids(api.get("/v2/executions")))
	require.Equal(t, []string{inNS1.ID}, ids(api.get("/v2/executions?workflow_namespace=ns1")))
	require.Equal(t, []string{inDefault.ID}, ids(api.get("/v2/executions?workflow_namespace=")))
	next := api.get("/v2/executions?workflow_namespace=ns1&limit=1")
	require.Contains(t, get(t, next.body, "next"), "workflow_namespace=ns1")
}

// The same names live apart in two namespaces, for every kind of definition.
func TestNamespacesKeepDefinitionsApart(t *testing.T) {
	api := newTestAPI(t)
	for _, ns := range []string{"", "ns1"} {
		require.Equal(t, http.StatusCreated, api.postYAML("/v2/workflows?namespace="+ns, oneWorkflow).status)
		require.Equal(t, http.StatusCreated, api.postYAML("/v2/workbooks?namespace="+ns, sampleWorkbook).status)
		require.Equal(t, http.StatusCreated, api.postYAML("/v2/actions?namespace="+ns, twoActions).status)
	}
	require.Len(t, getList(t, api.get("/v2/workflows?namespace=ns1").body, "workflows"), 3)
	require.Len(t, getList(t, api.get("/v2/workflows?namespace=").body, "workflows"), 3)
	require.Len(t, getList(t, api.get("/v2/workflows").body, "workflows"), 6)

	// Deleting everything in ns1 leaves the default namespace whole.
	require.Equal(t, http.StatusNoContent, api.delete("/v2/workflows/solo?namespace=ns1").status)
	require.Equal(t, http.StatusNoContent, api.delete("/v2/workbooks/wb?namespace=ns1").status)
	require.Equal(t, http.StatusNoContent, api.delete("/v2/actions/my.hello/ns1").status)
	require.Equal(t, http.StatusNoContent, api.delete("/v2/actions/my.bye/ns1").status)
	require.Empty(t, getList(t, api.get("/v2/workflows?namespace=ns1").body, "workflows"))
	require.Empty(t, getList(t, api.get("/v2/actions?namespace=ns1").body, "actions"))
	require.Len(t, getList(t, api.get("/v2/workflows?namespace=").body, "workflows"), 3)
	require.Equal(t, []string{"my.bye", "my.hello", "wb.greet"}, actionNames(t, api.get("/v2/actions?is_system=false")))
}
