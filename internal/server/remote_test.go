package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/executor"
	"github.com/bora-workflow/bora/internal/server"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// remoteWorkflows call actions the server does not know; only an executor
// serving their target runs them.
const remoteWorkflows = `---
version: '2.0'
shout:
  input:
    - text
  output:
    got: <% $.got %>
  tasks:
    t:
      action: remote.shout text=<% $.text %>
      target: gpu
      publish:
        got: <% task().result %>
hold:
  output:
    got: <% $.got %>
  tasks:
    t:
      action: remote.hold
      target: gpu
      publish:
        got: <% task().result %>
`

const executorToken = "s3cret"

// startRemoteServer runs api and engine roles (no local executor) with an
// executor token, and loads remoteWorkflows.
func startRemoteServer(t *testing.T, st store.Store) (client, *server.Process) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	p := server.New(st, server.Config{
		Listen: "127.0.0.1:0", Roles: []string{server.RoleAPI, server.RoleEngine}, ExecutorToken: executorToken,
	})
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, func(a string) { addr <- a }) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	c := client{t: t, base: "http://" + <-addr}
	code, body := c.do("POST", "/v2/workflows", "text/plain", remoteWorkflows)
	require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(body))
	return c, p
}

func (c client) start(workflow, input string) string {
	c.t.Helper()
	code, ex := c.do("POST", "/v2/executions", "application/json", `{"workflow_name": "`+workflow+`", "input": `+input+`}`)
	require.Equal(c.t, http.StatusCreated, code, "%s", value.MustEncode(ex))
	return str(c.t, ex, "id")
}

// holder is an action that runs until released, counting its runs.
type holder struct {
	started chan struct{}
	release chan struct{}
	runs    atomic.Int32
}

func newHolder() *holder {
	return &holder{started: make(chan struct{}, 8), release: make(chan struct{})}
}

func remoteActions(h *holder) *action.Registry {
	return action.NewRegistry(
		&action.Definition{
			Name: "remote.shout", Params: []action.Param{action.Required("text")},
			Run: func(_ context.Context, in *value.Map, _ action.ExecutionContext) action.Outcome {
				v, _ := in.Get("text")
				s, _ := v.(string)
				return action.Outcome{Result: s + "!"}
			},
		},
		&action.Definition{
			Name: "remote.hold",
			Run: func(context.Context, *value.Map, action.ExecutionContext) action.Outcome {
				h.runs.Add(1)
				h.started <- struct{}{}
				<-h.release
				return action.Outcome{Result: "held"}
			},
		},
	)
}

