package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

const sampleWorkbook = `---
version: '2.0'
name: wb
tags: [big]

actions:
  greet:  # says hello
    description: says hello
    base: std.echo
    base-input:
      output: "Hello <% $.name %>"
    input:
      - name
      - punct: "!"

workflows:
  main:
    input:
      - who: world
    tasks:
      t1:
        action: greet name=<% $.who %>
        on-success: sub
      sub:
        workflow: helper

  helper:
    tasks:
      h:
        action: std.noop
`

func (a *testAPI) putYAML(path, body string) response {
	a.t.Helper()
	return a.do("PUT", path, "text/plain", body)
}

func (a *testAPI) delete(path string) response {
	a.t.Helper()
	return a.do("DELETE", path, "", "")
}

func TestCreateWorkbook(t *testing.T) {
	api := newTestAPI(t)
	api.server.now = func() time.Time { return time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC) }

	res := api.postYAML("/v2/workbooks", sampleWorkbook)

	require.Equal(t, http.StatusCreated, res.status, "body: %s", res.raw)
	// to_json(): the resource's attributes in order, unset ones left out.
	require.Equal(t, []string{"id", "name", "namespace", "definition", "tags", "scope", "project_id", "created_at"}, res.body.Keys())
	require.Equal(t, "wb", get(t, res.body, "name"))
	require.Equal(t, sampleWorkbook, get(t, res.body, "definition"), "the text as uploaded")
	require.Equal(t, []any{"big"}, get(t, res.body, "tags"))
	require.Equal(t, "private", get(t, res.body, "scope"))
	require.Equal(t, "2026-11-24 01:00:00", get(t, res.body, "created_at"))

	got := api.get("/v2/workbooks/wb")
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, workbookFields, got.body.Keys())
	require.Nil(t, get(t, got.body, "updated_at"))
	require.Equal(t, get(t, res.body, "id"), get(t, got.body, "id"))

	t.Run("its workflows are definitions named workbook.name", func(t *testing.T) {
		list := api.get("/v2/workflows?sort_keys=name")
		require.Equal(t, []string{"wb.helper", "wb.main"}, workflowNames(t, getList(t, list.body, "workflows")))
		main := api.get("/v2/workflows/wb.main")
		require.Equal(t, http.StatusOK, main.status)
		// Mistral's text: the lines cut out of the workbook, dedented.
		require.Equal(t, "main:\n  input:\n    - who: world\n  tasks:\n    t1:\n      action: greet name=<% $.who %>\n"+
			"      on-success: sub\n    sub:\n      workflow: helper\n", get(t, main.body, "definition"))
		require.Equal(t, `who="world"`, get(t, main.body, "input"))
		require.Equal(t, `{"input": [{"who": "world"}], "output": []}`, get(t, main.body, "interface"))
		require.Equal(t, "private", get(t, main.body, "scope"))
	})

	t.Run("stored definitions stand alone for the engine", func(t *testing.T) {
		for _, name := range []string{"wb.main", "wb.helper"} {
			def, err := api.store.WorkflowDefinitionGet(t.Context(), name, "")
			require.NoError(t, err)
			require.Equal(t, "wb", def.WorkbookName)
			doc, err := dsl.Parse("", []byte(def.Definition), dsl.Options{})
			require.NoError(t, err, def.Definition)
			require.Len(t, doc.Workflows, 1)
			require.Equal(t, name, doc.Workflows[0].Name, "the workflow under its full name")
		}
		a, err := api.store.ActionDefinitionGet(t.Context(), "wb.greet", "")
		require.NoError(t, err)
		require.Equal(t, "wb", a.WorkbookName)
		doc, err := dsl.Parse("", []byte(a.Definition), dsl.Options{Kind: dsl.KindActions})
		require.NoError(t, err, a.Definition)
		require.Len(t, doc.Actions, 1)
		require.Equal(t, "wb.greet", doc.Actions[0].Name)
		require.Equal(t, "std.echo", doc.Actions[0].Base)
	})

	t.Run("its actions are ad-hoc actions named workbook.name", func(t *testing.T) {
		res := api.get("/v2/actions/wb.greet")
		require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
		require.Equal(t, "wb.greet", get(t, res.body, "name"))
		require.Equal(t, false, get(t, res.body, "is_system"))
		require.Equal(t, `name, punct="!"`, get(t, res.body, "input"))
		require.Equal(t, "says hello", get(t, res.body, "description"))
		require.True(t, strings.HasPrefix(get(t, res.body, "definition").(string), "greet:  # says hello\n  description: says hello\n"),
			"Mistral's cut text, key comment kept: %q", get(t, res.body, "definition"))
	})
}

