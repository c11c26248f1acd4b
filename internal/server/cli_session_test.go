package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/server"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
)

// The real `mistral` command-line client (python3-mistralclient 4.5)
// drives a bora server through every command of the workflow service, and
// the exit codes and the fields it prints are checked. The client is not
// a Go dependency: without it the test is skipped, unless
// BORA_REQUIRE_CLI is set (CI sets it, and installs the client).

// cliSession runs mistral commands against one bora server.
type cliSession struct {
	t   *testing.T
	url string
	dir string // files the commands read
	env []string
}

func newCLISession(t *testing.T, st store.Store) *cliSession {
	t.Helper()
	bin, err := exec.LookPath("mistral")
	if err != nil {
		if os.Getenv("BORA_REQUIRE_CLI") != "" {
			t.Fatalf("the mistral client is required (BORA_REQUIRE_CLI is set) but not found: %v; apt-get install -y python3-mistralclient", err)
		}
		t.Skip("the mistral client is not installed (apt-get install -y python3-mistralclient); BORA_REQUIRE_CLI makes this a failure")
	}
	_ = bin
	ctx, cancel := context.WithCancel(t.Context())
	p := server.New(st, server.Config{Listen: "127.0.0.1:0"})
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, func(a string) { addr <- a }) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return newCLISessionAt(t, "http://"+<-addr+"/v2")
}

// newCLISessionAt runs the client against the API at url (a bora started
// by the test, or the real Mistral when recording).
func newCLISessionAt(t *testing.T, url string) *cliSession {
	t.Helper()
	if _, err := exec.LookPath("mistral"); err != nil {
		t.Skip("the mistral client is not installed (apt-get install -y python3-mistralclient)")
	}
	// No authentication: the client must not pick up a Keystone setup
	// from the environment.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OS_") {
			env = append(env, kv)
		}
	}
	return &cliSession{t: t, url: url, dir: t.TempDir(), env: env}
}

// run runs one command and returns its exit code, stdout and stderr.
func (c *cliSession) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "mistral", append([]string{"--os-mistral-url", c.url}, args...)...)
	cmd.Env = c.env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else {
		require.NoError(t, err, "mistral %s", strings.Join(args, " "))
	}
	return code, stdout.String(), stderr.String()
}

// ok runs a command that must succeed and returns what it printed.
func (c *cliSession) ok(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := c.run(t, args...)
	require.Equal(t, 0, code, "mistral %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), out, errOut)
	return out
}

// fails runs a command that must fail and returns its error output.
func (c *cliSession) fails(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := c.run(t, args...)
	require.NotEqual(t, 0, code, "mistral %s should fail\nstdout: %s", strings.Join(args, " "), out)
	return errOut
}

// show runs a show command with `-f json` and returns its fields by heading.
func (c *cliSession) show(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out := c.ok(t, append(args, "-f", "json")...)
	var fields map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &fields), "not JSON: %s", out)
	return fields
}

// list runs a list command with `-f json` and returns its rows by heading.
func (c *cliSession) list(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	out := c.ok(t, append(args, "-f", "json")...)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &rows), "not JSON: %s", out)
	return rows
}

// file writes a file the commands read and returns its path.
func (c *cliSession) file(name, text string) string {
	path := filepath.Join(c.dir, name)
	require.NoError(c.t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

func column(rows []map[string]any, heading string) []any {
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = r[heading]
	}
	return out
}

// printedJSON decodes what a get-input/get-output style command printed.
func printedJSON(t *testing.T, out string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(out), &v), "not JSON: %s", out)
	return v
}

const cliWorkflows = `---
version: '2.0'
cli_echo:
  input:
    - x: 1
  output:
    y: <% $.y %>
  tasks:
    t1:
      action: std.echo output=<% $.x %>
      publish:
        y: <% task().result %>
cli_fail:
  tasks:
    first:
      action: std.echo output=<% env().get(ok, false) %>
      on-success: [check]
    check:
      action: std.fail
      retry:
        count: 1
        delay: 0
cli_parent:
  tasks:
    call:
      workflow: cli_echo
      input:
        x: 7
cli_list:
  tasks:
    one:
      action: std.noop
cli_wait:
  tasks:
    wait:
      action: std.sleep seconds=30
`

const cliWorkbook = `---
version: '2.0'
name: cli_book
workflows:
  inner:
    tasks:
      one:
        action: std.noop
actions:
  shout:
    base: std.echo
    base-input:
      output: <% $.text %>!
    input:
      - text
`

