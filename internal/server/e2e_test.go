package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/server"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
)

const e2eWorkflows = `---
version: '2.0'
greet:
  input:
    - name
    - greeting: Hello
  output:
    message: <% $.message %>
    total: <% $.total %>
  tasks:
    compose:
      action: std.echo output="<% $.greeting %>, <% $.name %>!"
      publish:
        message: <% task().result %>
      on-success: [count_a, count_b]
    count_a:
      action: std.echo output=1
      publish: {a: <% task().result %>}
      on-success: sum
    count_b:
      action: std.echo output=2
      publish: {b: <% task().result %>}
      on-success: sum
    sum:
      join: all
      action: std.echo output=<% $.a + $.b %>
      publish:
        total: <% task().result %>
failing:
  tasks:
    boom:
      action: std.fail error_data="it broke"
`

// client is a tiny Mistral API client for the tests.
type client struct {
	t    *testing.T
	base string
}

func (c client) do(method, path, contentType, body string) (int, *value.Map) {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, strings.NewReader(body))
	require.NoError(c.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "*/*")
	res, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	if len(bytes.TrimSpace(raw)) == 0 {
		return res.StatusCode, nil
	}
	v, err := value.Decode(raw)
	require.NoError(c.t, err, "body: %s", raw)
	m, _ := v.(*value.Map)
	return res.StatusCode, m
}

func str(t *testing.T, m *value.Map, key string) string {
	t.Helper()
	v, ok := m.Get(key)
	require.True(t, ok, "missing %q in %s", key, value.MustEncode(m))
	s, _ := v.(string)
	return s
}

// jsonField decodes one of the JSON-encoded string fields Mistral sends.
func jsonField(t *testing.T, m *value.Map, key string) any {
	t.Helper()
	v, err := value.DecodeString(str(t, m, key))
	require.NoError(t, err)
	return v
}

// waitState polls an execution until it is completed.
func (c client) waitState(exID string) *value.Map {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		code, ex := c.do("GET", "/v2/executions/"+exID, "", "")
		require.Equal(c.t, http.StatusOK, code)
		switch str(c.t, ex, "state") {
		case "SUCCESS", "ERROR", "CANCELLED":
			return ex
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.t.Fatalf("execution %s did not complete", exID)
	return nil
}

func startServer(t *testing.T, st store.Store) client {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	p := server.New(st, server.Config{Listen: "127.0.0.1:0"})
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, func(a string) { addr <- a }) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return client{t: t, base: "http://" + <-addr}
}

func TestEndToEndOverHTTP(t *testing.T) {
	t.Parallel()
	stores := map[string]func(testing.TB) store.Store{
		"sqlite":   storetest.OpenSQLite,
		"postgres": storetest.OpenPostgres,
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := startServer(t, open(t))

			code, body := c.do("POST", "/v2/workflows", "text/plain", e2eWorkflows)
			require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(body))
			wfs, _ := body.Get("workflows")
			require.Len(t, wfs, 2)

			code, ex := c.do("POST", "/v2/executions", "application/json",
				`{"workflow_name": "greet", "input": "{\"name\": \"bora\"}", "description": "e2e"}`)
			require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(ex))
			exID := str(t, ex, "id")

			ex = c.waitState(exID)
			require.Equal(t, "SUCCESS", str(t, ex, "state"), "state_info: %v", value.MustEncode(ex))
			require.True(t, value.Equal(value.MapOf("message", "Hello, bora!", "total", int64(3)), jsonField(t, ex, "output")),
				"output %s", str(t, ex, "output"))
			require.True(t, value.Equal(value.MapOf("name", "bora", "greeting", "Hello"), jsonField(t, ex, "input")))

			code, tasks := c.do("GET", "/v2/tasks?workflow_execution_id="+exID, "", "")
			require.Equal(t, http.StatusOK, code)
			list, _ := tasks.Get("tasks")
			names := map[string]string{}
			for _, item := range list.([]any) {
				task := item.(*value.Map)
				names[str(t, task, "name")] = str(t, task, "state")
			}
			require.Equal(t, map[string]string{"compose": "SUCCESS", "count_a": "SUCCESS", "count_b": "SUCCESS", "sum": "SUCCESS"}, names)

			// An unhandled failure ends in ERROR naming the task.
			code, ex = c.do("POST", "/v2/executions", "application/json", `{"workflow_name": "failing"}`)
			require.Equal(t, http.StatusCreated, code)
			ex = c.waitState(str(t, ex, "id"))
			require.Equal(t, "ERROR", str(t, ex, "state"))
			require.Contains(t, str(t, ex, "state_info"), "Failure caused by error in tasks: boom")
			require.Contains(t, str(t, ex, "state_info"), "it broke")
		})
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	c := startServer(t, storetest.OpenSQLite(t))
	code, _ := c.do("POST", "/v2/workflows", "text/plain", e2eWorkflows)
	require.Equal(t, http.StatusCreated, code)

	cases := []struct {
		name, method, path, body string
		status                   int
	}{
		{"malformed YAML", "POST", "/v2/workflows", "version: '2.0'\nwf: [unclosed", http.StatusBadRequest},
		{"duplicate workflow", "POST", "/v2/workflows", e2eWorkflows, http.StatusConflict},
		{"unknown workflow", "POST", "/v2/executions", `{"workflow_name": "nope"}`, http.StatusNotFound},
		{"input not an object", "POST", "/v2/executions", `{"workflow_name": "greet", "input": "[1, 2]"}`, http.StatusBadRequest},
		{"missing input", "POST", "/v2/executions", `{"workflow_name": "greet"}`, http.StatusBadRequest},
		{"unknown execution", "GET", "/v2/executions/00000000-0000-0000-0000-000000000000", "", http.StatusNotFound},
		{"unknown action execution", "PUT", "/v2/action_executions/nope", `{"state": "SUCCESS", "output": "{\"r\": 1}"}`, http.StatusNotFound},
	}
	for _, tc := range cases {
		code, body := c.do(tc.method, tc.path, "application/json", tc.body)
		require.Equal(t, tc.status, code, "%s: %s", tc.name, value.MustEncode(body))
		require.NotEmpty(t, str(t, body, "faultstring"), tc.name)
	}
	code, list := c.do("GET", "/v2/executions", "", "")
	require.Equal(t, http.StatusOK, code)
	execs, _ := list.Get("executions")
	require.Empty(t, execs, "no bad request may leave an execution behind")
	code, list = c.do("GET", "/v2/workflows", "", "")
	require.Equal(t, http.StatusOK, code)
	wfs, _ := list.Get("workflows")
	require.Len(t, wfs, 2, "the duplicate upload must not change the stored workflows")
}

