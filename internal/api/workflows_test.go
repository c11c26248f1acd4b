package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

// twoWorkflows is the document the real Mistral was given in the samples.
const twoWorkflows = `---
version: '2.0'

capture_echo:
  input:
    - msg: hello
  output:
    result: <% $.out %>
  tasks:
    say:
      action: std.echo output=<% $.msg %>
      publish:
        out: <% task().result %>

capture_async:
  description: task completed from outside via PUT /v2/action_executions/<id>
  output:
    got: <% $.got %>
  tasks:
    wait_external:
      action: std.async_noop
      publish:
        got: <% task().result %>
`

const oneWorkflow = `version: '2.0'
solo:
  input:
    - a
    - b: 2
    - c: [1, 2]
  tasks:
    t:
      action: std.noop
`

func workflowNames(t *testing.T, list []any) []string {
	t.Helper()
	var names []string
	for _, e := range list {
		names = append(names, get(t, e.(*value.Map), "name").(string))
	}
	return names
}

func TestCreateWorkflowsMatchesMistral(t *testing.T) {
	api := newTestAPI(t)
	_, want := loadSample(t, "POST_v2_workflows.json")

	res := api.postYAML("/v2/workflows?scope=private&namespace=", twoWorkflows)

	require.Equal(t, http.StatusCreated, res.status, "body: %s", res.raw)
	require.Equal(t, "application/json", res.header.Get("Content-Type"))
	wantList := getList(t, want, "workflows")
	gotList := getList(t, res.body, "workflows")
	require.Equal(t, []string{"capture_echo", "capture_async"}, workflowNames(t, gotList))
	for i := range wantList {
		w, g := wantList[i].(*value.Map), gotList[i].(*value.Map)
		require.Equal(t, w.Keys(), g.Keys(), "the keys Mistral sends, in its order")
		for _, k := range []string{"name", "namespace", "input", "tags", "scope", "project_id"} {
			require.Equal(t, get(t, w, k), get(t, g, k), k)
		}
		// The interface is an object in a write's answer.
		require.True(t, value.Equal(get(t, w, "interface"), get(t, g, "interface")),
			"interface: %v", value.MustEncode(get(t, g, "interface")))
		require.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`, get(t, g, "created_at"))
		require.Contains(t, get(t, g, "definition"), get(t, g, "name").(string)+":")
	}
}

func TestGetWorkflowMatchesMistral(t *testing.T) {
	api := newTestAPI(t)
	_, want := loadSample(t, "GET_v2_workflows_capture_echo.json")
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/workflows", twoWorkflows).status)

	res := api.get("/v2/workflows/capture_echo?namespace=")

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	require.Equal(t, want.Keys(), res.body.Keys())
	for _, k := range []string{"name", "namespace", "input", "interface", "tags", "scope", "project_id", "updated_at"} {
		require.Equal(t, get(t, want, k), get(t, res.body, k), k)
	}
	// By id as well as by name.
	byID := api.get("/v2/workflows/" + get(t, res.body, "id").(string))
	require.Equal(t, http.StatusOK, byID.status)
	require.Equal(t, "capture_echo", get(t, byID.body, "name"))
}

func TestWorkflowInputAndInterface(t *testing.T) {
	api := newTestAPI(t)
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/workflows", oneWorkflow).status)

	res := api.get("/v2/workflows/solo")

	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, `a, b="2", c="[1, 2]"`, get(t, res.body, "input"))
	require.Equal(t, `{"input": ["a", {"b": 2}, {"c": [1, 2]}], "output": []}`, get(t, res.body, "interface"))
}

func TestCreateWorkflowsRefusesBadInput(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		body   string
		status int
	}{
		{"malformed YAML", "/v2/workflows", "version: '2.0'\nwf: [unclosed\n", http.StatusBadRequest},
		{"not a workflow list", "/v2/workflows", "version: '2.0'\nwf:\n  tasks: 5\n", http.StatusBadRequest},
		{"empty body", "/v2/workflows", "", http.StatusBadRequest},
		{"bad scope", "/v2/workflows?scope=galaxy", oneWorkflow, http.StatusBadRequest},
		{"existing name", "/v2/workflows", oneWorkflow, http.StatusConflict},
		// The second workflow exists: the first must not be created either.
		{"existing name after a new one", "/v2/workflows",
			"version: '2.0'\nfresh:\n  tasks:\n    t:\n      action: std.noop\n" + strings.TrimPrefix(oneWorkflow, "version: '2.0'\n"),
			http.StatusConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)
			require.Equal(t, http.StatusCreated, api.postYAML("/v2/workflows", oneWorkflow).status)

			res := api.postYAML(tt.path, tt.body)

			requireFault(t, res, tt.status)
			defs, err := api.store.WorkflowDefinitionList(t.Context(), store.ListParams{})
			require.NoError(t, err)
			require.Len(t, defs, 1, "bad input changed nothing")
			require.Equal(t, "solo", defs[0].Name)
			// And the server keeps serving.
			require.Equal(t, http.StatusOK, api.get("/v2/workflows/solo").status)
		})
	}
}

func TestCreateWorkflowsInNamespace(t *testing.T) {
	api := newTestAPI(t)
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/workflows", oneWorkflow).status)
	// The same name in another namespace is another workflow.
	res := api.postYAML("/v2/workflows?namespace=ns1", oneWorkflow)
	require.Equal(t, http.StatusCreated, res.status, "body: %s", res.raw)
	require.Equal(t, "ns1", get(t, getList(t, res.body, "workflows")[0].(*value.Map), "namespace"))

	require.Equal(t, "ns1", get(t, api.get("/v2/workflows/solo?namespace=ns1").body, "namespace"))
	require.Equal(t, "", get(t, api.get("/v2/workflows/solo").body, "namespace"))
	list := api.get("/v2/workflows?namespace=ns1")
	require.Len(t, getList(t, list.body, "workflows"), 1)
}

func TestUpdateWorkflows(t *testing.T) {
	api := newTestAPI(t)
	api.server.now = func() time.Time { return time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC) }
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/workflows", oneWorkflow).status)
	changed := strings.Replace(oneWorkflow, "std.noop", "std.echo output=1", 1)
	changed = strings.Replace(changed, "    - a\n", "    - z\n", 1)
	api.server.now = func() time.Time { return time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC) }

	res := api.do("PUT", "/v2/workflows", "text/plain", changed)

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	got := getList(t, res.body, "workflows")[0].(*value.Map)
	require.Contains(t, get(t, got, "definition"), "std.echo")
	require.Equal(t, "2026-11-24 01:00:00", get(t, got, "created_at"))
	require.Equal(t, "2026-11-24 02:00:00", get(t, got, "updated_at"))
	stored := api.get("/v2/workflows/solo")
	require.Contains(t, get(t, stored.body, "definition"), "std.echo")
	require.Equal(t, "2026-11-24 02:00:00", get(t, stored.body, "updated_at"))
	require.Equal(t, `z, b="2", c="[1, 2]"`, get(t, stored.body, "input"), "the cached interface follows the update")

	t.Run("unknown workflow", func(t *testing.T) {
		res := api.do("PUT", "/v2/workflows", "text/plain", strings.Replace(oneWorkflow, "solo:", "nobody:", 1))
		requireFault(t, res, http.StatusNotFound)
	})
	t.Run("invalid definition", func(t *testing.T) {
		res := api.do("PUT", "/v2/workflows", "text/plain", "version: '2.0'\nsolo: [\n")
		requireFault(t, res, http.StatusBadRequest)
		require.Contains(t, get(t, api.get("/v2/workflows/solo").body, "definition"), "std.echo")
	})
}

func TestValidateWorkflows(t *testing.T) {
	api := newTestAPI(t)

	ok := api.postYAML("/v2/workflows/validate", oneWorkflow)
	require.Equal(t, http.StatusOK, ok.status)
	require.Equal(t, []string{"valid"}, ok.body.Keys())
	require.Equal(t, true, get(t, ok.body, "valid"))

	bad := api.postYAML("/v2/workflows/validate", "version: '2.0'\nwf: [\n")
	require.Equal(t, http.StatusOK, bad.status)
	require.Equal(t, false, get(t, bad.body, "valid"))
	require.NotEmpty(t, get(t, bad.body, "error"))

	// Validating stores nothing.
	requireFault(t, api.get("/v2/workflows/solo"), http.StatusNotFound)
}

func TestListWorkflows(t *testing.T) {
	api := newTestAPI(t)
	for _, name := range []string{"w1", "w2", "w3"} {
		doc := strings.Replace(oneWorkflow, "solo:", name+":", 1)
		require.Equal(t, http.StatusCreated, api.postYAML("/v2/workflows", doc).status)
	}

	all := api.get("/v2/workflows")
	require.Equal(t, http.StatusOK, all.status)
	require.Equal(t, []string{"workflows"}, all.body.Keys(), "no next link on the last page")
	require.Equal(t, []string{"w1", "w2", "w3"}, workflowNames(t, getList(t, all.body, "workflows")))

	page := api.get("/v2/workflows?limit=2&sort_keys=name&sort_dirs=desc")
	require.Equal(t, http.StatusOK, page.status, "body: %s", page.raw)
	require.Equal(t, []string{"w3", "w2"}, workflowNames(t, getList(t, page.body, "workflows")))
	next := get(t, page.body, "next").(string)
	require.True(t, strings.HasPrefix(next, "http://example.com/v2/workflows?"), next)

	rest := api.get(strings.TrimPrefix(next, "http://example.com"))
	require.Equal(t, http.StatusOK, rest.status, "body: %s", rest.raw)
	require.Equal(t, []string{"w1"}, workflowNames(t, getList(t, rest.body, "workflows")))

	// fields: only those (with id), plus the interface Mistral always adds.
	some := api.get("/v2/workflows?fields=name,scope")
	require.Equal(t, http.StatusOK, some.status)
	first := getList(t, some.body, "workflows")[0].(*value.Map)
	require.Equal(t, []string{"id", "name", "interface", "scope"}, first.Keys())
}

func TestListRefusesBadQueries(t *testing.T) {
	api := newTestAPI(t)
	for _, path := range []string{
		"/v2/workflows?limit=0",
		"/v2/workflows?limit=many",
		"/v2/workflows?sort_keys=definition",
		"/v2/workflows?sort_dirs=sideways",
		"/v2/workflows?sort_keys=name&sort_dirs=asc,desc",
		"/v2/workflows?fields=name,colour",
		"/v2/workflows?colour=blue",
		"/v2/executions?created_at=gt:yesterday",
		"/v2/executions?nulls=input",
		"/v2/executions?created_at=has:2026",
		"/v2/cron_triggers?remaining_executions=lt:many",
		"/v2/executions?include_output=perhaps",
		"/v2/tasks?flavour=x",
		"/v2/action_executions?fields=nope",
	} {
		t.Run(path, func(t *testing.T) {
			requireFault(t, api.get(path), http.StatusBadRequest)
		})
	}
	t.Run("marker that is not a UUID", func(t *testing.T) {
		requireFault(t, api.get("/v2/workflows?marker=no-such-id"), http.StatusBadRequest)
	})
	t.Run("unknown marker", func(t *testing.T) {
		requireFault(t, api.get("/v2/workflows?marker=5ad0e8a4-2f7c-4f86-9d55-3b1f4a3c2e11"), http.StatusNotFound)
	})
}

func TestDeleteWorkflow(t *testing.T) {
	api := newTestAPI(t)
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/workflows", oneWorkflow).status)

	res := api.do("DELETE", "/v2/workflows/solo", "", "")
	require.Equal(t, http.StatusNoContent, res.status)
	require.Empty(t, res.raw)

	requireFault(t, api.get("/v2/workflows/solo"), http.StatusNotFound)
	requireFault(t, api.do("DELETE", "/v2/workflows/solo", "", ""), http.StatusNotFound)
}

func TestUnknownWorkflow(t *testing.T) {
	api := newTestAPI(t)
	msg := requireFault(t, api.get("/v2/workflows/ghost"), http.StatusNotFound)
	require.Contains(t, msg, "ghost")
}

func TestUpdateWorkflowByIdentifier(t *testing.T) {
	api := newTestAPI(t)
	created := api.postYAML("/v2/workflows", oneWorkflow)
	require.Equal(t, http.StatusCreated, created.status)
	id := get(t, getList(t, created.body, "workflows")[0].(*value.Map), "id").(string)
	changed := strings.Replace(oneWorkflow, "std.noop", "std.echo output=1", 1)

	res := api.do("PUT", "/v2/workflows/"+id, "text/plain", changed)

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	require.Equal(t, id, get(t, res.body, "id"), "one workflow, not a list")
	require.Contains(t, get(t, res.body, "definition"), "std.echo")

	tests := []struct {
		name   string
		path   string
		body   string
		status int
	}{
		{"unknown id", "/v2/workflows/no-such-id", changed, http.StatusNotFound},
		{"another name", "/v2/workflows/" + id, strings.Replace(oneWorkflow, "solo:", "other:", 1), http.StatusBadRequest},
		{"two workflows", "/v2/workflows/" + id, twoWorkflows, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireFault(t, api.do("PUT", tt.path, "text/plain", tt.body), tt.status)
			require.Contains(t, get(t, api.get("/v2/workflows/solo").body, "definition"), "std.echo")
			requireFault(t, api.get("/v2/workflows/other"), http.StatusNotFound)
		})
	}
}

func TestStoredDefinitionThatNoLongerParses(t *testing.T) {
	api := newTestAPI(t)
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/workflows", oneWorkflow).status)
	require.NoError(t, api.store.WorkflowDefinitionCreate(t.Context(), &store.WorkflowDefinition{
		Name: "broken", Definition: "version: '2.0'\nbroken: [\n", Scope: scopePrivate,
	}))

	res := api.get("/v2/workflows")

	require.Equal(t, http.StatusOK, res.status, "one bad row does not break the list")
	require.Equal(t, []string{"solo", "broken"}, workflowNames(t, getList(t, res.body, "workflows")))
	one := api.get("/v2/workflows/broken")
	require.Equal(t, http.StatusOK, one.status)
	require.Equal(t, "", get(t, one.body, "input"))
	require.Equal(t, `{"input": [], "output": []}`, get(t, one.body, "interface"))
	require.Contains(t, api.logs.String(), "does not parse")
}
