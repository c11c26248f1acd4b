package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/value"
)

func TestEnvironmentLifecycle(t *testing.T) {
	api := newTestAPI(t)
	api.server.now = func() time.Time { return time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC) }

	// Mistral's client sends variables as a JSON-encoded string.
	res := api.postJSON("/v2/environments",
		`{"name": "prod", "description": "production", "variables": "{\"z\": 1, \"a\": {\"l\": [1.5, null]}}"}`)

	require.Equal(t, http.StatusCreated, res.status, "body: %s", res.raw)
	// Mistral leaves out what the create did not set: updated_at here.
	require.Equal(t, []string{"id", "name", "description", "variables", "scope", "project_id", "created_at"}, res.body.Keys())
	require.Equal(t, `{"z": 1, "a": {"l": [1.5, null]}}`, get(t, res.body, "variables"), "a JSON string, keys in order")
	require.Equal(t, "private", get(t, res.body, "scope"))
	require.Equal(t, "<default-project>", get(t, res.body, "project_id"))
	require.Equal(t, "2026-11-24 01:00:00", get(t, res.body, "created_at"))

	got := api.get("/v2/environments/prod")
	require.Equal(t, http.StatusOK, got.status)
	require.Equal(t, environmentFields, got.body.Keys())
	require.Nil(t, get(t, got.body, "updated_at"))
	require.Equal(t, get(t, res.body, "variables"), get(t, got.body, "variables"))

	// The engine reads it by name.
	env, err := api.store.EnvironmentGet(t.Context(), "prod")
	require.NoError(t, err)
	require.True(t, value.Equal(value.MapOf("z", int64(1), "a", value.MapOf("l", []any{1.5, nil})), env.Variables))

	// Objects are taken too; what a PUT leaves out stays.
	api.server.now = func() time.Time { return time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC) }
	upd := api.putJSON("/v2/environments", `{"name": "prod", "variables": {"k": "v"}, "scope": "public"}`)
	require.Equal(t, http.StatusOK, upd.status, "body: %s", upd.raw)
	require.Equal(t, `{"k": "v"}`, get(t, upd.body, "variables"))
	require.Equal(t, "production", get(t, upd.body, "description"))
	require.Equal(t, "public", get(t, upd.body, "scope"))
	require.Equal(t, "2026-11-24 02:00:00", get(t, upd.body, "updated_at"))
	require.Equal(t, get(t, res.body, "id"), get(t, upd.body, "id"))

	dev := api.postJSON("/v2/environments", `{"name": "dev", "variables": {}, "scope": "public"}`)
	require.Equal(t, http.StatusCreated, dev.status, "body: %s", dev.raw)
	require.Equal(t, []string{"id", "name", "variables", "scope", "project_id", "created_at"}, dev.body.Keys(),
		"no description given, none shown")
	require.Equal(t, "public", get(t, dev.body, "scope"))
	list := api.get("/v2/environments")
	require.Equal(t, http.StatusOK, list.status)
	envs := getList(t, list.body, "environments")
	require.Len(t, envs, 2)
	require.Equal(t, "prod", get(t, envs[0].(*value.Map), "name"))
	require.Equal(t, "{}", get(t, envs[1].(*value.Map), "variables"))
	sorted := api.get("/v2/environments?sort_keys=name&limit=1&fields=name")
	require.Equal(t, []string{"id", "name"}, getList(t, sorted.body, "environments")[0].(*value.Map).Keys())
	require.Equal(t, "dev", get(t, getList(t, sorted.body, "environments")[0].(*value.Map), "name"))

	require.Equal(t, http.StatusNoContent, api.delete("/v2/environments/prod").status)
	msg := requireFault(t, api.get("/v2/environments/prod"), http.StatusNotFound)
	require.Equal(t, "Environment not found [name=prod]", msg)
	requireFault(t, api.delete("/v2/environments/prod"), http.StatusNotFound)
}

func TestEnvironmentsRefuseBadInput(t *testing.T) {
	tests := []struct {
		name, method, body string
		status             int
		msg                string
	}{
		{"duplicate", "POST", `{"name": "e", "variables": {}}`, http.StatusConflict,
			"Duplicate entry for Environment ['name', 'project_id']: e, None"},
		{"id on create", "POST", `{"name": "x", "variables": {}, "id": "x"}`, http.StatusBadRequest,
			"Please, check your environment definition. Only: ['name', 'description', 'variables', 'scope'] are allowed as definition keys."},
		{"bad scope on create", "POST", `{"name": "x", "scope": "galaxy"}`, http.StatusBadRequest, "Scope must be"},
		{"unknown key", "POST", `{"name": "x", "extra": 1}`, http.StatusBadRequest, "Unknown attribute for argument env: extra"},
		{"no name", "POST", `{"variables": {}}`, http.StatusBadRequest, "Name of the environment is not provided."},
		{"variables not an object", "POST", `{"name": "x", "variables": [1]}`, http.StatusBadRequest, "variables"},
		{"variables bad JSON", "POST", `{"name": "x", "variables": "{nope"}`, http.StatusBadRequest, "variables"},
		{"not JSON", "POST", `name: x`, http.StatusBadRequest, ""},
		{"update unknown", "PUT", `{"name": "nope", "variables": {}}`, http.StatusNotFound, "Environment not found [name=nope]"},
		{"update without name", "PUT", `{"variables": {}}`, http.StatusBadRequest, "Name of the environment is not provided."},
		{"update id", "PUT", `{"name": "e", "id": "x"}`, http.StatusBadRequest,
			"Only: ['description', 'variables', 'scope'] are allowed"},
		{"update bad scope", "PUT", `{"name": "e", "scope": "galaxy"}`, http.StatusBadRequest, "Scope must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newTestAPI(t)
			require.Equal(t, http.StatusCreated, api.postJSON("/v2/environments", `{"name": "e", "variables": {"k": 1}}`).status)

			msg := requireFault(t, api.do(tt.method, "/v2/environments", "application/json", tt.body), tt.status)

			require.Contains(t, msg, tt.msg)
			envs := getList(t, api.get("/v2/environments").body, "environments")
			require.Len(t, envs, 1, "bad input changed nothing")
			require.Equal(t, `{"k": 1}`, get(t, envs[0].(*value.Map), "variables"))
			require.Equal(t, "private", get(t, envs[0].(*value.Map), "scope"))
		})
	}
}
