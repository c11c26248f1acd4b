package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRunAndValidateCommands runs `bora run` and `bora validate` as a user
// does and checks their exit codes and what they print.
func TestRunAndValidateCommands(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		args       []string
		exit       int
		stdoutJSON map[string]any // the printed output, when set
		stdout     string         // a text stdout must contain
		stderr     string         // a text stderr must contain
	}{
		{name: "a workflow that succeeds prints its output",
			args: []string{"run", "testdata/hello.yaml", "--input", `{"name": "bora"}`}, exit: 0,
			stdoutJSON: map[string]any{"greeting": "Hello, bora!"}},
		{name: "input defaults apply",
			args: []string{"run", "testdata/hello.yaml"}, exit: 0,
			stdoutJSON: map[string]any{"greeting": "Hello, World!"}},
		{name: "a failed workflow exits 1 with the reason",
			args: []string{"run", "testdata/fails.yaml"}, exit: 1, stderr: "it broke"},
		{name: "input that is not a JSON object is refused",
			args: []string{"run", "testdata/hello.yaml", "--input", `[1]`}, exit: 2, stderr: "input"},
		{name: "an invalid document is refused with its position",
			args: []string{"run", "testdata/invalid.yaml"}, exit: 2, stderr: "invalid.yaml:6"},
		// As in Mistral, a task whose input cannot be evaluated never
		// starts: the workflow fails at once and on-error does not run.
		{name: "a runaway expression fails its task at the time limit, not the process",
			args: []string{"run", "testdata/runaway.yaml", "--expression-timeout", "200ms"}, exit: 1,
			stderr: "evaluation exceeded its time limit of 200ms, wf=runaway, task=spin"},
		{name: "validate accepts a valid file",
			args: []string{"validate", "testdata/hello.yaml"}, exit: 0, stdout: "valid"},
		{name: "validate names the place of an error",
			args: []string{"validate", "testdata/invalid.yaml"}, exit: 1, stdout: "nowhere"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(boraBinary, c.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				code = exitErr.ExitCode()
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, c.exit, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
			if c.stdoutJSON != nil {
				var got map[string]any
				require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), stdout.String())
				require.Equal(t, c.stdoutJSON, got)
			}
			require.Contains(t, stdout.String(), c.stdout)
			require.Contains(t, stderr.String(), c.stderr)
		})
	}
}
