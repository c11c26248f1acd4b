package workflow_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/dsl"
	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// memReader is the store the tests give the machine: every row in memory,
// and a count of reads so tests can check a step's cost.
type memReader struct {
	adhoc   map[string]*dsl.Action
	tasks   []*workflow.Task
	actions []*workflow.ActionExecution
	reads   int
}

func (r *memReader) ListTasks(_ context.Context, exID string, state workflow.State) ([]*workflow.Task, error) {
	r.reads++
	var out []*workflow.Task
	for _, t := range r.tasks {
		if (exID == "" || t.ExecutionID == exID) && (state == "" || t.State == state) {
			out = append(out, t)
		}
	}
	return out, nil
}

func (r *memReader) ListExecutions(context.Context, string, string, workflow.State) ([]*workflow.Execution, error) {
	r.reads++
	return nil, nil
}

func (r *memReader) TaskChildren(context.Context, string) ([]*workflow.Execution, error) {
	r.reads++
	return nil, nil
}

func (r *memReader) AdHocAction(_ context.Context, name, _ string) (*dsl.Action, error) {
	return r.adhoc[name], nil
}

func (r *memReader) CheckAction(name, _ string, _ *value.Map) error {
	switch name {
	case "std.noop", "std.echo", "std.fail", "std.async_noop":
		return nil
	}
	return &workflow.UnknownActionError{Name: name}
}

func (r *memReader) TaskActions(_ context.Context, taskID string) ([]*workflow.ActionExecution, error) {
	r.reads++
	var out []*workflow.ActionExecution
	for _, a := range r.actions {
		if a.TaskExecutionID == taskID {
			out = append(out, a)
		}
	}
	return out, nil
}

