package action_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/value"
)

// TestMistralHTTPDelegate plays seed 002's delegate pattern on loopback:
// the action calls a service and returns no result; the service keeps
// the headers, finishes its work later and completes the action with a
// PUT to the callback URL (here a stand-in for bora's API).
func TestMistralHTTPDelegate(t *testing.T) {
	t.Parallel()
	type completion struct{ path, body, contentType string }
	completed := make(chan completion, 1)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPut {
			completed <- completion{r.URL.Path, string(b), r.Header.Get("Content-Type")}
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(api.Close)

	ex := action.ExecutionContext{
		WorkflowName:        "wf_delegate",
		WorkflowExecutionID: "11111111-1111-1111-1111-111111111111",
		TaskExecutionID:     "22222222-2222-2222-2222-222222222222",
		ActionExecutionID:   "33333333-3333-3333-3333-333333333333",
		CallbackURL:         api.URL + "/v2/action_executions/33333333-3333-3333-3333-333333333333",
	}
	work := make(chan http.Header, 1)
	service, got := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		work <- r.Header.Clone()
		w.WriteHeader(http.StatusAccepted)
	})
	// The service's worker: once the request is in, it completes the
	// action out of band.
	workerDone := make(chan error, 1)
	go func() {
		h := <-work
		body := strings.NewReader(`{"state": "SUCCESS", "output": {"approved": true}}`)
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPut, h.Get("Mistral-Callback-URL"), body)
		if err != nil {
			workerDone <- err
			return
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		workerDone <- err
	}()

	out := action.Standard().Run(context.Background(), "std.mistral_http",
		value.MapOf("url", service.URL+"/approve", "method", "POST", "json", value.MapOf("doc", int64(7)),
			"headers", value.MapOf("Mistral-Task-Id", "forged", "X-Mine", "kept")), ex)
	require.Equal(t, action.Outcome{Async: true}, out)

	reqs := got()
	require.Len(t, reqs, 1)
	h := reqs[0].Header
	require.Equal(t, "wf_delegate", h.Get("Mistral-Workflow-Name"))
	require.Equal(t, ex.WorkflowExecutionID, h.Get("Mistral-Workflow-Execution-Id"))
	require.Equal(t, ex.TaskExecutionID, h.Get("Mistral-Task-Id"), "Mistral's headers win over the workflow's")
	require.Equal(t, ex.ActionExecutionID, h.Get("Mistral-Action-Execution-Id"))
	require.Equal(t, ex.CallbackURL, h.Get("Mistral-Callback-URL"))
	require.Equal(t, "kept", h.Get("X-Mine"))
	require.Equal(t, `{"doc": 7}`, reqs[0].Body)

	require.NoError(t, <-workerDone)
	c := <-completed
	require.Equal(t, "/v2/action_executions/"+ex.ActionExecutionID, c.path)
	require.JSONEq(t, `{"state": "SUCCESS", "output": {"approved": true}}`, c.body)
}

func TestMistralHTTPFailuresAreReportedAtOnce(t *testing.T) {
	t.Parallel()
	srv, got := recordingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusServiceUnavailable)
	})
	out := runAction(t, action.Standard(), "std.mistral_http", value.MapOf("url", srv.URL))
	require.True(t, out.Failed)
	require.False(t, out.Async)
	require.NotContains(t, got()[0].Header, "Mistral-Callback-Url", "an unknown callback URL is not sent")
	require.Equal(t, int64(503), field(t, resultMap(t, out), "status"))

	out = runAction(t, action.NewStandard(action.StdOptions{Egress: action.MistralEgressPolicy()}),
		"std.mistral_http", value.MapOf("url", srv.URL))
	require.True(t, out.Failed)
	require.Contains(t, out.Result, "blocked address")
}