func TestUpdateWorkbookReplacesItsContents(t *testing.T) {
	api := newTestAPI(t)
	api.server.now = func() time.Time { return time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC) }
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/workbooks", sampleWorkbook).status)
	mainBefore, err := api.store.WorkflowDefinitionGet(t.Context(), "wb.main", "")
	require.NoError(t, err)
	// helper is renamed helper2 and main changed; the action goes away.
	changed := strings.ReplaceAll(sampleWorkbook, "helper", "helper2")
	changed = strings.Replace(changed, "who: world", "who: moon", 1)
	changed = changed[:strings.Index(changed, "actions:")] + changed[strings.Index(changed, "workflows:"):]
	changed = strings.Replace(changed, "action: greet name=<% $.who %>", "action: std.echo output=<% $.who %>", 1)
	api.server.now = func() time.Time { return time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC) }

	res := api.putYAML("/v2/workbooks", changed)

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	require.Equal(t, "2026-11-24 02:00:00", get(t, res.body, "updated_at"))
	require.Equal(t, "2026-11-24 01:00:00", get(t, res.body, "created_at"))
	require.Equal(t, changed, get(t, api.get("/v2/workbooks/wb").body, "definition"))
	list := api.get("/v2/workflows?sort_keys=name")
	require.Equal(t, []string{"wb.helper2", "wb.main"}, workflowNames(t, getList(t, list.body, "workflows")))
	main := api.get("/v2/workflows/wb.main")
	require.Equal(t, mainBefore.ID, get(t, main.body, "id"), "an updated workflow keeps its id")
	require.Equal(t, `who="moon"`, get(t, main.body, "input"))
	require.Equal(t, "2026-11-24 02:00:00", get(t, main.body, "updated_at"))
	requireFault(t, api.get("/v2/workflows/wb.helper"), http.StatusNotFound)
	requireFault(t, api.get("/v2/actions/wb.greet"), http.StatusNotFound)

	t.Run("unknown workbook", func(t *testing.T) {
		msg := requireFault(t, api.putYAML("/v2/workbooks", strings.Replace(changed, "name: wb", "name: nope", 1)), http.StatusNotFound)
		require.Equal(t, "Workbook not found [name=nope, namespace=]", msg)
	})
	t.Run("invalid definition changes nothing", func(t *testing.T) {
		requireFault(t, api.putYAML("/v2/workbooks", "version: '2.0'\nname: wb\nworkflows: [\n"), http.StatusBadRequest)
		require.Equal(t, changed, get(t, api.get("/v2/workbooks/wb").body, "definition"))
	})
}

func TestDeleteWorkbookDeletesItsContents(t *testing.T) {
	api := newTestAPI(t)
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/workbooks", sampleWorkbook).status)
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/workflows", oneWorkflow).status)

	res := api.delete("/v2/workbooks/wb")

	require.Equal(t, http.StatusNoContent, res.status, "body: %s", res.raw)
	requireFault(t, api.get("/v2/workbooks/wb"), http.StatusNotFound)
	list := api.get("/v2/workflows")
	require.Equal(t, []string{"solo"}, workflowNames(t, getList(t, list.body, "workflows")), "other workflows stay")
	requireFault(t, api.get("/v2/actions/wb.greet"), http.StatusNotFound)

	msg := requireFault(t, api.delete("/v2/workbooks/wb"), http.StatusNotFound)
	require.Equal(t, "Workbook not found [workbook_name=wb, namespace=]", msg)
}

