package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
)

// boraBinary is built once by TestMain for the tests that run bora as a
// real process.
var boraBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bora-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	boraBinary = filepath.Join(dir, "bora")
	build := exec.Command("go", "build", "-o", boraBinary, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build bora:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// serverProcess is a `bora server` subprocess.
type serverProcess struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func startBora(t *testing.T, db, addr string) *serverProcess {
	t.Helper()
	cmd := exec.Command(boraBinary, "server", "--db", db, "--listen", addr)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	require.NoError(t, cmd.Start())
	p := &serverProcess{t: t, cmd: cmd, base: "http://" + addr}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(p.base + "/")
		if err == nil {
			res.Body.Close()
			return p
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("bora server on %s did not come up", addr)
	return nil
}

func (p *serverProcess) call(method, path, body string) (int, *value.Map) {
	p.t.Helper()
	req, err := http.NewRequest(method, p.base+path, strings.NewReader(body))
	require.NoError(p.t, err)
	if strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "text/plain")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(p.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(p.t, err)
	v, err := value.Decode(raw)
	require.NoError(p.t, err, "body: %s", raw)
	m, _ := v.(*value.Map)
	return res.StatusCode, m
}

func field(t *testing.T, m *value.Map, key string) string {
	t.Helper()
	v, _ := m.Get(key)
	s, _ := v.(string)
	return s
}

const restartWorkflow = `version: '2.0'
two_steps:
  output:
    first: <% $.first %>
    got: <% $.got %>
  tasks:
    one:
      action: std.echo output="before the crash"
      publish:
        first: <% task().result %>
      on-success: two
    two:
      action: std.async_noop
      publish:
        got: <% task().result %>
`

// TestRestartContinuesExecution kills the server with SIGKILL while an
// execution waits on an async action, starts it again on the same store,
// completes the action through the API and expects the execution to finish
// with the right output.
func TestRestartContinuesExecution(t *testing.T) {
	t.Parallel()
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "bora.db") },
		"postgres": func(t *testing.T) string { return storetest.PostgresSchemaURL(t) },
	}
	for name, db := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dsn := db(t)
			addr := freeAddr(t)
			srv := startBora(t, dsn, addr)

			code, body := srv.call("POST", "/v2/workflows", restartWorkflow)
			require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(body))
			code, ex := srv.call("POST", "/v2/executions", `{"workflow_name": "two_steps"}`)
			require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(ex))
			exID := field(t, ex, "id")
			actionID := waitAsyncAction(t, srv, exID)

			require.NoError(t, srv.cmd.Process.Signal(syscall.SIGKILL))
			_ = srv.cmd.Wait()

			srv = startBora(t, dsn, addr)
			code, body = srv.call("PUT", "/v2/action_executions/"+actionID, `{"state": "SUCCESS", "output": {"answer": 42}}`)
			require.Equal(t, http.StatusOK, code, "%s", value.MustEncode(body))

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
			require.True(t, value.Equal(value.MapOf("first", "before the crash", "got", value.MapOf("answer", int64(42))), out),
				"output: %s", field(t, ex, "output"))

			// SIGTERM stops the server gracefully with exit code 0.
			require.NoError(t, srv.cmd.Process.Signal(syscall.SIGTERM))
			require.NoError(t, srv.cmd.Wait())
		})
	}
}

func waitAsyncAction(t *testing.T, srv *serverProcess, exID string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		_, tasks := srv.call("GET", "/v2/tasks?workflow_execution_id="+exID, "")
		list, _ := tasks.Get("tasks")
		for _, item := range list.([]any) {
			task := item.(*value.Map)
			if field(t, task, "name") != "two" {
				continue
			}
			_, acts := srv.call("GET", "/v2/action_executions?task_execution_id="+field(t, task, "id"), "")
			al, _ := acts.Get("action_executions")
			for _, a := range al.([]any) {
				if field(t, a.(*value.Map), "state") == "RUNNING" {
					return field(t, a.(*value.Map), "id")
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("task two of %s never started its async action", exID)
	return ""
}