func (r *memReader) Task(_ context.Context, id string) (*workflow.Task, error) {
	r.reads++
	for _, t := range r.tasks {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, fmt.Errorf("task %s not found", id)
}

func (r *memReader) TaskByName(_ context.Context, exID, name string) (*workflow.Task, error) {
	r.reads++
	for i := len(r.tasks) - 1; i >= 0; i-- {
		if t := r.tasks[i]; t.ExecutionID == exID && t.Name == name {
			return t, nil
		}
	}
	return nil, nil
}

func (r *memReader) WaitingTask(_ context.Context, exID, name string) (*workflow.Task, error) {
	r.reads++
	for _, t := range r.tasks {
		if t.ExecutionID == exID && t.Name == name && t.State == workflow.StateWaiting {
			return t, nil
		}
	}
	return nil, nil
}

func (r *memReader) WaitingTasks(_ context.Context, exID string) ([]*workflow.Task, error) {
	r.reads++
	var out []*workflow.Task
	for _, t := range r.tasks {
		if t.ExecutionID == exID && t.State == workflow.StateWaiting {
			out = append(out, t)
		}
	}
	return out, nil
}

// harness drives the machine like the engine does, running the standard
// actions in memory. Async actions wait in pending until completed.
type harness struct {
	t       *testing.T
	m       *workflow.Machine
	spec    *dsl.Workflow
	ex      *workflow.Execution
	reader  *memReader
	queue   []workflow.RunAction
	pending map[string]*workflow.ActionExecution // async actions by task name
	steps   int
	maxRead int // the most reads any single step made
	timers  []dueTimer
	fired   []workflow.Timer
	clock   time.Duration // simulated time since the start
}

type dueTimer struct {
	workflow.Timer
	due time.Duration
}

func newHarness(t *testing.T, file string, input *value.Map) *harness {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", file))
	require.NoError(t, err)
	return newHarnessFrom(t, file, src, input)
}

// newHarnessFrom is newHarness for a workflow given as text.
func newHarnessFrom(t *testing.T, file string, src []byte, input *value.Map) *harness {
	t.Helper()
	eval := expression.New(expression.Options{})
	doc, err := dsl.Parse(file, src, dsl.Options{CheckExpression: func(s string) error { return eval.Validate(s) }})
	require.NoError(t, err)
	require.Len(t, doc.Workflows, 1)
	spec := doc.Workflows[0]
	n := 0
	newID := func() string { n++; return fmt.Sprintf("id-%d", n) }
	in, err := workflow.PrepareInput(spec, input)
	require.NoError(t, err)
	h := &harness{
		t: t, m: workflow.NewMachine(eval, newID), spec: spec, reader: &memReader{adhoc: map[string]*dsl.Action{}},
		pending: map[string]*workflow.ActionExecution{},
	}
	for _, a := range doc.Actions {
		h.reader.adhoc[a.Name] = a
	}
	h.ex = workflow.NewExecution("ex-1", spec, "wf-1", "", in, nil)
	return h
}

func (h *harness) absorb(s *workflow.Step) {
	h.steps++
	h.reader.tasks = append(h.reader.tasks, s.NewTasks...)
	h.reader.actions = append(h.reader.actions, s.NewActions...)
	for _, c := range s.Commands {
		switch c := c.(type) {
		case workflow.RunAction:
			h.queue = append(h.queue, c)
		case workflow.Timer:
			h.timers = append(h.timers, dueTimer{Timer: c, due: h.clock + c.Delay})
		default:
			h.t.Fatalf("unexpected command %T", c)
		}
	}
}

func (h *harness) run() {
	h.t.Helper()
	ctx := context.Background()
	h.reader.reads = 0
	s, err := h.m.Start(ctx, h.ex, h.spec, h.reader)
	require.NoError(h.t, err)
	h.maxRead = max(h.maxRead, h.reader.reads)
	h.absorb(s)
	h.drain()
}

// drain runs queued actions, then fires timers in due order on a
// simulated clock, until nothing is left but async actions.
func (h *harness) drain() {
	h.t.Helper()
	for {
		for len(h.queue) > 0 {
			run := h.queue[0]
			h.queue = h.queue[1:]
			act := run.Action
			res, async := runStd(run)
			if async {
				h.pending[act.TaskName] = act
				continue
			}
			h.complete(act, res)
		}
		if len(h.timers) == 0 {
			return
		}
		sort.SliceStable(h.timers, func(i, j int) bool { return h.timers[i].due < h.timers[j].due })
		next := h.timers[0]
		h.timers = h.timers[1:]
		h.clock = next.due
		h.fired = append(h.fired, next.Timer)
		s, err := h.m.ApplyTimer(context.Background(), h.ex, h.spec, next.Timer, h.reader)
		require.NoError(h.t, err)
		h.absorb(s)
	}
}

func (h *harness) complete(act *workflow.ActionExecution, res workflow.ActionResult) {
	h.t.Helper()
	act.State, act.Result = res.State, res.Result
	h.reader.reads = 0
	s, err := h.m.ApplyActionResult(context.Background(), h.ex, h.spec, act, res, h.reader)
	require.NoError(h.t, err)
	h.maxRead = max(h.maxRead, h.reader.reads)
	h.absorb(s)
}

// finishAsync completes the pending async action of a task and runs on.
func (h *harness) finishAsync(task string, state workflow.State, result any) {
	h.t.Helper()
	act, ok := h.pending[task]
	require.True(h.t, ok, "no pending async action for task %s", task)
	delete(h.pending, task)
	h.complete(act, workflow.ActionResult{ActionExecutionID: act.ID, State: state, Result: result})
	h.drain()
}

func runStd(run workflow.RunAction) (workflow.ActionResult, bool) {
	act := run.Action
	name, input := act.Name, act.Input
	if run.Call != "" {
		name, input = run.Call, run.CallInput
	}
	res := workflow.ActionResult{ActionExecutionID: act.ID, State: workflow.StateSuccess}
	switch name {
	case "std.noop":
	case "std.echo":
		res.Result, _ = input.Get("output")
	case "std.fail":
		res.State = workflow.StateError
		res.Result = "Fail action expected exception."
		if d, _ := input.Get("error_data"); d != nil {
			res.Result = d
		}
	case "std.async_noop":
		return res, true
	default:
		res.State = workflow.StateError
		res.Result = "Failed to find action [action_name=" + name + "]"
	}
	return res, false
}

func (h *harness) taskStates() map[string]workflow.State {
	out := map[string]workflow.State{}
	for _, t := range h.reader.tasks {
		out[t.Name] = t.State
	}
	return out
}

func TestMachine(t *testing.T) {
	t.Parallel()
	S, E := workflow.StateSuccess, workflow.StateError
	tests := []struct {
		name      string
		file      string
		input     *value.Map
		async     []string // tasks whose async action completes, in order, after the first run
		state     workflow.State
		output    any
		infoHas   string
		tasks     map[string]workflow.State
		notRunRun []string // tasks that must never have run
		params    *value.Map
	}{
		{
			name: "reverse runs the target and only what it requires", file: "reverse.yaml", state: S,
			params: value.MapOf("task_name", "report"),
			output: value.MapOf("a", int64(1), "b", int64(2), "sum", int64(3), "report", "sum=3"),
			tasks:  map[string]workflow.State{"fetch": S, "other": S, "combine": S, "report": S}, notRunRun: []string{"unrelated"},
		},
		{
			name: "reverse to a middle task stops there", file: "reverse.yaml", state: S,
			params: value.MapOf("task_name", "combine"),
			output: value.MapOf("a", int64(1), "b", int64(2), "sum", int64(3)), notRunRun: []string{"unrelated", "report"},
		},
		{
			name: "reverse without a valid task_name fails", file: "reverse.yaml", state: E,
			params: value.MapOf("task_name", "nope"), infoHas: "Invalid task name",
		},
		{
			name: "sequence with publish, input defaults and output", file: "sequence.yaml",
			input: value.MapOf("name", "World"), state: S,
			output: value.MapOf("message", "Hello, World", "count", int64(42)),
			tasks:  map[string]workflow.State{"first": S, "second": S},
		},
		{
			name: "fork and join all merge the branches", file: "fork_join_all.yaml", state: S,
			output: value.MapOf("a", int64(1), "b", int64(2), "c", int64(3), "sum", int64(6)),
			tasks:  map[string]workflow.State{"start": S, "a": S, "b": S, "c": S, "joined": S},
		},
		{
			name: "join N fires on the Nth arrival and ignores later ones", file: "join_n.yaml",
			async: []string{"c"}, state: S, output: value.MapOf("joined", true),
			tasks: map[string]workflow.State{"a": S, "b": S, "c": S, "two_of_three": S},
		},
		{
			name: "on-error handles the error and the workflow succeeds", file: "on_error_handled.yaml", state: S,
			output:    value.MapOf("err", "boom", "recovered", "recovered"),
			tasks:     map[string]workflow.State{"risky": E, "recover": S},
			notRunRun: []string{"never"},
		},
		{
			name: "an unhandled error fails the workflow naming the task", file: "unhandled_error.yaml", state: E,
			infoHas: "Failure caused by error in tasks: broken",
			tasks:   map[string]workflow.State{"before": S, "broken": E, "cleanup": S},
		},
		{
			name: "guarded transition takes the true branch (big)", file: "conditional.yaml",
			input: value.MapOf("n", int64(20)), state: S,
			output:    value.MapOf("value", int64(20), "kind", "big"),
			notRunRun: []string{"small"},
		},
		{
			name: "guarded transition takes the true branch (small)", file: "conditional.yaml",
			input: value.MapOf("n", int64(3)), state: S,
			output:    value.MapOf("value", int64(3), "kind", "small"),
			notRunRun: []string{"big"},
		},
		{
			name: "without output the published context is the output", file: "no_output.yaml", state: S,
			output: value.MapOf("from_t1", int64(2), "from_t2", "done"),
		},
		{
			name: "fail command ends the workflow before later transitions", file: "engine_commands.yaml", state: E,
			infoHas: "stopped by command", output: value.MapOf("result", "stopped by command"),
			notRunRun: []string{"t2"},
		},
		{
			name: "inline params win over input; a task that cannot start fails the workflow, on-error does not run", file: "inline_params.yaml", state: E,
			infoHas:   "Failed to run task [error=Wrong dynamic input for task: bad_input. Dict type is expected. Actual type: list. Actual value: [1, 2], wf=inline_params, task=bad_input]",
			tasks:     map[string]workflow.State{"t": S, "bad_input": E},
			notRunRun: []string{"handled"},
		},
		{
			name: "with-items zips lists, keeps item order; an empty list gives []", file: "with_items.yaml", state: S,
			output: value.MapOf("greetings", []any{"a1", "b2", "c3"}, "empty", []any{}),
		},
		{
			name: "one failed item fails the with-items task after all items ran", file: "with_items_fail.yaml", state: S,
			output: value.MapOf("info", "One or more actions had failed.", "count", int64(3)),
			tasks:  map[string]workflow.State{"items": E, "handled": S},
		},
		{
			name: "retry re-runs a failing task count times, then its error is handled", file: "retry.yaml", state: S,
			output: value.MapOf("attempts", "Fail action expected exception."),
		},
		{
			name: "wait-before, wait-after, keep-result and fail-on", file: "policies.yaml", state: S,
			output: value.MapOf("kept", int64(1), "dropped", int64(2)),
			tasks:  map[string]workflow.State{"waited": S, "dropped": S, "failed_on": E},
		},
		{
			name: "timeout fails a task whose action does not finish in time", file: "timeout.yaml", state: E,
			infoHas: "Task timed out [timeout(s)=5].",
		},
		{
			name: "advanced publish: branch and global scopes, global() reads the global one", file: "publish_global.yaml", state: S,
			output: value.MapOf("seen_by_b", int64(1), "shadowed", "branch-value"),
		},
		{
			name: "tasks() lists the execution's tasks through the reader", file: "tasks_fn.yaml", state: S,
			output: value.MapOf("n", int64(2), "done", []any{"a", "b"}), // b is SUCCESS when it publishes, as in Mistral
		},
		{
			name: "ad-hoc actions: defaults, base-input, output, and a chain of them", file: "adhoc.yaml", state: S,
			output: value.MapOf("plain", "Hello, World!", "chained", value.MapOf("shout", "Hello, bora!")),
		},
		{
			name: "task-defaults: policies and on-error apply to tasks that do not set their own", file: "task_defaults.yaml", state: S,
			output: value.MapOf("tries", int64(2)),
		},
		{
			name: "on-complete runs after on-error", file: "on_complete.yaml", state: S,
			output: value.MapOf("handled", true, "always", true),
			tasks:  map[string]workflow.State{"t1": E, "handler": S, "always": S},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.file, tc.input)
			if tc.params != nil {
				h.ex.Params.Update(tc.params)
			}
			h.run()
			for _, task := range tc.async {
				require.Equal(t, workflow.StateRunning, h.ex.State, "workflow must wait for async task %s", task)
				h.finishAsync(task, workflow.StateSuccess, nil)
			}
			require.Equal(t, tc.state, h.ex.State, "state_info: %s", h.ex.StateInfo)
			if tc.output != nil {
				require.True(t, value.Equal(tc.output, h.ex.Output), "output: got %s want %s",
					value.MustEncode(h.ex.Output), value.MustEncode(tc.output))
			}
			if tc.infoHas != "" {
				require.Contains(t, h.ex.StateInfo, tc.infoHas)
			}
			states := h.taskStates()
			for name, st := range tc.tasks {
				require.Equal(t, st, states[name], "task %s", name)
			}
			for _, name := range tc.notRunRun {
				_, ran := states[name]
				require.False(t, ran, "task %s must not run", name)
			}
			require.Zero(t, h.ex.Runtime.ActiveTasks)
			require.Empty(t, h.queue)
		})
	}
}

