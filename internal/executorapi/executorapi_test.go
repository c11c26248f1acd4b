package executorapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/executorapi"
	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// The remote action is one bora does not know: only a remote executor
// serving target "python" can run it.
const remoteWorkflow = `version: '2.0'
remote:
  input:
    - text: hello
  output:
    got: <% $.got %>
  tasks:
    t:
      action: py.upper text=<% $.text %>
      target: python
      publish:
        got: <% task().result %>
`

const token = "s3cret"

type fixture struct {
	t   *testing.T
	st  store.Store
	eng *engine.Engine
	url string
}

func newFixture(t *testing.T, open func(testing.TB) store.Store) *fixture {
	t.Helper()
	st := open(t)
	reg := action.NewStandard(action.StdOptions{})
	eng := engine.New(st, reg, expression.New(expression.Options{}), engine.Options{PollInterval: 5 * time.Millisecond})
	x := executorapi.New(st, eng, executorapi.Options{Token: token, Wake: eng.WorkAvailable(), PollInterval: 20 * time.Millisecond})
	srv := httptest.NewServer(executorapi.Mount(http.NotFoundHandler(), x))
	t.Cleanup(func() { x.Shutdown(); srv.Close() })
	now := time.Now().UTC()
	require.NoError(t, st.WorkflowDefinitionCreate(t.Context(), &store.WorkflowDefinition{
		ID: id.New(), Name: "remote", Definition: remoteWorkflow, CreatedAt: now, UpdatedAt: now,
	}))
	return &fixture{t: t, st: st, eng: eng, url: srv.URL}
}

func (f *fixture) start() string {
	f.t.Helper()
	ex, err := f.eng.StartExecution(f.t.Context(), engine.StartRequest{WorkflowIdentifier: "remote"})
	require.NoError(f.t, err)
	return ex.ID
}

// post sends one protocol call with the token and decodes the answer.
func (f *fixture) post(path string, body any) (int, map[string]any) {
	return f.postAs(token, path, body)
}

func (f *fixture) postAs(tok, path string, body any) (int, map[string]any) {
	f.t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(f.t, err)
	req, err := http.NewRequestWithContext(f.t.Context(), http.MethodPost, f.url+"/v2/executor/"+path, bytes.NewReader(raw))
	require.NoError(f.t, err)
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(f.t, err)
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	require.NoError(f.t, err)
	var m map[string]any
	require.NoError(f.t, json.Unmarshal(out, &m), "body %s", out)
	return res.StatusCode, m
}

// claimOne claims the python queue and expects exactly one item.
func (f *fixture) claimOne(lease float64) map[string]any {
	f.t.Helper()
	code, res := f.post("claim", map[string]any{"executor": "py-1", "target": "python", "max": 4, "wait": 5, "lease": lease})
	require.Equal(f.t, http.StatusOK, code, "%v", res)
	items := res["items"].([]any)
	require.Len(f.t, items, 1)
	return items[0].(map[string]any)
}

// finish runs the engine until the execution completes.
func (f *fixture) finish(exID string) *workflow.Execution {
	f.t.Helper()
	for range 200 {
		_, err := f.eng.ProcessOnce(f.t.Context())
		require.NoError(f.t, err)
		ex, err := f.st.ExecutionGet(f.t.Context(), exID)
		require.NoError(f.t, err)
		if ex.State.IsCompleted() {
			return ex
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.t.Fatalf("execution %s did not complete", exID)
	return nil
}

func lease(item map[string]any) map[string]any {
	return map[string]any{"id": item["id"], "lease_token": item["lease_token"]}
}

func result(item map[string]any, state string, res any) map[string]any {
	return map[string]any{"id": item["id"], "lease_token": item["lease_token"], "attempt": item["attempt"], "state": state, "result": res}
}

func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newFixture(t, open))
		})
	}
}

