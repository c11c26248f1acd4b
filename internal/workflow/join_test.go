package workflow_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/workflow"
)

// TestJoinThatCannotFire checks that a join fails as soon as too few
// inbound tasks can still arrive, while other branches still run, as
// Mistral 15's join refresh does (the compat cases join_*_while_sibling_runs
// hold what the real Mistral showed), and that it waits while it can
// still fire.
func TestJoinThatCannotFire(t *testing.T) {
	t.Parallel()
	const (
		W = workflow.StateWaiting
		R = workflow.StateRunning
		S = workflow.StateSuccess
		E = workflow.StateError
	)
	type finish struct {
		task  string
		state workflow.State
		then  map[string]workflow.State // task states right after
	}
	tests := []struct {
		name string
		wf   string
		// While the async actions still run: task states ("" = no task
		// execution) and state_info.
		mid     map[string]workflow.State
		midInfo map[string]string
		finish  []finish // async actions completed in order afterwards
		state   workflow.State
		tasks   map[string]workflow.State
		info    map[string]string
		infoHas string // of the execution
	}{
		{
			name: "join all: an inbound task fails unhandled",
			wf: `
    a:
      action: std.fail
      on-success: j
    b:
      on-success: j
    c:
      action: std.async_noop
    j:
      join: all
      action: std.echo output="joined"`,
			mid:     map[string]workflow.State{"a": E, "b": S, "c": R, "j": E},
			midInfo: map[string]string{"j": "Failed by tasks: ['a']"},
			finish:  []finish{{"c", S, nil}},
			state:   E, infoHas: "Failure caused by error in tasks: a, j\n",
			tasks: map[string]workflow.State{"j": E},
		},
		{
			name: "join all: the join waits first, then its async inbound fails",
			wf: `
    a:
      action: std.async_noop
      on-success: j
    b:
      on-success: j
    c:
      action: std.async_noop
    j:
      join: all`,
			mid:     map[string]workflow.State{"a": R, "b": S, "c": R, "j": W},
			midInfo: map[string]string{"j": "Task is waiting."},
			finish:  []finish{{"a", E, map[string]workflow.State{"j": E, "c": R}}, {"c", S, nil}},
			state:   E, infoHas: "Failure caused by error in tasks: a, j\n",
			tasks: map[string]workflow.State{"j": E},
			info:  map[string]string{"j": "Failed by tasks: ['a']"},
		},
		{
			name: "join 2 of 3: two inbound tasks fail",
			wf: `
    a:
      action: std.fail
      on-success: j
    b:
      action: std.fail
      on-success: j
    d:
      on-success: j
    c:
      action: std.async_noop
    j:
      join: 2`,
			mid:     map[string]workflow.State{"d": S, "c": R, "j": E},
			midInfo: map[string]string{"j": "Failed by tasks: ['a', 'b']"},
			finish:  []finish{{"c", S, nil}},
			state:   E, infoHas: "Failure caused by error in tasks: a, b, j\n",
		},
		{
			name: "join 2 of 3: one inbound task fails, the join waits for the third and fires",
			wf: `
    a:
      action: std.fail
      on-success: j
    b:
      on-success: j
    d:
      action: std.async_noop
      on-success: j
    j:
      join: 2
      action: std.echo output="joined"`,
			mid:     map[string]workflow.State{"a": E, "j": W},
			midInfo: map[string]string{"j": "Task is waiting."},
			finish:  []finish{{"d", S, nil}},
			state:   E, infoHas: "Failure caused by error in tasks: a\n",
			tasks: map[string]workflow.State{"j": S},
			info:  map[string]string{"j": ""},
		},
		{
			name: "join 1: a failed inbound task makes no join task; the other fires it",
			wf: `
    a:
      action: std.fail
      on-success: j
    b:
      action: std.async_noop
      on-success: j
    j:
      join: 1`,
			mid:    map[string]workflow.State{"a": E, "b": R, "j": ""},
			finish: []finish{{"b", S, nil}},
			state:  E, tasks: map[string]workflow.State{"j": S},
		},
		{
			name: "join all: a false on-complete guard",
			wf: `
    a:
      on-complete:
        - j: <% false %>
    b:
      on-success: j
    c:
      action: std.async_noop
    j:
      join: all`,
			mid:     map[string]workflow.State{"a": S, "j": E},
			midInfo: map[string]string{"j": "Failed by tasks: ['a']"},
			finish:  []finish{{"c", S, nil}},
			state:   E, infoHas: "Failure caused by error in tasks: j\n",
		},
		{
			name: "join all: the failed inbound task's on-error goes elsewhere; the join's error is unhandled",
			wf: `
    a:
      action: std.fail
      on-success: j
      on-error: h
    h:
      action: std.noop
    b:
      on-success: j
    c:
      action: std.async_noop
    j:
      join: all`,
			mid:    map[string]workflow.State{"a": E, "h": S, "j": E},
			finish: []finish{{"c", S, nil}},
			state:  E, infoHas: "Failure caused by error in tasks: j\n",
		},
		{
			name: "a join that cannot fire takes its own on-error at once",
			wf: `
    a:
      action: std.fail
      on-success: j
      on-error: h
    h:
      action: std.noop
    b:
      on-success: j
    c:
      action: std.async_noop
    j:
      join: all
      publish-on-error:
        join_failed: <% task().state %>
      on-error: jh
    jh:
      action: std.echo output=<% $.join_failed %>`,
			mid:    map[string]workflow.State{"j": E, "jh": S, "c": R},
			finish: []finish{{"c", S, nil}},
			state:  S,
		},
		{
			name: "join all: an inbound task that can no longer run (its only inbound guard was false)",
			wf: `
    a:
      on-success: j
    b:
      on-success:
        - x: <% false %>
    x:
      on-success: j
    c:
      action: std.async_noop
    j:
      join: all`,
			mid:     map[string]workflow.State{"x": "", "j": E},
			midInfo: map[string]string{"j": "Failed by tasks: ['x']"},
			finish:  []finish{{"c", S, nil}},
			state:   E,
		},
		{
			name: "an inbound join that never got a task execution and never can",
			wf: `
    a:
      on-complete:
        - j1: <% false %>
    b:
      on-complete:
        - j1: <% false %>
    d:
      on-success: j2
    c:
      action: std.async_noop
    j1:
      join: all
      on-success: j2
    j2:
      join: all`,
			mid:     map[string]workflow.State{"j1": "", "j2": E},
			midInfo: map[string]string{"j2": "Failed by tasks: ['j1']"},
			finish:  []finish{{"c", S, nil}},
			state:   E, infoHas: "Failure caused by error in tasks: j2\n",
		},
		{
			name: "a failed join fails the join after it",
			wf: `
    a:
      action: std.fail
      on-success: j1
    b:
      on-success: j1
    d:
      on-success: j2
    c:
      action: std.async_noop
    j1:
      join: all
      on-success: j2
    j2:
      join: all`,
			mid:     map[string]workflow.State{"j1": E, "j2": E},
			midInfo: map[string]string{"j1": "Failed by tasks: ['a']", "j2": "Failed by tasks: ['j1']"},
			finish:  []finish{{"c", S, nil}},
			state:   E, infoHas: "Failure caused by error in tasks: a, j1, j2\n",
		},
		{
			name: "an inbound task that loops on itself: only its last run counts",
			wf: `
    init:
      publish: {n: 0}
      on-success: [loop, other]
    other:
      on-success: j
    loop:
      action: std.async_noop
      publish: {n: <% $.n + 1 %>}
      on-success:
        - loop: <% $.n < 3 %>
        - j: <% $.n >= 3 %>
    j:
      join: all`,
			mid:    map[string]workflow.State{"j": W},
			finish: []finish{{"loop", S, map[string]workflow.State{"j": W}}, {"loop", S, map[string]workflow.State{"j": W}}, {"loop", S, nil}},
			state:  S, tasks: map[string]workflow.State{"j": S},
		},
		{
			name: "inbound tasks that wait on each other in a cycle: the join fails when nothing else runs",
			wf: `
    a:
      on-success: j
    b:
      on-success:
        - x: <% false %>
    x:
      on-success: [y, j]
    y:
      on-success: [x]
    c:
      action: std.async_noop
    j:
      join: all
      on-error: jh
    jh:
      action: std.noop`,
			mid:    map[string]workflow.State{"j": W, "jh": ""},
			finish: []finish{{"c", S, nil}},
			state:  S, tasks: map[string]workflow.State{"j": E, "jh": S},
			info: map[string]string{"j": "Failed by tasks: ['x']"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarnessFrom(t, "wf.yaml", []byte("version: '2.0'\nwf:\n  tasks:"+tc.wf+"\n"), nil)
			h.run()
			require.Equal(t, workflow.StateRunning, h.ex.State, "state_info: %s", h.ex.StateInfo)
			h.checkTasks("while running", tc.mid, tc.midInfo)
			for _, f := range tc.finish {
				h.finishAsync(f.task, f.state, nil)
				h.checkTasks("after "+f.task+" ended", f.then, nil)
			}
			require.Equal(t, tc.state, h.ex.State, "state_info: %s", h.ex.StateInfo)
			require.Contains(t, h.ex.StateInfo, tc.infoHas)
			h.checkTasks("at the end", tc.tasks, tc.info)
			require.Zero(t, h.ex.Runtime.ActiveTasks)
			require.Zero(t, h.ex.Runtime.WaitingJoins)
			if j, ok := h.latest("j"); ok && j.State == workflow.StateError {
				require.Equal(t, []any{}, j.Result, "a join that ran nothing has result []")
			}
		})
	}
}