// runRemote runs a remote executor over HTTP until the returned stop is called.
func runRemote(t *testing.T, src executor.Source, reg *action.Registry, lease time.Duration) (stop func() error) {
	t.Helper()
	x := executor.NewWithSource(src, reg, executor.Options{
		Name: "gpu-1", Target: "gpu", Slots: 4, Lease: lease, PollInterval: time.Second, DrainTimeout: 10 * time.Second,
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	var once atomic.Bool
	stop = func() error {
		if once.Swap(true) {
			return nil
		}
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func eachRemoteStore(t *testing.T, fn func(t *testing.T, st store.Store)) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}

func TestRemoteExecutorOverHTTP(t *testing.T) {
	eachRemoteStore(t, func(t *testing.T, st store.Store) {
		c, _ := startRemoteServer(t, st)

		// A wrong token is refused, and not as something to retry.
		_, err := executor.NewHTTPSource(c.base, "wrong", nil).Claim(t.Context(), executor.ClaimRequest{Owner: "x", Targets: []string{"gpu"}, Max: 1})
		require.Error(t, err)
		require.False(t, errors.Is(err, executor.ErrUnavailable) || errors.Is(err, executor.ErrLeaseLost), "%v", err)
		require.Contains(t, err.Error(), "401")

		stop := runRemote(t, executor.NewHTTPSource(c.base, executorToken, nil), remoteActions(newHolder()), 3*time.Second)
		ids := make([]string, 5)
		for i := range ids {
			ids[i] = c.start("shout", `"{\"text\": \"hi\"}"`)
		}
		for _, exID := range ids {
			ex := c.waitState(exID)
			require.Equal(t, "SUCCESS", str(t, ex, "state"), "%s", value.MustEncode(ex))
			require.True(t, value.Equal(value.MapOf("got", "hi!"), jsonField(t, ex, "output")))
		}
		require.NoError(t, stop())
	})
}

// TestRemoteExecutorGracefulStop stops a remote executor while its action
// runs: it finishes and reports the action, then returns; nothing runs twice.
func TestRemoteExecutorGracefulStop(t *testing.T) {
	eachRemoteStore(t, func(t *testing.T, st store.Store) {
		c, p := startRemoteServer(t, st)
		h := newHolder()
		stop := runRemote(t, executor.NewHTTPSource(c.base, executorToken, nil), remoteActions(h), 3*time.Second)
		exID := c.start("hold", `"{}"`)
		<-h.started

		stopped := make(chan error, 1)
		go func() { stopped <- stop() }()
		select {
		case <-stopped:
			t.Fatal("the executor returned while its action was still running")
		case <-time.After(300 * time.Millisecond):
		}
		close(h.release)
		require.NoError(t, <-stopped)

		ex := c.waitState(exID)
		require.Equal(t, "SUCCESS", str(t, ex, "state"), "%s", value.MustEncode(ex))
		require.True(t, value.Equal(value.MapOf("got", "held"), jsonField(t, ex, "output")))
		require.Equal(t, int32(1), h.runs.Load())
		n, err := p.Engine.RescueOnce(t.Context())
		require.NoError(t, err)
		require.Zero(t, n, "no lease was left to expire")
	})
}

// partition is an HTTP transport that can be cut, as a network partition
// between a remote executor and the API would.
type partition struct{ cut atomic.Bool }

func (p *partition) RoundTrip(r *http.Request) (*http.Response, error) {
	if p.cut.Load() {
		return nil, errors.New("partitioned")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestPartitionedRemoteExecutorIsFenced cuts a remote executor off while
// it runs a (not safe-rerun) action, past its lease: the rescuer fails the
// action as lost, and when the executor comes back its result is refused
// and never applied.
func TestPartitionedRemoteExecutorIsFenced(t *testing.T) {
	eachRemoteStore(t, func(t *testing.T, st store.Store) {
		c, p := startRemoteServer(t, st)
		h := newHolder()
		net := &partition{}
		stop := runRemote(t, executor.NewHTTPSource(c.base, executorToken, &http.Client{Transport: net}), remoteActions(h), time.Second)
		exID := c.start("hold", `"{}"`)
		<-h.started

		net.cut.Store(true)
		time.Sleep(1500 * time.Millisecond) // past the lease
		n, err := p.Engine.RescueOnce(t.Context())
		require.NoError(t, err)
		require.Equal(t, 1, n)
		ex := c.waitState(exID)
		require.Equal(t, "ERROR", str(t, ex, "state"))
		require.Contains(t, str(t, ex, "state_info"), engine.ExecutorLost)

		net.cut.Store(false)
		close(h.release) // the action finishes; its report must be refused
		require.NoError(t, stop())

		acts, err := st.ActionExecutionList(t.Context(), store.ActionExecutionListParams{ExecutionID: exID})
		require.NoError(t, err)
		require.Len(t, acts, 1)
		require.Equal(t, workflow.StateError, acts[0].State)
		require.Equal(t, engine.ExecutorLost, acts[0].Result, "the late result was not applied")
		require.Equal(t, int32(1), h.runs.Load())
	})
}

// loseOneClaimAnswer delivers a claim to the server but loses the first
// answer that carries items, as a connection reset after the server
// committed would.
type loseOneClaimAnswer struct{ lost atomic.Bool }

func (l *loseOneClaimAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/claim") {
		return res, err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	if bytes.Contains(raw, []byte(`"lease_token"`)) && !l.lost.Swap(true) {
		return nil, errors.New("connection reset by peer")
	}
	res.Body = io.NopCloser(bytes.NewReader(raw))
	return res, nil
}

// TestLostClaimAnswerIsRecovered: the HTTP source repeats a claim whose
// answer was lost with the same claim id and gets the items leased by the
// first, instead of leaving them leased to nobody until the rescuer fails
// them.
func TestLostClaimAnswerIsRecovered(t *testing.T) {
	eachRemoteStore(t, func(t *testing.T, st store.Store) {
		c, _ := startRemoteServer(t, st)
		exID := c.start("shout", `"{\"text\": \"again\"}"`)
		lossy := &loseOneClaimAnswer{}
		src := executor.NewHTTPSource(c.base, executorToken, &http.Client{Transport: lossy})
		items, err := src.Claim(t.Context(), executor.ClaimRequest{Owner: "gpu-1", Targets: []string{"gpu"}, Max: 1, Lease: 30 * time.Second, Wait: 5 * time.Second})
		require.NoError(t, err)
		require.True(t, lossy.lost.Load(), "the first answer was lost")
		require.Len(t, items, 1)
		require.NoError(t, src.Report(t.Context(), items[0], action.Outcome{Result: "AGAIN!"}))
		// Reporting again (the answer was lost too) is harmless.
		require.NoError(t, src.Report(t.Context(), items[0], action.Outcome{Result: "AGAIN!"}))
		ex := c.waitState(exID)
		require.Equal(t, "SUCCESS", str(t, ex, "state"), "%s", value.MustEncode(ex))
		require.True(t, value.Equal(value.MapOf("got", "AGAIN!"), jsonField(t, ex, "output")))
	})
}

// TestTargetReachesExecutorByName routes a task with `target: box-7` to
// the remote executor named box-7, which was started without --target and
// so serves the default queue and its own name, as a Mistral executor
// serves the common queue and its host's.
func TestTargetReachesExecutorByName(t *testing.T) {
	eachRemoteStore(t, func(t *testing.T, st store.Store) {
		c, _ := startRemoteServer(t, st)
		code, body := c.do("POST", "/v2/workflows", "text/plain", `---
version: '2.0'
to_box7:
  output:
    got: <% $.got %>
  tasks:
    t:
      action: remote.shout text="box"
      target: box-7
      publish:
        got: <% task().result %>
`)
		require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(body))
		x := executor.NewWithSource(executor.NewHTTPSource(c.base, executorToken, nil), remoteActions(newHolder()), executor.Options{
			Name: "box-7", Slots: 2, Lease: 3 * time.Second, PollInterval: time.Second, DrainTimeout: 10 * time.Second,
		})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- x.Run(ctx) }()
		defer func() { cancel(); require.NoError(t, <-done) }()

		ex := c.waitState(c.start("to_box7", `"{}"`))
		require.Equal(t, "SUCCESS", str(t, ex, "state"), "%s", value.MustEncode(ex))
		require.True(t, value.Equal(value.MapOf("got", "box!"), jsonField(t, ex, "output")))
	})
}