func TestClaimReportAndRepeat(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		exID := f.start()

		// The default queue has nothing: the targeted unknown action was
		// neither inlined nor failed, it waits for its executor.
		code, res := f.post("claim", map[string]any{"executor": "any", "wait": 0})
		require.Equal(t, http.StatusOK, code)
		require.Empty(t, res["items"])

		item := f.claimOne(30)
		// The remote executor shows in the services registry.
		services, err := f.st.ServiceList(t.Context(), time.Now().Add(-time.Minute))
		require.NoError(t, err)
		found := false
		for _, sv := range services {
			found = found || (sv.Name == "py-1" && sv.Type == "executor_group")
		}
		require.True(t, found, "services: %+v", services)

		require.Equal(t, "py.upper", item["action"])
		require.Equal(t, map[string]any{"text": "hello"}, item["input"])
		require.EqualValues(t, 1, item["attempt"])
		require.Equal(t, false, item["safe_rerun"])
		require.NotEmpty(t, item["lease_token"])
		require.EqualValues(t, 30, item["lease_seconds"])
		exCtx := item["execution"].(map[string]any)
		require.Equal(t, exID, exCtx["workflow_execution_id"])
		require.Equal(t, item["id"], exCtx["action_execution_id"])

		code, res = f.post("heartbeat", map[string]any{"executor": "py-1", "lease": 30, "leases": []any{
			lease(item), map[string]any{"id": item["id"], "lease_token": "not-mine"},
		}})
		require.Equal(t, http.StatusOK, code, "%v", res)
		require.Equal(t, []any{item["id"]}, res["lost"], "the wrong token's lease is reported lost")

		code, res = f.post("result", result(item, "SUCCESS", "HELLO"))
		require.Equal(t, http.StatusOK, code, "%v", res)
		require.Equal(t, "recorded", res["status"])

		// A repeat (its answer was lost) changes nothing.
		code, res = f.post("result", result(item, "SUCCESS", "HELLO"))
		require.Equal(t, http.StatusOK, code, "%v", res)
		require.Equal(t, "already_recorded", res["status"])
		// A different result under the same lease is refused.
		code, res = f.post("result", result(item, "ERROR", "boom"))
		require.Equal(t, http.StatusConflict, code, "%v", res)
		require.Equal(t, "STALE", res["error_code"])

		ex := f.finish(exID)
		require.Equal(t, workflow.StateSuccess, ex.State, ex.StateInfo)
		require.True(t, value.Equal(value.MapOf("got", "HELLO"), ex.Output), "%s", value.MustEncode(ex.Output))

		// The lease is gone with the item: a heartbeat says so.
		code, res = f.post("heartbeat", map[string]any{"executor": "py-1", "leases": []any{lease(item)}})
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, []any{item["id"]}, res["lost"])
	})
}

func TestRepeatRecognisedWithoutTheNodesMemory(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		exID := f.start()
		item := f.claimOne(30)
		code, _ := f.post("result", result(item, "ERROR", map[string]any{"why": "bad input"}))
		require.Equal(t, http.StatusOK, code)

		// Another API node (a fresh server, no memory of the first answer)
		// recognises the repeat from the action execution row.
		reg := action.NewStandard(action.StdOptions{})
		other := executorapi.New(f.st, engine.New(f.st, reg, expression.New(expression.Options{}), engine.Options{}), executorapi.Options{})
		srv := httptest.NewServer(other)
		defer srv.Close()
		g := &fixture{t: t, st: f.st, eng: f.eng, url: srv.URL}
		code, res := g.postAs("", "result", result(item, "ERROR", map[string]any{"why": "bad input"}))
		require.Equal(t, http.StatusOK, code, "%v", res)
		require.Equal(t, "already_recorded", res["status"])
		code, res = g.postAs("", "result", result(item, "SUCCESS", "HELLO"))
		require.Equal(t, http.StatusConflict, code, "%v", res)

		ex := f.finish(exID)
		require.Equal(t, workflow.StateError, ex.State)
	})
}

