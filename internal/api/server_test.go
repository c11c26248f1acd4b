package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/value"
)

func TestVersions(t *testing.T) {
	api := newTestAPI(t)

	root := api.get("/")
	require.Equal(t, http.StatusOK, root.status)
	versions := getList(t, root.body, "versions")
	require.Len(t, versions, 1)
	v2 := versions[0].(*value.Map)
	require.Equal(t, "v2.0", get(t, v2, "id"))
	require.Equal(t, "CURRENT", get(t, v2, "status"))
	link := getList(t, v2, "links")[0].(*value.Map)
	require.Equal(t, "http://example.com/v2", get(t, link, "href"))

	for _, path := range []string{"/v2", "/v2/"} {
		res := api.get(path)
		require.Equal(t, http.StatusOK, res.status, path)
		require.Equal(t, "http://example.com/v2", get(t, res.body, "uri"))
	}
}

func TestUnroutedRequestsGetJSONFaults(t *testing.T) {
	api := newTestAPI(t)

	requireFault(t, api.get("/v2/no_such_collection"), http.StatusNotFound)
	requireFault(t, api.get("/v3"), http.StatusNotFound)

	res := api.do("DELETE", "/v2/executions", "", "")
	requireFault(t, res, http.StatusMethodNotAllowed)
	require.Contains(t, res.header.Get("Allow"), "GET")
	require.Contains(t, res.header.Get("Allow"), "POST")
}

func TestPanicIsA500AndTheServerGoesOn(t *testing.T) {
	api := newTestAPI(t)
	api.engine.panicOnCall = true

	msg := requireFault(t, api.postJSON("/v2/executions", `{"workflow_name": "wf"}`), http.StatusInternalServerError)

	require.NotContains(t, msg, "exploded")
	require.Contains(t, api.logs.String(), "engine exploded")
	require.Equal(t, http.StatusOK, api.get("/v2/executions").status)
}

func TestBodyTooLarge(t *testing.T) {
	api := newTestAPI(t)
	huge := `{"workflow_name": "wf", "description": "` + strings.Repeat("x", maxBodyBytes) + `"}`

	requireFault(t, api.postJSON("/v2/executions", huge), http.StatusRequestEntityTooLarge)
	require.Empty(t, api.engine.starts)
}
