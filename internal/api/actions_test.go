package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/value"
)

const twoActions = `---
version: '2.0'
my.hello:
  description: says hello
  base: std.echo output="hi <% $.name %>"
  input:
    - name
    - n: 2
    - opts: {a: [1, "x"]}
my.bye:
  base: std.noop
  tags: [t1]
`

func actionNames(t *testing.T, res response) []string {
	t.Helper()
	var out []string
	for _, e := range getList(t, res.body, "actions") {
		out = append(out, get(t, e.(*value.Map), "name").(string))
	}
	return out
}

func TestCreateActions(t *testing.T) {
	api := newTestAPI(t)
	api.server.now = func() time.Time { return time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC) }

	res := api.postYAML("/v2/actions", twoActions)

	require.Equal(t, http.StatusCreated, res.status, "body: %s", res.raw)
	require.Equal(t, []string{"my.hello", "my.bye"}, actionNames(t, res))
	hello := getList(t, res.body, "actions")[0].(*value.Map)
	require.Equal(t, []string{"id", "name", "is_system", "input", "description", "tags", "definition",
		"scope", "project_id", "created_at", "namespace"}, hello.Keys())
	require.Equal(t, false, get(t, hello, "is_system"))
	require.Equal(t, `name, n=2, opts={"a": [1, "x"]}`, get(t, hello, "input"), "defaults as JSON, as Mistral")
	require.Equal(t, twoActions, get(t, hello, "definition"), "the whole uploaded text, as Mistral")
	bye := getList(t, res.body, "actions")[1].(*value.Map)
	// Mistral leaves these out and its client then fails; bora sends null.
	require.Nil(t, get(t, bye, "input"))
	require.Nil(t, get(t, bye, "description"))
	require.Equal(t, []any{"t1"}, get(t, bye, "tags"))

	got := api.get("/v2/actions/my.hello")
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, actionFields, got.body.Keys())
	require.Equal(t, get(t, hello, "id"), get(t, got.body, "id"))
	require.Nil(t, get(t, got.body, "updated_at"))
	byID := api.get("/v2/actions/" + get(t, hello, "id").(string))
	require.Equal(t, "my.hello", get(t, byID.body, "name"))

	// The engine parses the stored text and finds the action by its name.
	a, err := api.store.ActionDefinitionGet(t.Context(), "my.bye", "")
	require.NoError(t, err)
	doc, err := dsl.Parse("", []byte(a.Definition), dsl.Options{Kind: dsl.KindActions})
	require.NoError(t, err)
	require.Equal(t, "my.bye", doc.Actions[1].Name)
}

func TestCreateActionsRefusesBadInput(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		body   string
		status int
		msg    string
	}{
		{"malformed YAML", "/v2/actions", "version: '2.0'\na: [unclosed\n", http.StatusBadRequest, ""},
		{"no base", "/v2/actions", "version: '2.0'\na:\n  input: [x]\n", http.StatusBadRequest, ""},
		{"empty body", "/v2/actions", "", http.StatusBadRequest, ""},
		{"bad scope", "/v2/actions?scope=galaxy", twoActions, http.StatusBadRequest, "Scope must be"},
		{"existing name", "/v2/actions", twoActions, http.StatusConflict,
			"Duplicate entry for Action ['name', 'namespace', 'project_id']: my.hello, , None"},
		{"a new one then an existing one", "/v2/actions",
			"version: '2.0'\nfresh:\n  base: std.noop\nmy.bye:\n  base: std.noop\n", http.StatusConflict, "my.bye"},
		{"system name", "/v2/actions", "version: '2.0'\nstd.echo:\n  base: std.noop\n", http.StatusBadRequest,
			"Attempt to modify a system action: std.echo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)
			require.Equal(t, http.StatusCreated, api.postYAML("/v2/actions", twoActions).status)

			msg := requireFault(t, api.postYAML(tt.path, tt.body), tt.status)

			require.Contains(t, msg, tt.msg)
			require.Equal(t, []string{"my.bye", "my.hello"}, actionNames(t, api.get("/v2/actions?is_system=false")),
				"bad input changed nothing")
		})
	}
}

func TestUpdateActions(t *testing.T) {
	api := newTestAPI(t)
	api.server.now = func() time.Time { return time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC) }
	created := api.postYAML("/v2/actions", twoActions)
	require.Equal(t, http.StatusCreated, created.status)
	helloID := get(t, getList(t, created.body, "actions")[0].(*value.Map), "id")
	api.server.now = func() time.Time { return time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC) }
	changed := strings.Replace(twoActions, "says hello", "greets", 1)

	res := api.putYAML("/v2/actions", changed)

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	hello := getList(t, res.body, "actions")[0].(*value.Map)
	require.Equal(t, helloID, get(t, hello, "id"))
	require.Equal(t, "greets", get(t, hello, "description"))
	require.Equal(t, "2026-11-24 02:00:00", get(t, hello, "updated_at"))
	require.Equal(t, "2026-11-24 01:00:00", get(t, hello, "created_at"))
	require.Equal(t, "greets", get(t, api.get("/v2/actions/my.hello").body, "description"))

	t.Run("by identifier", func(t *testing.T) {
		one := "version: '2.0'\nmy.bye:\n  base: std.echo output=1\n"
		res := api.putYAML("/v2/actions/my.bye", one)
		require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
		require.Equal(t, one, get(t, api.get("/v2/actions/my.bye").body, "definition"))
		msg := requireFault(t, api.putYAML("/v2/actions/my.bye", twoActions), http.StatusBadRequest)
		require.Equal(t, "More than one actions are not supported for update with identifier. [identifier: my.bye]", msg)
		requireFault(t, api.putYAML("/v2/actions/"+helloID.(string), one), http.StatusBadRequest) // a rename
	})
	t.Run("unknown action", func(t *testing.T) {
		msg := requireFault(t, api.putYAML("/v2/actions", "version: '2.0'\nnope:\n  base: std.noop\n"), http.StatusNotFound)
		require.Equal(t, "Action definition not found [action_name=nope, namespace=]", msg)
	})
	t.Run("another namespace", func(t *testing.T) {
		requireFault(t, api.putYAML("/v2/actions?namespace=ns1", changed), http.StatusNotFound)
	})
	t.Run("system action", func(t *testing.T) {
		requireFault(t, api.putYAML("/v2/actions", "version: '2.0'\nstd.noop:\n  base: std.echo output=1\n"), http.StatusBadRequest)
	})
}