const cliActions = `---
version: '2.0'
cli_greet:
  description: says hello
  base: std.echo
  base-input:
    output: Hello, <% $.name %>
  input:
    - name
`

func TestMistralCLISession(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t)
	c := newCLISession(t, st)

	c.ok(t, "workflow-validate", c.file("wf.yaml", cliWorkflows))
	rows := c.list(t, "workflow-create", c.file("wf.yaml", cliWorkflows))
	require.ElementsMatch(t, []any{"cli_echo", "cli_fail", "cli_list", "cli_parent", "cli_wait"}, column(rows, "Name"))

	t.Run("services", func(t *testing.T) {
		t.Parallel()
		rows := c.list(t, "service-list")
		require.ElementsMatch(t, []any{"api_group", "engine_group", "executor_group"}, column(rows, "Type"))
	})
	t.Run("workflows", func(t *testing.T) { t.Parallel(); c.workflows(t) })
	t.Run("workbooks", func(t *testing.T) { t.Parallel(); c.workbooks(t) })
	t.Run("actions", func(t *testing.T) { t.Parallel(); c.actions(t) })
	t.Run("environments", func(t *testing.T) { t.Parallel(); c.environments(t) })
	t.Run("executions", func(t *testing.T) { t.Parallel(); c.executions(t) })
	t.Run("tasks", func(t *testing.T) { t.Parallel(); c.tasks(t) })
	t.Run("action-executions", func(t *testing.T) { t.Parallel(); c.actionExecutions(t) })
	t.Run("cron-triggers", func(t *testing.T) { t.Parallel(); c.cronTriggers(t, st) })
}

func (c *cliSession) workflows(t *testing.T) {
	wf := c.show(t, "workflow-get", "cli_echo")
	require.Equal(t, "cli_echo", wf["Name"])
	require.Equal(t, `x="1"`, wf["Input"])
	require.Equal(t, "private", wf["Scope"])
	require.NotEmpty(t, wf["Created at"])
	def := c.ok(t, "workflow-get-definition", "cli_echo")
	require.Contains(t, def, "cli_echo:")
	rows := c.list(t, "workflow-list", "--filter", "name=cli_echo")
	require.Equal(t, []any{"cli_echo"}, column(rows, "Name"))
	rows = c.list(t, "workflow-list", "--filter", "name=in:cli_echo,cli_list", "--sort_keys", "name")
	require.Equal(t, []any{"cli_echo", "cli_list"}, column(rows, "Name"))
	rows = c.list(t, "workflow-list", "--limit", "2", "--sort_keys", "name", "--sort_dirs", "desc")
	require.Equal(t, []any{"cli_wait", "cli_parent"}, column(rows, "Name"))

	c.ok(t, "workflow-create", c.file("tmp.yaml", "version: '2.0'\ncli_tmp:\n  tasks:\n    a:\n      action: std.noop\n"))
	rows = c.list(t, "workflow-update", c.file("tmp2.yaml", "version: '2.0'\ncli_tmp:\n  input: [z]\n  tasks:\n    a:\n      action: std.noop\n"))
	require.Equal(t, []any{"z"}, column(rows, "Input"))
	out := c.ok(t, "workflow-delete", "cli_tmp")
	require.Contains(t, out, "has been accepted")
	require.Contains(t, c.fails(t, "workflow-get", "cli_tmp"), "Workflow not found")
	out = c.ok(t, "workflow-validate", c.file("bad.yaml", "version: '2.0'\nbad:\n  tasks: 5\n"))
	require.Contains(t, out, "False")
}

func (c *cliSession) workbooks(t *testing.T) {
	c.ok(t, "workbook-validate", c.file("wb.yaml", cliWorkbook))
	wb := c.show(t, "workbook-create", c.file("wb.yaml", cliWorkbook))
	require.Equal(t, "cli_book", wb["Name"])
	wb = c.show(t, "workbook-get", "cli_book")
	require.Equal(t, "cli_book", wb["Name"])
	require.Contains(t, c.ok(t, "workbook-get-definition", "cli_book"), "name: cli_book")
	require.Contains(t, column(c.list(t, "workbook-list"), "Name"), "cli_book")
	updated := strings.Replace(cliWorkbook, "std.noop", "std.echo output=1", 1)
	wb = c.show(t, "workbook-update", c.file("wb2.yaml", updated))
	require.NotEqual(t, "None", wb["Updated at"])
	require.Contains(t, c.ok(t, "workbook-get-definition", "cli_book"), "output=1")
	ex := c.show(t, "execution-create", "cli_book.inner")
	c.waitExecution(t, ex["ID"].(string), "SUCCESS")
	require.Contains(t, c.ok(t, "workbook-delete", "cli_book"), "has been accepted")
	require.Contains(t, c.fails(t, "workbook-get", "cli_book"), "not found")
}