func TestReleaseHandsBackUnrun(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		exID := f.start()
		first := f.claimOne(30)
		code, res := f.post("release", map[string]any{"executor": "py-1", "leases": []any{lease(first)}})
		require.Equal(t, http.StatusOK, code, "%v", res)
		require.Equal(t, []any{first["id"]}, res["released"])

		// Releasing again: not held any more.
		code, res = f.post("release", map[string]any{"executor": "py-1", "leases": []any{lease(first)}})
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, []any{first["id"]}, res["lost"])

		// Available at once, under a new lease; the old one reports nothing.
		second := f.claimOne(30)
		require.Equal(t, first["id"], second["id"])
		require.NotEqual(t, first["lease_token"], second["lease_token"])
		code, res = f.post("result", result(first, "SUCCESS", "OLD"))
		require.Equal(t, http.StatusConflict, code, "%v", res)
		code, _ = f.post("result", result(second, "SUCCESS", "NEW"))
		require.Equal(t, http.StatusOK, code)

		ex := f.finish(exID)
		require.Equal(t, workflow.StateSuccess, ex.State, ex.StateInfo)
		require.True(t, value.Equal(value.MapOf("got", "NEW"), ex.Output))
	})
}

// A partitioned executor comes back after its lease expired and the
// rescuer failed the (not safe-rerun) action: its result is refused and
// never applied.
func TestLateResultAfterRescueIsStale(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		exID := f.start()
		item := f.claimOne(1)
		time.Sleep(1100 * time.Millisecond)
		n, err := f.eng.RescueOnce(t.Context())
		require.NoError(t, err)
		require.Equal(t, 1, n)

		code, res := f.post("result", result(item, "SUCCESS", "HELLO"))
		require.Equal(t, http.StatusConflict, code, "%v", res)
		require.Equal(t, "STALE", res["error_code"])
		code, res = f.post("heartbeat", map[string]any{"executor": "py-1", "leases": []any{lease(item)}})
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, []any{item["id"]}, res["lost"])

		ex := f.finish(exID)
		require.Equal(t, workflow.StateError, ex.State)
		require.Contains(t, ex.StateInfo, engine.ExecutorLost)
		act, err := f.st.ActionExecutionGet(t.Context(), item["id"].(string))
		require.NoError(t, err)
		require.Equal(t, workflow.StateError, act.State)
		require.Equal(t, engine.ExecutorLost, act.Result, "the late result was not applied")
	})
}

func TestLongPollWakesOnNewWork(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		type answer struct {
			code int
			res  map[string]any
			took time.Duration
		}
		got := make(chan answer, 1)
		go func() {
			began := time.Now()
			code, res := f.post("claim", map[string]any{"executor": "py-1", "target": "python", "wait": 10})
			got <- answer{code, res, time.Since(began)}
		}()
		time.Sleep(200 * time.Millisecond)
		f.start()
		a := <-got
		require.Equal(t, http.StatusOK, a.code)
		require.Len(t, a.res["items"], 1)
		require.Less(t, a.took, 5*time.Second, "the claim answered when work came, not at the end of its wait")

		// With nothing to do, the claim answers empty after its wait.
		began := time.Now()
		code, res := f.post("claim", map[string]any{"executor": "py-1", "target": "python", "wait": 0.3})
		require.Equal(t, http.StatusOK, code)
		require.Empty(t, res["items"])
		require.GreaterOrEqual(t, time.Since(began), 300*time.Millisecond)
	})
}

func TestClaimIDReplaysTheSameItems(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		f.start()
		body := map[string]any{"executor": "py-1", "target": "python", "wait": 1, "claim_id": "c-1"}
		code, first := f.post("claim", body)
		require.Equal(t, http.StatusOK, code)
		require.Len(t, first["items"], 1)
		code, again := f.post("claim", body)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, first["items"], again["items"], "a repeated claim gets the same lease, not a second one")
	})
}

func TestAuthAndBadRequests(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		for _, tok := range []string{"", "wrong"} {
			code, res := f.postAs(tok, "claim", map[string]any{"executor": "py-1"})
			require.Equal(t, http.StatusUnauthorized, code)
			require.Equal(t, "UNAUTHORIZED", res["error_code"])
		}
		code, res := f.post("claim", map[string]any{"target": "python"})
		require.Equal(t, http.StatusBadRequest, code, "%v", res)
		code, res = f.post("result", map[string]any{"id": "x", "lease_token": "y", "state": "DONE"})
		require.Equal(t, http.StatusBadRequest, code, "%v", res)
		code, res = f.post("result", map[string]any{"id": "x", "lease_token": "y", "state": "SUCCESS", "async": true})
		require.Equal(t, http.StatusBadRequest, code, "%v", res)
		code, res = f.post("heartbeat", map[string]any{"executor": "py-1", "leases": []any{map[string]any{"id": "x"}}})
		require.Equal(t, http.StatusBadRequest, code, "%v", res)
		// An unknown item is simply not ours.
		code, res = f.post("result", map[string]any{"id": id.New(), "lease_token": "y", "attempt": 1, "state": "SUCCESS"})
		require.Equal(t, http.StatusConflict, code, "%v", res)
	})
}

