package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
)

const remoteSinkWorkflow = `version: '2.0'
call_sink:
  input:
    - url
  output:
    status: <% $.status %>
  tasks:
    t:
      action: std.http url=<% $.url %>
      target: remote
      publish:
        status: <% task().result.status %>
`

// sink counts the calls an action makes and holds each until released, so
// a test can stop an executor while the action runs.
type sink struct {
	hits    atomic.Int32
	started chan struct{}
	release chan struct{}
}

func (s *sink) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.hits.Add(1)
	s.started <- struct{}{}
	<-s.release
	w.WriteHeader(http.StatusOK)
}

// TestExecutorCommandStopsGracefully runs `bora executor` as a real
// process against a `bora server`, sends it SIGTERM while its action runs,
// and expects it to finish and report the action, exit 0, and nothing to
// have run twice.
func TestExecutorCommandStopsGracefully(t *testing.T) {
	t.Parallel()
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "bora.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresSchemaURL(t) },
	}
	for name, db := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sk := &sink{started: make(chan struct{}, 4), release: make(chan struct{})}
			sinkSrv := httptest.NewServer(sk)
			defer sinkSrv.Close()
			srv := startBora(t, db(t), freeAddr(t))

			code, body := srv.call("POST", "/v2/workflows", remoteSinkWorkflow)
			require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(body))
			code, ex := srv.call("POST", "/v2/executions", `{"workflow_name": "call_sink", "input": {"url": "`+sinkSrv.URL+`"}}`)
			require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(ex))
			exID := field(t, ex, "id")

			cmd := exec.Command(boraBinary, "executor", "--api", srv.base, "--target", "remote", "--name", "remote-1",
				"--wait", "1s", "--lease", "3s")
			if testing.Verbose() {
				cmd.Stderr = os.Stderr
			}
			require.NoError(t, cmd.Start())
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				<-exited
			})

			select {
			case <-sk.started:
			case <-time.After(20 * time.Second):
				t.Fatal("the remote executor did not run the action")
			}
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			select {
			case err := <-exited:
				t.Fatalf("the executor exited (%v) while its action was running", err)
			case <-time.After(500 * time.Millisecond):
			}
			close(sk.release)
			select {
			case err := <-exited:
				require.NoError(t, err, "a graceful stop exits 0")
				exited <- nil // for the cleanup
			case <-time.After(20 * time.Second):
				t.Fatal("the executor did not exit after its action finished")
			}

			deadline := time.Now().Add(20 * time.Second)
			for time.Now().Before(deadline) {
				_, ex = srv.call("GET", "/v2/executions/"+exID, "")
				if field(t, ex, "state") != "RUNNING" {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			require.Equal(t, "SUCCESS", field(t, ex, "state"), "state_info: %s", field(t, ex, "state_info"))
			out, err := value.DecodeString(field(t, ex, "output"))
			require.NoError(t, err)
			require.True(t, value.Equal(value.MapOf("status", int64(200)), out), "output: %s", field(t, ex, "output"))
			require.Equal(t, int32(1), sk.hits.Load(), "the action ran once")
		})
	}
}