func (c *cliSession) actions(t *testing.T) {
	c.ok(t, "action-validate", c.file("act.yaml", cliActions))
	rows := c.list(t, "action-create", c.file("act.yaml", cliActions))
	require.Equal(t, []any{"cli_greet"}, column(rows, "Name"))
	a := c.show(t, "action-get", "cli_greet")
	require.Equal(t, "says hello", a["Description"])
	require.Equal(t, "name", a["Input"])
	require.Equal(t, false, a["Is system"])
	require.Contains(t, c.ok(t, "action-get-definition", "cli_greet"), "base: std.echo")
	sys := c.show(t, "action-get", "std.echo")
	require.Equal(t, true, sys["Is system"])
	rows = c.list(t, "action-list", "--filter", "name=std.echo")
	require.Equal(t, []any{"std.echo"}, column(rows, "Name"))
	rows = c.list(t, "action-update", c.file("act2.yaml", strings.Replace(cliActions, "says hello", "greets", 1)))
	require.Equal(t, []any{"greets"}, column(rows, "Description"))

	// run-action: the result is printed, synchronously by default. (The
	// engine runs system actions on their own, not ad-hoc ones yet.)
	require.Equal(t, map[string]any{"result": "Hello"},
		printedJSON(t, c.ok(t, "run-action", "std.echo", `{"output": "Hello"}`)))
	require.Equal(t, map[string]any{"result": "hi"},
		printedJSON(t, c.ok(t, "run-action", "std.echo", `{"output": "hi"}`, "--run-sync")))
	// With --save-result alone the action execution is shown instead.
	saved := c.show(t, "run-action", "std.echo", `{"output": "kept"}`, "-s")
	require.Equal(t, "std.echo", saved["Name"])
	require.Contains(t, []any{"RUNNING", "SUCCESS"}, saved["State"])
	require.Contains(t, c.fails(t, "run-action", "std.nope"), "Failed to find action [action_name=std.nope]")

	require.Contains(t, c.ok(t, "action-delete", "cli_greet"), "has been accepted")
	require.Contains(t, c.fails(t, "action-get", "cli_greet"), "not found")
}

func (c *cliSession) environments(t *testing.T) {
	path := c.file("env.json", `{"name": "cli_env", "description": "test env", "variables": {"ok": true, "n": 1}}`)
	env := c.show(t, "environment-create", path)
	require.Equal(t, "cli_env", env["Name"])
	env = c.show(t, "environment-get", "cli_env")
	require.Equal(t, "test env", env["Description"])
	require.Contains(t, env["Variables"], `"ok": true`)
	require.Contains(t, column(c.list(t, "environment-list"), "Name"), "cli_env")
	env = c.show(t, "environment-update", c.file("env2.json", `{"name": "cli_env", "description": "changed", "variables": {"ok": true}}`))
	require.Equal(t, "changed", env["Description"])
	// An execution takes the stored environment by name.
	ex := c.show(t, "execution-create", "cli_fail", "{}", `{"env": "cli_env"}`)
	c.waitExecution(t, ex["ID"].(string), "ERROR")
	require.Contains(t, c.ok(t, "environment-delete", "cli_env"), "has been accepted")
	require.Contains(t, c.fails(t, "environment-get", "cli_env"), "not found")
}

