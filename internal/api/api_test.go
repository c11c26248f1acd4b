package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/bora-workflow/bora/internal/id"
	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// fakeEngine records what the API asks of the engine. By default a start
// inserts a RUNNING execution into the store, as the real engine would,
// and a completion marks the stored action as completed.
type fakeEngine struct {
	store store.Store

	mu          sync.Mutex
	starts      []engine.StartRequest
	completions []engine.ActionCompletion
	updates     []engine.ExecutionUpdate
	reruns      []rerunCall
	standalone  []engine.StandaloneAction

	updateErr error

	startErr    error
	completeErr error
	panicOnCall bool
}

func (e *fakeEngine) StartExecution(ctx context.Context, req engine.StartRequest) (*workflow.Execution, error) {
	e.mu.Lock()
	e.starts = append(e.starts, req)
	e.mu.Unlock()
	if e.panicOnCall {
		panic("engine exploded")
	}
	if e.startErr != nil {
		return nil, e.startErr
	}
	exID := req.ID
	if exID == "" {
		exID = id.New()
	}
	ex := &workflow.Execution{
		ID:           exID,
		WorkflowID:   id.New(),
		WorkflowName: req.WorkflowIdentifier,
		Description:  req.Description,
		ProjectID:    workflow.DefaultProjectID,
		State:        workflow.StateRunning,
		Input:        req.Input,
		Params:       value.MapOf("namespace", "", "env", value.NewMap(0)),
		Context:      value.NewMap(0),
		Version:      1,
		CreatedAt:    storetest.T0,
		UpdatedAt:    storetest.T0,
	}
	if err := e.store.ExecutionInsert(ctx, ex); err != nil {
		return nil, err
	}
	return ex, nil
}

func (e *fakeEngine) CompleteAction(ctx context.Context, c engine.ActionCompletion) (*workflow.ActionExecution, error) {
	e.mu.Lock()
	e.completions = append(e.completions, c)
	e.mu.Unlock()
	if e.completeErr != nil {
		return nil, e.completeErr
	}
	a, err := e.store.ActionExecutionGet(ctx, c.ActionExecutionID)
	if err != nil {
		return nil, err
	}
	a.State, a.Result, a.Accepted = c.State, c.Result, true
	if err := e.store.ActionExecutionUpdate(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// testAPI is a Server on a fresh SQLite store with a fake engine.
type testAPI struct {
	t       *testing.T
	store   store.Store
	engine  *fakeEngine
	server  *Server
	handler http.Handler
	logs    *bytes.Buffer
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	st := storetest.OpenSQLite(t)
	eng := &fakeEngine{store: st}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := New(st, eng, Options{Logger: logger})
	return &testAPI{t: t, store: st, engine: eng, server: srv, handler: srv.Handler(), logs: &logs}
}

// response is an answer with its body decoded in document order.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   *value.Map // nil when the body is not a JSON object
}

func (a *testAPI) do(method, path, contentType, body string) response {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Accept", "*/*")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	res := response{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
	if len(res.raw) > 0 {
		v, err := value.Decode(res.raw)
		require.NoError(a.t, err, "answer is not JSON: %s", res.raw)
		res.body, _ = v.(*value.Map)
	}
	return res
}

func (a *testAPI) get(path string) response { a.t.Helper(); return a.do("GET", path, "", "") }

func (a *testAPI) postJSON(path, body string) response {
	a.t.Helper()
	return a.do("POST", path, "application/json", body)
}

func (a *testAPI) putJSON(path, body string) response {
	a.t.Helper()
	return a.do("PUT", path, "application/json", body)
}

func (a *testAPI) postYAML(path, body string) response {
	a.t.Helper()
	return a.do("POST", path, "text/plain", body)
}

// requireFault checks a Mistral error answer.
func requireFault(t *testing.T, res response, status int) string {
	t.Helper()
	require.Equal(t, status, res.status, "body: %s", res.raw)
	require.NotNil(t, res.body, "fault body: %s", res.raw)
	require.Equal(t, []string{"faultcode", "faultstring", "debuginfo"}, res.body.Keys())
	code := "Client"
	if status >= 500 {
		code = "Server"
	}
	require.Equal(t, code, get(t, res.body, "faultcode"))
	require.Nil(t, get(t, res.body, "debuginfo"))
	msg, ok := get(t, res.body, "faultstring").(string)
	require.True(t, ok)
	require.NotEmpty(t, msg)
	return msg
}

func get(t *testing.T, m *value.Map, key string) any {
	t.Helper()
	v, ok := m.Get(key)
	require.True(t, ok, "no %q in %v", key, m.Keys())
	return v
}

func getMap(t *testing.T, m *value.Map, key string) *value.Map {
	t.Helper()
	v, ok := get(t, m, key).(*value.Map)
	require.True(t, ok, "%q is not an object", key)
	return v
}

func getList(t *testing.T, m *value.Map, key string) []any {
	t.Helper()
	v, ok := get(t, m, key).([]any)
	require.True(t, ok, "%q is not a list", key)
	return v
}

// sample is one captured exchange with the real Mistral.
type sample struct {
	Request struct {
		Method string          `json:"method"`
		Path   string          `json:"path"`
		Body   json.RawMessage `json:"body"`
	} `json:"request"`
	Response struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	} `json:"response"`
}

// samplesDir holds the real Mistral's captured traffic (../shared from the
// project's root).
const samplesDir = "../../../shared/mistral/api-samples"

// loadSample reads a captured exchange; the test is skipped where the
// samples are not checked out.
func loadSample(t *testing.T, name string) (sample, *value.Map) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, name))
	if os.IsNotExist(err) {
		t.Skipf("Mistral samples not found at %s", samplesDir)
	}
	require.NoError(t, err)
	var s sample
	require.NoError(t, json.Unmarshal(data, &s))
	body, err := value.Decode(s.Response.Body)
	require.NoError(t, err)
	m, _ := body.(*value.Map)
	return s, m
}