func TestCreateWorkbookRefusesBadInput(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		body   string
		status int
		msg    string
	}{
		{"malformed YAML", "/v2/workbooks", "version: '2.0'\nname: x\nworkflows: [unclosed\n", http.StatusBadRequest, ""},
		{"no name", "/v2/workbooks", "version: '2.0'\nworkflows:\n  w:\n    tasks:\n      t:\n        action: std.noop\n", http.StatusBadRequest, ""},
		{"bad task", "/v2/workbooks", "version: '2.0'\nname: x\nworkflows:\n  w:\n    tasks: 5\n", http.StatusBadRequest, "line 5"},
		{"empty body", "/v2/workbooks", "", http.StatusBadRequest, ""},
		{"bad scope", "/v2/workbooks?scope=galaxy", sampleWorkbook, http.StatusBadRequest, "Scope must be"},
		{"existing name", "/v2/workbooks", sampleWorkbook, http.StatusConflict,
			"Duplicate entry for WorkbookDefinition ['name', 'namespace', 'project_id']: wb, , None"},
		// A workflow uploaded alone holds the name a workbook item would take.
		{"item name taken", "/v2/workbooks", strings.Replace(sampleWorkbook, "name: wb", "name: other", 1), http.StatusConflict,
			"Workflow other.main already exists in namespace '' and does not belong to workbook other; delete it first."},
		{"action named like a system action", "/v2/workbooks",
			"version: '2.0'\nname: std\nactions:\n  echo:\n    base: std.noop\n", http.StatusBadRequest,
			"Attempt to modify a system action: std.echo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)
			require.Equal(t, http.StatusCreated, api.postYAML("/v2/workbooks", sampleWorkbook).status)
			require.Equal(t, http.StatusCreated,
				api.postYAML("/v2/workflows", "version: '2.0'\nother.main:\n  tasks:\n    t:\n      action: std.noop\n").status)

			res := api.postYAML(tt.path, tt.body)

			msg := requireFault(t, res, tt.status)
			require.Contains(t, msg, tt.msg)
			wbs, err := api.store.WorkbookList(t.Context(), store.ListParams{})
			require.NoError(t, err)
			require.Len(t, wbs, 1, "bad input changed nothing")
			defs, err := api.store.WorkflowDefinitionList(t.Context(), store.ListParams{})
			require.NoError(t, err)
			require.Len(t, defs, 3, "bad input changed nothing")
			acts, err := api.store.ActionDefinitionList(t.Context(), store.ActionDefinitionListParams{})
			require.NoError(t, err)
			require.Len(t, acts, 1, "bad input changed nothing")
		})
	}
}

func TestWorkbooksInNamespaces(t *testing.T) {
	api := newTestAPI(t)
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/workbooks", sampleWorkbook).status)
	res := api.postYAML("/v2/workbooks?namespace=ns1", sampleWorkbook)
	require.Equal(t, http.StatusCreated, res.status, "the same name in another namespace: body %s", res.raw)
	require.Equal(t, "ns1", get(t, res.body, "namespace"))

	require.Equal(t, "ns1", get(t, api.get("/v2/workbooks/wb?namespace=ns1").body, "namespace"))
	require.Equal(t, "", get(t, api.get("/v2/workbooks/wb").body, "namespace"))
	require.Len(t, getList(t, api.get("/v2/workbooks").body, "workbooks"), 2, "no filter: every namespace")
	require.Len(t, getList(t, api.get("/v2/workbooks?namespace=ns1").body, "workbooks"), 1)
	require.Len(t, getList(t, api.get("/v2/workflows?namespace=ns1").body, "workflows"), 2)
	require.Equal(t, "ns1", get(t, api.get("/v2/workflows/wb.main?namespace=ns1").body, "namespace"))
	require.Equal(t, "ns1", get(t, api.get("/v2/actions/wb.greet/ns1").body, "namespace"))

	// Deleting in ns1 leaves the default namespace's workbook and contents.
	require.Equal(t, http.StatusNoContent, api.delete("/v2/workbooks/wb?namespace=ns1").status)
	requireFault(t, api.get("/v2/workbooks/wb?namespace=ns1"), http.StatusNotFound)
	requireFault(t, api.get("/v2/workflows/wb.main?namespace=ns1"), http.StatusNotFound)
	require.Equal(t, http.StatusOK, api.get("/v2/workbooks/wb").status)
	require.Equal(t, http.StatusOK, api.get("/v2/workflows/wb.main").status)
	require.Equal(t, http.StatusOK, api.get("/v2/actions/wb.greet").status)
}