func TestUnhandledErrorReportAndOutputOnError(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "unhandled_error.yaml", nil)
	h.run()
	require.Equal(t, workflow.StateError, h.ex.State)
	var broken *workflow.Task
	for _, task := range h.reader.tasks {
		if task.Name == "broken" {
			broken = task
		}
	}
	require.NotNil(t, broken)
	require.Equal(t, "Fail action expected exception.", broken.StateInfo)
	want := "Failure caused by error in tasks: broken\n\n  broken [task_ex_id=" + broken.ID +
		"] -> Fail action expected exception.\n    [action_ex_id=" + broken.Runtime.ActionID +
		", idx=0]: Fail action expected exception.\n"
	require.Equal(t, want, h.ex.StateInfo)
	out := h.ex.Output.(*value.Map)
	got, _ := out.Get("seen")
	require.Equal(t, int64(1), got, "output-on-error is evaluated")
	res, _ := out.Get("result")
	require.Equal(t, want, res)
}

func TestInputValidation(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/sequence.yaml")
	require.NoError(t, err)
	doc, err := dsl.Parse("sequence.yaml", src, dsl.Options{})
	require.NoError(t, err)
	spec := doc.Workflows[0]

	_, err = workflow.PrepareInput(spec, value.MapOf("greeting", "hi", "extra", 1))
	require.EqualError(t, err, "Invalid input [name=sequence, class=DirectWorkflowSpec, missing=['name'], unexpected=['extra']]")

	in, err := workflow.PrepareInput(spec, value.MapOf("name", "x"))
	require.NoError(t, err)
	require.Equal(t, []string{"name", "greeting"}, in.Keys())
}

