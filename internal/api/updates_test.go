package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// An update that changes nothing leaves updated_at unset, as Mistral's
// does (its ORM writes no row then): re-applying the same file twice shows
// no update. An update that changes something stamps it.
func TestUpdateThatChangesNothingKeepsUpdatedAt(t *testing.T) {
	const workbook = "version: '2.0'\nname: book\nworkflows:\n  w:\n    tasks:\n      a:\n        action: std.noop\n"
	const actions = "version: '2.0'\ngreet:\n  base: std.echo\n  base-input:\n    output: hi\n"
	tests := []struct {
		name           string
		create, update func(api *testAPI, changed bool) response
		get            string
	}{
		{
			name: "workflow",
			create: func(api *testAPI, _ bool) response {
				return api.postYAML("/v2/workflows", oneWorkflow)
			},
			update: func(api *testAPI, changed bool) response {
				doc := oneWorkflow
				if changed {
					doc = strings.Replace(doc, "std.noop", "std.echo output=1", 1)
				}
				return api.do("PUT", "/v2/workflows", "text/plain", doc)
			},
			get: "/v2/workflows/solo",
		},
		{
			name:   "action",
			create: func(api *testAPI, _ bool) response { return api.postYAML("/v2/actions", actions) },
			update: func(api *testAPI, changed bool) response {
				doc := actions
				if changed {
					doc = strings.Replace(doc, "hi", "hello", 1)
				}
				return api.do("PUT", "/v2/actions", "text/plain", doc)
			},
			get: "/v2/actions/greet",
		},
		{
			name:   "workbook",
			create: func(api *testAPI, _ bool) response { return api.postYAML("/v2/workbooks", workbook) },
			update: func(api *testAPI, changed bool) response {
				doc := workbook
				if changed {
					doc = strings.Replace(doc, "std.noop", "std.echo output=1", 1)
				}
				return api.putYAML("/v2/workbooks", doc)
			},
			get: "/v2/workbooks/book",
		},
		{
			name: "environment",
			create: func(api *testAPI, _ bool) response {
				return api.postJSON("/v2/environments", `{"name": "env", "variables": {"a": 1, "b": 2}}`)
			},
			update: func(api *testAPI, changed bool) response {
				if changed {
					return api.putJSON("/v2/environments", `{"name": "env", "variables": {"a": 1, "b": 3}}`)
				}
				// The same variables in another order are the same.
				return api.putJSON("/v2/environments", `{"name": "env", "variables": {"b": 2, "a": 1}}`)
			},
			get: "/v2/environments/env",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newTestAPI(t)
			api.server.now = func() time.Time { return time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC) }
			res := tc.create(api, false)
			require.Equal(t, http.StatusCreated, res.status, "%s", res.raw)

			api.server.now = func() time.Time { return time.Date(2026, 5, 1, 11, 0, 0, 0, time.UTC) }
			res = tc.update(api, false)
			require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
			require.Nil(t, updatedAt(t, api.get(tc.get)), "nothing changed")

			api.server.now = func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }
			res = tc.update(api, true)
			require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
			require.Equal(t, "2026-05-01 12:00:00", updatedAt(t, api.get(tc.get)))
		})
	}
}

func updatedAt(t *testing.T, res response) any {
	t.Helper()
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	v, _ := res.body.Get("updated_at")
	return v
}
