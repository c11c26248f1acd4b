package server_test

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/server"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/value"
)

const pythonWorkflow = `---
version: '2.0'
upper:
  input:
    - text
  output:
    got: <% $.got %>
  tasks:
    t:
      action: py.upper text=<% $.text %>
      target: python
      publish:
        got: <% task().result %>
      on-success: again
    again:
      action: py.upper text="<% $.got %> and more"
      target: python
      publish:
        got: <% task().result %>
`

// TestPythonExampleExecutor runs examples/python_executor.py, the protocol
// in ~50 lines of standard-library Python, against a real server.
func TestPythonExampleExecutor(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed; the example executor is tested where it is (CI)")
	}
	script, err := filepath.Abs("../../examples/python_executor.py")
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	p := server.New(storetest.OpenSQLite(t), server.Config{Listen: "127.0.0.1:0", ExecutorToken: executorToken})
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, func(a string) { addr <- a }) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	c := client{t: t, base: "http://" + <-addr}
	code, body := c.do("POST", "/v2/workflows", "text/plain", pythonWorkflow)
	require.Equal(t, http.StatusCreated, code, "%s", value.MustEncode(body))

	cmd := exec.Command(python, script, "--api", c.base, "--target", "python", "--name", "py-test")
	cmd.Env = append(os.Environ(), "BORA_EXECUTOR_TOKEN="+executorToken)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case l := <-lines:
		require.Equal(t, "python executor ready", l)
	case <-time.After(20 * time.Second):
		t.Fatal("the python executor did not start")
	}

	exID := c.start("upper", `"{\"text\": \"hello\"}"`)
	ex := c.waitState(exID)
	require.Equal(t, "SUCCESS", str(t, ex, "state"), "%s", value.MustEncode(ex))
	require.True(t, value.Equal(value.MapOf("got", "HELLO AND MORE"), jsonField(t, ex, "output")), "output %s", str(t, ex, "output"))

	// SIGTERM: it stops claiming and exits cleanly within its wait.
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("the python executor did not stop on SIGTERM")
	}
	recorded := 0
	for l := range lines {
		if strings.HasPrefix(l, "reported ") && strings.HasSuffix(l, " SUCCESS 200 recorded") {
			recorded++
		}
	}
	require.Equal(t, 2, recorded, "each action ran and was reported once")
}