func (c *cliSession) executions(t *testing.T) {
	ex := c.show(t, "execution-create", "cli_echo", `{"x": 3}`, `{"env": {"k": "v"}}`, "-d", "first run")
	id := ex["ID"].(string)
	require.Equal(t, "cli_echo", ex["Workflow name"])
	require.Equal(t, "first run", ex["Description"])
	c.waitExecution(t, id, "SUCCESS")
	ex = c.show(t, "execution-get", id)
	require.Equal(t, "SUCCESS", ex["State"])
	require.Equal(t, "<none>", ex["Task Execution ID"])
	require.NotEmpty(t, ex["Duration"])
	require.Equal(t, map[string]any{"x": float64(3)}, printedJSON(t, c.ok(t, "execution-get-input", id)))
	require.Equal(t, map[string]any{"y": float64(3)}, printedJSON(t, c.ok(t, "execution-get-output", id)))
	require.Equal(t, map[string]any{}, printedJSON(t, c.ok(t, "execution-get-published", id)))

	ex = c.show(t, "execution-update", id, "-d", "renamed")
	require.Equal(t, "renamed", ex["Description"])

	// The list: filters, page size, order (on a workflow only this part runs).
	one := c.show(t, "execution-create", "cli_list")["ID"].(string)
	c.waitExecution(t, one, "SUCCESS")
	two := c.show(t, "execution-create", "cli_list")["ID"].(string)
	c.waitExecution(t, two, "SUCCESS")
	rows := c.list(t, "execution-list", "--filter", "workflow_name=cli_list", "--oldest")
	require.Equal(t, []any{one, two}, column(rows, "ID"))
	rows = c.list(t, "execution-list", "--filter", "workflow_name=cli_list", "--oldest", "--limit", "1", "--marker", one)
	require.Equal(t, []any{two}, column(rows, "ID"))
	rows = c.list(t, "execution-list", "--filter", "state=SUCCESS", "--filter", "workflow_name=cli_list", "--sort_keys", "created_at", "--sort_dirs", "desc", "--limit", "1")
	require.Equal(t, []any{two}, column(rows, "ID"))
	rows = c.list(t, "execution-list", "--filter", "workflow_name=cli_list", "--filter", "created_at=gte:2000-01-01 00:00:00", "--filter", "state=in:SUCCESS,ERROR")
	require.Len(t, rows, 2)
	require.Contains(t, c.fails(t, "execution-list", "--filter", "bogus=1"), "bogus")

	// A parent and its sub-workflow: the tree commands.
	parent := c.show(t, "execution-create", "cli_parent")["ID"].(string)
	c.waitExecution(t, parent, "SUCCESS")
	rows = c.list(t, "execution-get-sub-executions", parent)
	require.Equal(t, []any{"cli_parent", "cli_echo"}, column(rows, "Workflow name"))
	rows = c.list(t, "execution-list", "--task", rows[1]["Task Execution ID"].(string))
	require.Equal(t, []any{"cli_echo"}, column(rows, "Workflow name"))
	rows = c.list(t, "execution-list", "--rootsonly", "--filter", "workflow_name=in:cli_parent,cli_echo")
	require.NotContains(t, column(rows, "Root Execution ID"), parent, "sub-workflows are left out")
	require.Contains(t, column(rows, "ID"), parent)
	report := c.ok(t, "execution-get-report", "--no-errors-only", parent)
	require.Contains(t, report, "workflow 'cli_parent' [SUCCESS] "+parent)
	require.Contains(t, report, "task 'call' [SUCCESS]")
	require.Contains(t, report, "workflow 'cli_echo' [SUCCESS]")
	require.Contains(t, report, "action 'std.echo' [SUCCESS]")
	require.Contains(t, report, "Number of tasks in SUCCESS state: 2")
	report = c.ok(t, "execution-get-report", "--statistics-only", parent)
	require.NotContains(t, report, "Workflow Execution Tree")

	// Pause, change the env, resume, stop, delete.
	wait := c.show(t, "execution-create", "cli_wait")["ID"].(string)
	require.Equal(t, "PAUSED", c.show(t, "execution-update", wait, "-s", "PAUSED")["State"])
	c.ok(t, "execution-update", wait, "-e", `{"extra": 1}`)
	require.Equal(t, "RUNNING", c.show(t, "execution-update", wait, "-s", "RUNNING")["State"])
	require.Contains(t, c.fails(t, "execution-delete", wait), "Unable to delete", "only completed executions can be deleted")
	require.Equal(t, "CANCELLED", c.show(t, "execution-update", wait, "-s", "CANCELLED")["State"])
	c.fails(t, "execution-update", wait, "-s", "PAUSED") // a cancelled execution stays cancelled
	require.Contains(t, c.ok(t, "execution-delete", wait), "has been accepted")
	require.Contains(t, c.fails(t, "execution-get", wait), "WorkflowExecution not found")

	running := c.show(t, "execution-create", "cli_wait")["ID"].(string)
	require.Contains(t, c.ok(t, "execution-delete", "--force", running), "has been accepted")
}