// TestStepCostIsConstant checks the rule that a step does not re-read
// history: the reads of the costliest step are the same for a sequence of
// 10 tasks and of 300.
func TestStepCostIsConstant(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		shape string
		state workflow.State
	}{
		{"seq", workflow.StateSuccess},
		{"join", workflow.StateSuccess},
		// Every branch passes by an error handler with a join after it,
		// and the last branch fails: the join learns of it at once.
		{"join_miss", workflow.StateError},
	} {
		small := runShape(t, tc.shape, 10)
		big := runShape(t, tc.shape, 300)
		require.Equal(t, tc.state, small.ex.State, small.ex.StateInfo)
		require.Equal(t, tc.state, big.ex.State, big.ex.StateInfo)
		require.Equal(t, small.maxRead, big.maxRead, "%s: reads per step must not grow with the number of tasks", tc.shape)
	}
}

func runShape(t *testing.T, shape string, n int) *harness {
	t.Helper()
	eval := expression.New(expression.Options{})
	doc, err := dsl.Parse(shape+".yaml", []byte(generate(shape, n)), dsl.Options{})
	require.NoError(t, err)
	spec := doc.Workflows[0]
	c := 0
	h := &harness{
		t: t, m: workflow.NewMachine(eval, func() string { c++; return fmt.Sprintf("id-%d", c) }),
		spec: spec, reader: &memReader{}, pending: map[string]*workflow.ActionExecution{},
	}
	h.ex = workflow.NewExecution("ex-1", spec, "wf-1", "", value.NewMap(0), nil)
	h.run()
	return h
}