// latest returns the newest task execution of that name.
func (h *harness) latest(name string) (*workflow.Task, bool) {
	var found *workflow.Task
	for _, t := range h.reader.tasks {
		if t.Name == name {
			found = t
		}
	}
	return found, found != nil
}

// checkTasks compares the latest task execution of each named task with
// the wanted state ("" = none) and state_info.
func (h *harness) checkTasks(when string, states map[string]workflow.State, infos map[string]string) {
	h.t.Helper()
	for name, want := range states {
		got, ok := h.latest(name)
		if want == "" {
			require.False(h.t, ok, "%s: task %s must have no task execution", when, name)
			continue
		}
		require.True(h.t, ok, "%s: task %s has no task execution", when, name)
		require.Equal(h.t, want, got.State, "%s: task %s (%s)", when, name, got.StateInfo)
	}
	for name, want := range infos {
		got, ok := h.latest(name)
		require.True(h.t, ok, "%s: task %s has no task execution", when, name)
		require.Equal(h.t, want, got.StateInfo, "%s: state_info of task %s", when, name)
	}
}

// TestJoinContext checks which arrivals a join's context holds: all of
// them when it fires, only the first when it fails, as in Mistral (compat
// case join_failed_sees_first_arrival).
func TestJoinContext(t *testing.T) {
	t.Parallel()
	const wf = `version: '2.0'
wf:
  tasks:
    a:
      publish: {x: 1}
      on-success: j
    b:
      action: std.async_noop
      publish: {y: 2}
      on-success: j
    c:
      action: std.async_noop
      on-success: j
    j:
      join: all
      publish:
        seen: <% [$.get(x), $.get(y)] %>
      publish-on-error:
        seen: <% [$.get(x), $.get(y)] %>
`
	for _, tc := range []struct {
		name  string
		c     workflow.State
		state workflow.State
		seen  []any
	}{
		{name: "a join that fires sees every arrival", c: workflow.StateSuccess, state: workflow.StateSuccess, seen: []any{int64(1), int64(2)}},
		{name: "a join that fails sees the first arrival only", c: workflow.StateError, state: workflow.StateError, seen: []any{int64(1), nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarnessFrom(t, "wf.yaml", []byte(wf), nil)
			h.run()
			h.finishAsync("b", workflow.StateSuccess, nil)
			h.finishAsync("c", tc.c, nil)
			require.Equal(t, tc.state, h.ex.State, h.ex.StateInfo)
			j, _ := h.latest("j")
			seen, _ := j.Published.Get("seen")
			require.Equal(t, tc.seen, seen)
			require.Nil(t, j.Runtime.JoinContext, "the later arrivals are merged or dropped, not kept")
		})
	}
}