func TestListWorkbooks(t *testing.T) {
	api := newTestAPI(t)
	for _, name := range []string{"c", "a", "b"} {
		res := api.postYAML("/v2/workbooks", strings.Replace(sampleWorkbook, "name: wb", "name: "+name, 1))
		require.Equal(t, http.StatusCreated, res.status, "body: %s", res.raw)
	}
	names := func(res response) []string {
		var out []string
		for _, e := range getList(t, res.body, "workbooks") {
			out = append(out, get(t, e.(*value.Map), "name").(string))
		}
		return out
	}
	require.Equal(t, []string{"c", "a", "b"}, names(api.get("/v2/workbooks")))
	page := api.get("/v2/workbooks?sort_keys=name&limit=2")
	require.Equal(t, []string{"a", "b"}, names(page))
	require.Contains(t, get(t, page.body, "next"), "marker=")
	fields := api.get("/v2/workbooks?fields=name")
	require.Equal(t, []string{"id", "name"}, getList(t, fields.body, "workbooks")[0].(*value.Map).Keys())
	requireFault(t, api.get("/v2/workbooks?bogus=1"), http.StatusBadRequest)
}

func TestValidateWorkbook(t *testing.T) {
	api := newTestAPI(t)
	ok := api.postYAML("/v2/workbooks/validate", sampleWorkbook)
	require.Equal(t, http.StatusOK, ok.status)
	require.Equal(t, true, get(t, ok.body, "valid"))
	bad := api.postYAML("/v2/workbooks/validate", "version: '2.0'\nname: x\nworkflows:\n  w:\n    tasks: 5\n")
	require.Equal(t, http.StatusOK, bad.status)
	require.Equal(t, false, get(t, bad.body, "valid"))
	require.Contains(t, get(t, bad.body, "error"), "line 5")
	// A workflow list is not a workbook.
	notWB := api.postYAML("/v2/workbooks/validate", oneWorkflow)
	require.Equal(t, false, get(t, notWB.body, "valid"))
}

// A workbook item whose cut text does not stand alone (flow style, a
// quoted key) is stored dumped again, and the API shows that text under
// the short name (Mistral would show the cut lines; the content is the same).
func TestWorkbookItemsThatDoNotCutCleanly(t *testing.T) {
	api := newTestAPI(t)
	const odd = `version: '2.0'
name: odd
workflows:
  "quoted":
    tasks:
      t:
        action: std.noop
  flow: {tasks: {x: {action: std.echo output=3}}}
`
	res := api.postYAML("/v2/workbooks", odd)
	require.Equal(t, http.StatusCreated, res.status, "body: %s", res.raw)
	for _, name := range []string{"odd.quoted", "odd.flow"} {
		def, err := api.store.WorkflowDefinitionGet(t.Context(), name, "")
		require.NoError(t, err)
		doc, err := dsl.Parse("", []byte(def.Definition), dsl.Options{})
		require.NoError(t, err, def.Definition)
		require.Equal(t, name, doc.Workflows[0].Name)
		require.Len(t, doc.Workflows[0].Tasks, 1)
	}
	require.Equal(t, "quoted:\n  tasks:\n    t:\n      action: std.noop\n",
		get(t, api.get("/v2/workflows/odd.quoted").body, "definition"))
}