// generate writes a sequence of n tasks, or n parallel tasks joined.
func generate(shape string, n int) string {
	var b strings.Builder
	b.WriteString("version: '2.0'\nwf:\n  tasks:\n")
	switch shape {
	case "seq":
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "    t%d:\n      action: std.noop\n", i)
			if i+1 < n {
				fmt.Fprintf(&b, "      on-success: t%d\n", i+1)
			}
		}
	case "join":
		b.WriteString("    start:\n      on-success:\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "        - p%d\n", i)
		}
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "    p%d:\n      action: std.noop\n      on-success: done\n", i)
		}
		b.WriteString("    done:\n      join: all\n")
	case "join_miss":
		b.WriteString("    start:\n      on-success:\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "        - p%d\n", i)
		}
		for i := 0; i < n; i++ {
			action := "std.noop"
			if i == n-1 {
				action = "std.fail"
			}
			fmt.Fprintf(&b, "    p%d:\n      action: %s\n      on-success: done\n      on-error: handle\n", i, action)
		}
		b.WriteString("    handle:\n      on-success: report\n    report:\n      join: 1\n")
		b.WriteString("    done:\n      join: all\n")
	}
	return b.String()
}

func (h *harness) task(name string) *workflow.Task {
	h.t.Helper()
	var found *workflow.Task
	for _, t := range h.reader.tasks {
		if t.Name == name {
			found = t
		}
	}
	require.NotNil(h.t, found, "no task %s", name)
	return found
}

func (h *harness) actionsOf(task string) []*workflow.ActionExecution {
	var out []*workflow.ActionExecution
	for _, a := range h.reader.actions {
		if a.TaskName == task {
			out = append(out, a)
		}
	}
	return out
}