func (c *cliSession) tasks(t *testing.T) {
	id := c.show(t, "execution-create", "cli_fail")["ID"].(string)
	c.waitExecution(t, id, "ERROR")
	rows := c.list(t, "task-list", id)
	require.ElementsMatch(t, []any{"first", "check"}, column(rows, "Name"))
	var checkID, firstID string
	for _, r := range rows {
		if r["Name"] == "check" {
			checkID = r["ID"].(string)
			require.Equal(t, "ERROR", r["State"])
		} else {
			firstID = r["ID"].(string)
		}
	}
	rows = c.list(t, "task-list", id, "--filter", "name=check")
	require.Equal(t, []any{checkID}, column(rows, "ID"))
	task := c.show(t, "task-get", firstID)
	require.Equal(t, "first", task["Name"])
	require.Equal(t, id, task["Workflow Execution ID"])
	require.NotEqual(t, "", task["Finished at"])
	require.Equal(t, false, printedJSON(t, c.ok(t, "task-get-result", firstID)))
	require.Equal(t, map[string]any{}, printedJSON(t, c.ok(t, "task-get-published", firstID)))
	// No sub-workflows: the client prints one blank row.
	require.Equal(t, []any{""}, column(c.list(t, "task-get-sub-executions", firstID), "ID"))

	report := c.ok(t, "execution-get-report", id)
	require.Contains(t, report, "task 'check' [ERROR] "+checkID)
	require.Contains(t, report, "(retry count: 1)")
	require.NotContains(t, report, "task 'first'", "errors only by default")

	require.Contains(t, c.fails(t, "task-rerun", firstID), "must be in ERROR")
	require.Contains(t, c.fails(t, "task-rerun", "--resume", checkID), "Only with-items task")
	before := len(c.list(t, "action-execution-list", checkID))
	rerun := c.show(t, "task-rerun", checkID, "--env", `{"ok": true}`)
	require.Equal(t, checkID, rerun["ID"])
	require.Equal(t, "check", rerun["Name"])
	// std.fail fails again (and may already have when the answer comes):
	// the new action runs are what show the rerun happened.
	c.waitExecution(t, id, "ERROR")
	require.Greater(t, len(c.list(t, "action-execution-list", checkID)), before)

	// task-rerun --resume (reset false): only the failed item of a
	// with-items task runs again, here with the env that fixes it.
	c.ok(t, "workflow-create", c.file("items.yaml", cliItems))
	items := c.show(t, "execution-create", "cli_items", "{}",
		fmt.Sprintf(`{"env": {"good": %q, "bad": "http://127.0.0.1:1/"}}`, c.url))["ID"].(string)
	c.waitExecution(t, items, "ERROR")
	fetch := c.list(t, "task-list", items)[0]["ID"].(string)
	require.ElementsMatch(t, []any{"SUCCESS", "ERROR"}, column(c.list(t, "action-execution-list", fetch), "State"))
	rerun = c.show(t, "task-rerun", "--resume", fetch, "--env", fmt.Sprintf(`{"bad": %q}`, c.url))
	require.Equal(t, "RUNNING", rerun["State"])
	c.waitExecution(t, items, "SUCCESS")
	require.ElementsMatch(t, []any{"SUCCESS", "ERROR", "SUCCESS"}, column(c.list(t, "action-execution-list", fetch), "State"),
		"the item that succeeded is not run again")
}

// cliItems fetches two URLs from the env; the second is unreachable until
// a rerun's env fixes it.
const cliItems = `---
version: '2.0'
cli_items:
  tasks:
    fetch:
      with-items: u in <% [env().get(good), env().get(bad, env().get(good))] %>
      action: std.http url=<% $.u %>
`