func TestListActionsHasSystemAndAdHocActions(t *testing.T) {
	api := newTestAPI(t)
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/actions", twoActions).status)
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/actions?namespace=ns1", "version: '2.0'\nonly.ns1:\n  base: std.noop\n").status)

	res := api.get("/v2/actions")

	require.Equal(t, http.StatusOK, res.status, "body: %s", res.raw)
	names := actionNames(t, res)
	require.Contains(t, names, "std.echo")
	require.Contains(t, names, "my.hello")
	require.NotContains(t, names, "only.ns1", "the default namespace unless asked")
	require.IsIncreasing(t, names, "by name")
	for _, e := range getList(t, res.body, "actions") {
		m := e.(*value.Map)
		if get(t, m, "name") == "std.echo" {
			require.Equal(t, true, get(t, m, "is_system"))
			require.Equal(t, "std.echo", get(t, m, "id"))
			require.Equal(t, "output, delay=0", get(t, m, "input"))
			require.Equal(t, actionFields, m.Keys())
		}
	}

	require.Equal(t, []string{"only.ns1"}, actionNames(t, api.get("/v2/actions?namespace=ns1")))
	require.Equal(t, []string{"my.bye", "my.hello"}, actionNames(t, api.get("/v2/actions?is_system=false")))
	require.Equal(t, []string{"my.hello"}, actionNames(t, api.get("/v2/actions?name=my.hello")))
	desc := actionNames(t, api.get("/v2/actions?sort_keys=name&sort_dirs=desc&limit=2"))
	require.Equal(t, 2, len(desc))
	require.IsDecreasing(t, desc)

	t.Run("pages", func(t *testing.T) {
		page1 := api.get("/v2/actions?limit=3")
		require.Len(t, actionNames(t, page1), 3)
		next := get(t, page1.body, "next").(string)
		require.Contains(t, next, "marker=")
		page2 := api.get(next[strings.Index(next, "/v2/"):])
		require.Equal(t, http.StatusOK, page2.status, "body: %s", page2.raw)
		all := actionNames(t, api.get("/v2/actions"))
		require.Equal(t, all[3:6], actionNames(t, page2))
		requireFault(t, api.get("/v2/actions?marker=nope"), http.StatusNotFound)
	})
	t.Run("fields", func(t *testing.T) {
		res := api.get("/v2/actions?fields=name,input")
		require.Equal(t, []string{"id", "name", "input"}, getList(t, res.body, "actions")[0].(*value.Map).Keys())
	})
}

func TestGetAndDeleteActions(t *testing.T) {
	api := newTestAPI(t)
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/actions", twoActions).status)
	require.Equal(t, http.StatusCreated, api.postYAML("/v2/actions?namespace=ns1", twoActions).status)

	// Mistral's client puts the namespace in the path, empty for the default.
	require.Equal(t, "", get(t, api.get("/v2/actions/my.hello/").body, "namespace"))
	require.Equal(t, "ns1", get(t, api.get("/v2/actions/my.hello/ns1").body, "namespace"))
	require.Equal(t, "ns1", get(t, api.get("/v2/actions/my.hello?namespace=ns1").body, "namespace"))
	sys := api.get("/v2/actions/std.noop/")
	require.Equal(t, http.StatusOK, sys.status)
	require.Equal(t, true, get(t, sys.body, "is_system"))
	msg := requireFault(t, api.get("/v2/actions/nope"), http.StatusNotFound)
	require.Equal(t, "Action not found [name=nope, namespace=]", msg)
	requireFault(t, api.get("/v2/actions/my.hello?fields=bogus"), http.StatusBadRequest)

	require.Equal(t, http.StatusNoContent, api.delete("/v2/actions/my.hello/ns1").status)
	requireFault(t, api.get("/v2/actions/my.hello/ns1"), http.StatusNotFound)
	require.Equal(t, http.StatusOK, api.get("/v2/actions/my.hello").status, "the default namespace's stays")
	require.Equal(t, http.StatusNoContent, api.delete("/v2/actions/my.hello/").status)
	msg = requireFault(t, api.delete("/v2/actions/my.hello"), http.StatusNotFound)
	require.Equal(t, "Action definition not found [action_name=my.hello, namespace=]", msg)
	msg = requireFault(t, api.delete("/v2/actions/std.echo"), http.StatusNotFound)
	require.Equal(t, "Action definition not found [action_name=std.echo, namespace=]", msg, "as Mistral 15 answers")
	require.Equal(t, http.StatusOK, api.get("/v2/actions/std.echo").status)
}

func TestValidateActions(t *testing.T) {
	api := newTestAPI(t)
	ok := api.postYAML("/v2/actions/validate", twoActions)
	require.Equal(t, http.StatusOK, ok.status)
	require.Equal(t, true, get(t, ok.body, "valid"))
	bad := api.postYAML("/v2/actions/validate", "version: '2.0'\na:\n  input: [x]\n")
	require.Equal(t, false, get(t, bad.body, "valid"))
	require.NotEmpty(t, get(t, bad.body, "error"))
}