func TestPolicyDetails(t *testing.T) {
	t.Parallel()
	t.Run("retry runs the action 1+count times, a delay apart", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "retry.yaml", nil)
		h.run()
		require.Len(t, h.actionsOf("flaky"), 3)
		require.Equal(t, 2, h.task("flaky").Runtime.RetryNo)
		require.Equal(t, 2*time.Second, h.clock)
		for _, f := range h.fired {
			require.Equal(t, workflow.TimerRetry, f.Kind)
		}
	})
	t.Run("task-defaults retry applies to a task without its own", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "task_defaults.yaml", nil)
		h.run()
		require.Len(t, h.actionsOf("flaky"), 2, "one run and one retry from task-defaults")
		require.Equal(t, 1, h.task("flaky").Runtime.RetryNo)
	})
	t.Run("wait-before then wait-after; keep-result drops the result", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "policies.yaml", nil)
		h.run()
		require.Len(t, h.fired, 2)
		require.Equal(t, workflow.TimerWaitBefore, h.fired[0].Kind)
		require.Equal(t, workflow.TimerWaitAfter, h.fired[1].Kind)
		require.Equal(t, 3*time.Second, h.clock)
		require.Nil(t, h.task("dropped").Result)
		require.Equal(t, "Failed by 'fail-on' policy", h.task("failed_on").StateInfo)
	})
	t.Run("a late result after a timeout changes nothing", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "timeout.yaml", nil)
		h.run()
		require.Equal(t, workflow.StateError, h.ex.State)
		act := h.pending["slow"]
		require.NotNil(t, act)
		res := workflow.ActionResult{ActionExecutionID: act.ID, State: workflow.StateSuccess, Result: "late"}
		act.State, act.Result = res.State, res.Result
		s, err := h.m.ApplyActionResult(context.Background(), h.ex, h.spec, act, res, h.reader)
		require.NoError(t, err)
		require.Empty(t, s.NewTasks)
		require.Equal(t, workflow.StateError, h.task("slow").State)
	})
	t.Run("concurrency caps the items in flight; results keep item order", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "with_items_async.yaml", nil)
		h.run()
		require.Len(t, h.actionsOf("items"), 2, "only two items start at first")
		byIndex := map[int]*workflow.ActionExecution{}
		for _, a := range h.actionsOf("items") {
			byIndex[a.Index] = a
		}
		// Finish item 1 before item 0: item 2 starts, order of results holds.
		for _, idx := range []int{1, 0, 3, 2} {
			for _, a := range h.actionsOf("items") {
				byIndex[a.Index] = a
			}
			a := byIndex[idx]
			require.NotNil(t, a, "item %d must have started", idx)
			require.LessOrEqual(t, len(h.actionsOf("items"))-countDone(h.actionsOf("items")), 2)
			res := workflow.ActionResult{ActionExecutionID: a.ID, State: workflow.StateSuccess, Result: int64(idx * 10)}
			h.complete(a, res)
			h.drain()
		}
		require.Equal(t, workflow.StateSuccess, h.ex.State, h.ex.StateInfo)
		require.True(t, value.Equal(value.MapOf("results", []any{int64(0), int64(10), int64(20), int64(30)}), h.ex.Output),
			string(value.MustEncode(h.ex.Output)))
	})
}

func countDone(acts []*workflow.ActionExecution) int {
	n := 0
	for _, a := range acts {
		if a.State.IsCompleted() {
			n++
		}
	}
	return n
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, "lifecycle.yaml", nil)
	h.run()
	require.Equal(t, workflow.StateRunning, h.ex.State)

	// An operator pause while a's action runs: the result is taken, the
	// transitions wait.
	s, err := h.m.Pause(ctx, h.ex, h.spec, "", h.reader)
	require.NoError(t, err)
	h.absorb(s)
	_, err = h.m.Pause(ctx, h.ex, h.spec, "", h.reader)
	require.ErrorIs(t, err, workflow.ErrTransition)
	h.finishAsync("a", workflow.StateSuccess, nil)
	require.Equal(t, workflow.StatePaused, h.ex.State)
	require.Equal(t, workflow.StateSuccess, h.task("a").State)
	require.Len(t, h.reader.tasks, 1, "b waits for the resume")

	// Resume: a's transitions run; the pause command pauses again first.
	s, err = h.m.Resume(ctx, h.ex, h.spec, h.reader)
	require.NoError(t, err)
	h.absorb(s)
	h.drain()
	require.Equal(t, workflow.StatePaused, h.ex.State)
	require.Equal(t, "checkpoint", h.ex.StateInfo)

	// Resume: b starts, and its pause-before pauses once more.
	s, err = h.m.Resume(ctx, h.ex, h.spec, h.reader)
	require.NoError(t, err)
	h.absorb(s)
	h.drain()
	require.Equal(t, workflow.StatePaused, h.ex.State)
	require.Equal(t, workflow.StateIdle, h.task("b").State)

	// Resume: b runs, then c, and the workflow ends.
	s, err = h.m.Resume(ctx, h.ex, h.spec, h.reader)
	require.NoError(t, err)
	h.absorb(s)
	h.drain()
	require.Equal(t, workflow.StateSuccess, h.ex.State, h.ex.StateInfo)
	require.True(t, value.Equal(value.MapOf("trail", []any{"A", "B", "C"}), h.ex.Output), string(value.MustEncode(h.ex.Output)))

	_, err = h.m.Stop(ctx, h.ex, h.spec, workflow.StateCancelled, "", h.reader)
	require.ErrorIs(t, err, workflow.ErrTransition)
}