func (c *cliSession) actionExecutions(t *testing.T) {
	id := c.show(t, "execution-create", "cli_echo", `{"x": 5}`)["ID"].(string)
	c.waitExecution(t, id, "SUCCESS")
	taskID := c.list(t, "task-list", id)[0]["ID"].(string)
	rows := c.list(t, "action-execution-list", taskID)
	require.Len(t, rows, 1)
	a := rows[0]
	require.Equal(t, "std.echo", a["Name"])
	require.Equal(t, "t1", a["Task name"])
	require.Equal(t, "cli_echo", a["Workflow name"])
	require.Equal(t, true, a["Accepted"])
	aID := a["ID"].(string)
	got := c.show(t, "action-execution-get", aID)
	require.Equal(t, "SUCCESS", got["State"])
	require.Equal(t, taskID, got["Task ID"])
	require.Equal(t, map[string]any{"output": float64(5)}, printedJSON(t, c.ok(t, "action-execution-get-input", aID)))
	require.Equal(t, map[string]any{"result": float64(5)}, printedJSON(t, c.ok(t, "action-execution-get-output", aID)))
	rows = c.list(t, "action-execution-list", "--limit", "1")
	require.Len(t, rows, 1)

	// An async standalone action completes from outside.
	saved := c.show(t, "run-action", "std.async_noop", "-s")
	require.Equal(t, "RUNNING", saved["State"])
	upd := c.show(t, "action-execution-update", saved["ID"].(string), "--state", "SUCCESS", "--output", `{"done": true}`)
	require.Equal(t, "SUCCESS", upd["State"])
	require.Equal(t, map[string]any{"result": map[string]any{"done": true}},
		printedJSON(t, c.ok(t, "action-execution-get-output", saved["ID"].(string))))
	require.Contains(t, c.fails(t, "action-execution-update", aID, "--state", "SUCCESS"), "")
	// Deleting is off, as in Mistral's default configuration.
	require.Contains(t, c.fails(t, "action-execution-delete", aID), "")
}

func (c *cliSession) cronTriggers(t *testing.T, st store.Store) {
	// Yearly, so it fires in this test only when made due below.
	tr := c.show(t, "cron-trigger-create", "cli_every_minute", "cli_echo", `{"x": 9}`, "--pattern", "0 0 1 1 *", "--count", "2")
	require.Equal(t, "cli_every_minute", tr["Name"])
	require.Equal(t, "cli_echo", tr["Workflow"])
	require.Equal(t, "0 0 1 1 *", tr["Pattern"])
	require.Equal(t, float64(2), tr["Remaining executions"])
	first := time.Now().UTC().Add(time.Hour).Format("2006-01-02 15:04")
	once := c.show(t, "cron-trigger-create", "cli_once", "cli_echo", "--first-time", first, "--utc")
	require.Equal(t, first+":00", once["Next execution time"])
	require.Equal(t, float64(1), once["Remaining executions"])
	require.Contains(t, c.fails(t, "cron-trigger-create", "cli_bad", "cli_echo", "--pattern", "nope"), "The specified pattern is not valid")
	require.Contains(t, c.fails(t, "cron-trigger-create", "cli_bad", "cli_echo"), "Pattern or first_execution_time must be specified")
	rows := c.list(t, "cron-trigger-list")
	require.ElementsMatch(t, []any{"cli_every_minute", "cli_once"}, column(rows, "Name"))
	got := c.show(t, "cron-trigger-get", "cli_every_minute")
	require.Nil(t, got["Updated at"], "not updated yet")

	// Make the trigger due now rather than wait for the minute: it fires,
	// starts its workflow and moves on.
	trig, err := st.CronTriggerGet(t.Context(), "cli_every_minute")
	require.NoError(t, err)
	require.NoError(t, st.CronTriggerAdvance(t.Context(), store.CronTriggerAdvanceParams{
		ID: trig.ID, Prev: trig.NextExecutionTime, Next: time.Now().Add(-time.Second),
		RemainingExecutions: trig.RemainingExecutions, UpdatedAt: time.Now(),
	}))
	var fired []map[string]any
	require.Eventually(t, func() bool {
		fired = nil
		for _, r := range c.list(t, "execution-list", "--filter", "workflow_name=cli_echo") {
			if strings.Contains(fmt.Sprint(r["Description"]), trig.ID) {
				fired = append(fired, r)
			}
		}
		return len(fired) == 1
	}, 30*time.Second, 200*time.Millisecond)
	require.Equal(t, map[string]any{"x": float64(9)}, printedJSON(t, c.ok(t, "execution-get-input", fired[0]["ID"].(string))))
	got = c.show(t, "cron-trigger-get", "cli_every_minute")
	require.Equal(t, float64(1), got["Remaining executions"])
	require.NotNil(t, got["Updated at"])

	require.Contains(t, c.ok(t, "cron-trigger-delete", "cli_every_minute"), "has been accepted")
	require.Contains(t, c.ok(t, "cron-trigger-delete", "cli_once"), "has been accepted")
	require.Contains(t, c.fails(t, "cron-trigger-get", "cli_once"), "Cron trigger not found")
}

// waitExecution polls execution-get until the execution is in state.
func (c *cliSession) waitExecution(t *testing.T, id, state string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ex := c.show(t, "execution-get", id)
		if ex["State"] == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s is %v, not %s", id, ex["State"], state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
