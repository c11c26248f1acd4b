package server_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/server"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
)

// TestDelegateActionEndToEnd plays seed 002's delegate pattern over real
// HTTP: std.mistral_http calls a service on loopback, the service answers
// at once and completes the action later through the callback URL bora
// sent it, and the workflow continues with that result.
func TestDelegateActionEndToEnd(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	calls := make(chan http.Header, 1)
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls <- r.Header.Clone()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(service.Close)

	ctx, cancel := context.WithCancel(t.Context())
	p := server.New(storetest.OpenSQLite(t), server.Config{Listen: addr})
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, func(a string) { ready <- a }) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	c := client{t: t, base: "http://" + <-ready}

	wf := fmt.Sprintf("version: '2.0'\ndelegate:\n  output:\n    answer: <%% $.answer %%>\n  tasks:\n    call:\n      action: std.mistral_http url=%q method=POST\n      publish:\n        answer: <%% task().result.answer %%>\n", service.URL)
	code, body := c.do("POST", "/v2/workflows", "text/plain", wf)
	require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(body))
	code, ex := c.do("POST", "/v2/executions", "application/json", `{"workflow_name": "delegate"}`)
	require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(ex))
	exID := str(t, ex, "id")

	headers := <-calls
	require.Equal(t, "delegate", headers.Get("Mistral-Workflow-Name"))
	require.Equal(t, exID, headers.Get("Mistral-Workflow-Execution-Id"))
	callback := headers.Get("Mistral-Callback-URL")
	actionID := headers.Get("Mistral-Action-Execution-Id")
	require.Equal(t, "http://"+addr+"/v2/action_executions/"+actionID, callback)
	require.NotEmpty(t, headers.Get("Mistral-Task-Id"))

	// The third party completes the action later, through the callback.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, callback, strings.NewReader(`{"state": "SUCCESS", "output": {"answer": 42}}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	ex = c.waitState(exID)
	require.Equal(t, "SUCCESS", str(t, ex, "state"), str(t, ex, "state_info"))
	require.True(t, value.Equal(value.MapOf("answer", int64(42)), jsonField(t, ex, "output")), str(t, ex, "output"))
}