func TestAsyncReportLeavesTheActionRunning(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		exID := f.start()
		item := f.claimOne(30)
		code, res := f.post("result", map[string]any{"id": item["id"], "lease_token": item["lease_token"], "attempt": item["attempt"], "async": true})
		require.Equal(t, http.StatusOK, code, "%v", res)
		code, res = f.post("result", map[string]any{"id": item["id"], "lease_token": item["lease_token"], "attempt": item["attempt"], "async": true})
		require.Equal(t, http.StatusOK, code, "%v", res)
		require.Equal(t, "already_recorded", res["status"])

		act, err := f.st.ActionExecutionGet(t.Context(), item["id"].(string))
		require.NoError(t, err)
		require.Equal(t, workflow.StateRunning, act.State)
		// The delegate's callback completes it, as for std.mistral_http.
		_, err = f.eng.CompleteAction(t.Context(), engine.ActionCompletion{
			ActionExecutionID: act.ID, State: workflow.StateSuccess, Result: "LATER",
		})
		require.NoError(t, err)
		ex := f.finish(exID)
		require.Equal(t, workflow.StateSuccess, ex.State, ex.StateInfo)
	})
}

// The API's stop ends waiting claims at once.
func TestShutdownEndsLongPolls(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t)
	eng := engine.New(st, action.NewStandard(action.StdOptions{}), expression.New(expression.Options{}), engine.Options{})
	x := executorapi.New(st, eng, executorapi.Options{})
	srv := httptest.NewServer(x)
	defer srv.Close()
	done := make(chan time.Duration, 1)
	go func() {
		began := time.Now()
		res, err := http.Post(srv.URL+"/v2/executor/claim", "application/json", bytes.NewReader([]byte(`{"executor":"e","wait":20}`)))
		if err == nil {
			res.Body.Close()
		}
		done <- time.Since(began)
	}()
	time.Sleep(100 * time.Millisecond)
	x.Shutdown()
	select {
	case took := <-done:
		require.Less(t, took, 5*time.Second)
	case <-time.After(10 * time.Second):
		t.Fatal("the claim kept waiting after Shutdown")
	}
}

// lease_valid_for counts the lease from when the claim arrived, so an
// executor that adds it to the time it sent the claim gets a deadline on
// its own clock that is never later than the real one. On a clock that
// stands still, the claim is answered the instant it arrived: the lease
// is valid for exactly its length.
func TestClaimSaysHowLongTheLeaseIsValid(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			eng := engine.New(st, action.NewStandard(action.StdOptions{}), expression.New(expression.Options{}), engine.Options{})
			// Ahead of the engine's clock, so the work item is due.
			now := time.Now().UTC().Add(time.Minute).Truncate(time.Millisecond)
			x := executorapi.New(st, eng, executorapi.Options{Now: func() time.Time { return now }})
			srv := httptest.NewServer(x)
			t.Cleanup(func() { x.Shutdown(); srv.Close() })
			require.NoError(t, st.WorkflowDefinitionCreate(t.Context(), &store.WorkflowDefinition{
				ID: id.New(), Name: "remote", Definition: remoteWorkflow, CreatedAt: now, UpdatedAt: now,
			}))
			f := &fixture{t: t, st: st, eng: eng, url: srv.URL}
			f.start()
			code, res := f.postAs("", "claim", map[string]any{"executor": "py-1", "target": "python", "lease": 12})
			require.Equal(t, http.StatusOK, code, "%v", res)
			items := res["items"].([]any)
			require.Len(t, items, 1)
			item := items[0].(map[string]any)
			require.EqualValues(t, 12, item["lease_seconds"])
			require.EqualValues(t, 12, item["lease_valid_for"])
		})
	}
}