func TestStop(t *testing.T) {
	t.Parallel()
	for _, state := range []workflow.State{workflow.StateSuccess, workflow.StateError, workflow.StateCancelled} {
		h := newHarness(t, "join_n.yaml", nil)
		h.run()
		s, err := h.m.Stop(context.Background(), h.ex, h.spec, state, "stopped by operator", h.reader)
		require.NoError(t, err)
		h.absorb(s)
		require.Equal(t, state, h.ex.State)
		require.Equal(t, "stopped by operator", h.ex.StateInfo)
	}
}

func TestRerun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, "with_items_async.yaml", nil)
	h.run()
	finish := func(index int, state workflow.State) {
		t.Helper()
		var act *workflow.ActionExecution
		for _, a := range h.actionsOf("items") {
			if a.Index == index && !a.State.IsCompleted() {
				act = a
			}
		}
		require.NotNil(t, act, "item %d is not running", index)
		h.complete(act, workflow.ActionResult{ActionExecutionID: act.ID, State: state, Result: int64(index * 10)})
		h.drain()
	}
	finish(0, workflow.StateSuccess)
	finish(1, workflow.StateSuccess)
	finish(2, workflow.StateError)
	finish(3, workflow.StateSuccess)
	require.Equal(t, workflow.StateError, h.ex.State)
	task := h.task("items")
	require.Equal(t, "One or more actions had failed.", task.StateInfo)

	s, err := h.m.Rerun(ctx, h.ex, h.spec, task, false, h.reader)
	require.NoError(t, err)
	h.absorb(s)
	require.Equal(t, workflow.StateRunning, h.ex.State)
	require.Len(t, h.actionsOf("items"), 5, "only the failed item runs again")
	finish(2, workflow.StateSuccess)
	require.Equal(t, workflow.StateSuccess, h.ex.State, h.ex.StateInfo)
	require.True(t, value.Equal(value.MapOf("results", []any{int64(0), int64(10), int64(20), int64(30)}), h.ex.Output),
		string(value.MustEncode(h.ex.Output)))

	_, err = h.m.Rerun(ctx, h.ex, h.spec, task, true, h.reader)
	require.ErrorIs(t, err, workflow.ErrTransition, "only a task in ERROR reruns")
}

// Compile-time checks: the machine's host answers every optional function.
var (
	_ expression.TasksHost      = workflow.HostProbe()
	_ expression.GlobalHost     = workflow.HostProbe()
	_ expression.ExecutionsHost = workflow.HostProbe()
)

// TestAdhocBaseIsAGlobalName registers the workbook's actions as a
// workbook stores them (adhoc_book.greet): the task's action name finds
// the workbook's own action, but a `base:` name is looked up as written,
// as Mistral does, so `base: greet` means a global action greet.
func TestAdhocBaseIsAGlobalName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		global  bool // a global ad-hoc action "greet" exists too
		state   workflow.State
		infoHas string
		output  any
	}{
		{name: "no global base: the task fails to instantiate the action", state: workflow.StateError,
			infoHas: "Failed to run task [error=Failed to instantiate an action [action_desc=AdHoc action [name=adhoc_book.loud_greet, definition=loud_greet:"},
		{name: "a global base of that name is the one used", global: true, state: workflow.StateSuccess,
			output: value.MapOf("plain", "Hello, World!", "chained", value.MapOf("shout", "global bora"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "adhoc.yaml", nil)
			local := h.reader.adhoc
			h.reader.adhoc = map[string]*dsl.Action{}
			for name, a := range local {
				stored := *a
				stored.Definition = "version: '2.0'\n\nadhoc_book." + name + ":\n  base: " + a.Base + "\n"
				h.reader.adhoc["adhoc_book."+name] = &stored
			}
			if tc.global {
				h.reader.adhoc["greet"] = &dsl.Action{Name: "greet", Base: "std.echo",
					BaseInput: value.MapOf("output", "global <% $.name %>"), Input: []dsl.Param{{Name: "name"}}}
			}
			h.ex.WorkflowName = "adhoc_book.wf"
			h.run()
			require.Equal(t, tc.state, h.ex.State, "state_info: %s", h.ex.StateInfo)
			if tc.infoHas != "" {
				require.Contains(t, h.ex.StateInfo, tc.infoHas)
				require.Contains(t, h.ex.StateInfo, "input_dict={'who': 'bora'}")
			}
			if tc.output != nil {
				require.True(t, value.Equal(tc.output, h.ex.Output), "output: %s", value.MustEncode(h.ex.Output))
			}
		})
	}
}