// TestCompletedActionCannotBeCompletedAgain checks PUT on an action that
// already completed: 4xx, and the first result stands.
func TestCompletedActionCannotBeCompletedAgain(t *testing.T) {
	t.Parallel()
	c := startServer(t, storetest.OpenSQLite(t))
	code, _ := c.do("POST", "/v2/workflows", "text/plain", "version: '2.0'\nwait:\n  tasks:\n    ext:\n      action: std.async_noop\n      publish:\n        got: <% task().result %>\n")
	require.Equal(t, http.StatusCreated, code)
	code, ex := c.do("POST", "/v2/executions", "application/json", `{"workflow_name": "wait"}`)
	require.Equal(t, http.StatusCreated, code)
	exID := str(t, ex, "id")

	actionID := c.waitRunningAction(exID)
	code, body := c.do("PUT", "/v2/action_executions/"+actionID, "application/json", `{"state": "SUCCESS", "output": {"answer": 42}}`)
	require.Equal(t, http.StatusOK, code, "%s", value.MustEncode(body))
	ex = c.waitState(exID)
	require.Equal(t, "SUCCESS", str(t, ex, "state"))
	require.True(t, value.Equal(value.MapOf("got", value.MapOf("answer", int64(42))), jsonField(t, ex, "output")))

	code, body = c.do("PUT", "/v2/action_executions/"+actionID, "application/json", `{"state": "SUCCESS", "output": {"answer": 0}}`)
	require.GreaterOrEqual(t, code, 400, "%s", value.MustEncode(body))
	require.Less(t, code, 500)
	ex = c.waitState(exID)
	require.True(t, value.Equal(value.MapOf("got", value.MapOf("answer", int64(42))), jsonField(t, ex, "output")))
}

// waitRunningAction returns the id of the execution's RUNNING action.
func (c client) waitRunningAction(exID string) string {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		_, tasks := c.do("GET", "/v2/tasks?workflow_execution_id="+exID, "", "")
		list, _ := tasks.Get("tasks")
		for _, item := range list.([]any) {
			taskID := str(c.t, item.(*value.Map), "id")
			_, acts := c.do("GET", fmt.Sprintf("/v2/tasks/%s/action_executions", taskID), "", "")
			al, _ := acts.Get("action_executions")
			for _, a := range al.([]any) {
				if str(c.t, a.(*value.Map), "state") == "RUNNING" {
					return str(c.t, a.(*value.Map), "id")
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.t.Fatalf("no running action in %s", exID)
	return ""
}
