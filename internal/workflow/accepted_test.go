package workflow_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// shownAccepted lists, in creation order, the accepted flag Mistral shows
// for each action execution of the task.
func (h *harness) shownAccepted(task string) []bool {
	var out []bool
	for _, a := range h.actionsOf(task) {
		out = append(out, a.MistralAccepted())
	}
	return out
}

// running returns the task's running action executions, oldest first.
func (h *harness) running(task string) []*workflow.ActionExecution {
	var out []*workflow.ActionExecution
	for _, a := range h.actionsOf(task) {
		if !a.State.IsCompleted() {
			out = append(out, a)
		}
	}
	return out
}

// finish completes one action execution and runs on.
func (h *harness) finish(act *workflow.ActionExecution, state workflow.State, result any) {
	h.t.Helper()
	h.complete(act, workflow.ActionResult{ActionExecutionID: act.ID, State: state, Result: result})
	h.drain()
}

// rerun sends the task back to run, as PUT /v2/tasks/{id} does.
func (h *harness) rerun(task string, reset bool) {
	h.t.Helper()
	s, err := h.m.Rerun(context.Background(), h.ex, h.spec, h.task(task), reset, h.reader)
	require.NoError(h.t, err)
	h.absorb(s)
	h.drain()
}

// reapply delivers an action's result to the machine once more, as a
// duplicate event or a late report would, and returns what it changed.
func (h *harness) reapply(act *workflow.ActionExecution) *workflow.Step {
	h.t.Helper()
	s, err := h.m.ApplyActionResult(context.Background(), h.ex, h.spec, act,
		workflow.ActionResult{ActionExecutionID: act.ID, State: act.State, Result: act.Result}, h.reader)
	require.NoError(h.t, err)
	h.absorb(s)
	return s
}

// TestAcceptedAsMistralShowsIt checks the accepted flag of every action
// execution against what Mistral 15 shows for the same run: a run a retry
// or a rerun set aside is not accepted (tasks.py invalidate_result and
// _reset_actions), every other run is once its result arrived
// (actions.py RegularAction.complete), even after its task or workflow
// ended. The guard against taking a result twice (Accepted) holds
// throughout: a set-aside run never completes its task.
func TestAcceptedAsMistralShowsIt(t *testing.T) {
	t.Parallel()
	F, T := false, true
	S, E := workflow.StateSuccess, workflow.StateError
	tests := []struct {
		name  string
		wf    string
		then  func(t *testing.T, h *harness) // after the first run
		task  string
		want  []bool
		state workflow.State // the workflow's at the end
		check func(t *testing.T, h *harness)
	}{
		{
			name: "retry of a failing action: only the last run is accepted",
			wf:   "t:\n      action: std.fail\n      retry: {count: 2, delay: 0}",
			task: "t", want: []bool{F, F, T}, state: E,
		},
		{
			name: "continue-on retries a success: only the last run is accepted",
			wf:   "t:\n      action: std.echo output=hi\n      retry:\n        count: 2\n        delay: 0\n        continue-on: <% true %>",
			task: "t", want: []bool{F, F, T}, state: S,
		},
		{
			name: "break-on stops the retries: the one run is accepted",
			wf:   "t:\n      action: std.fail\n      retry:\n        count: 2\n        delay: 0\n        break-on: <% true %>",
			task: "t", want: []bool{T}, state: E,
		},
		{
			name: "continue-on that fails on error retries: the last run is accepted",
			wf:   "t:\n      action: std.fail\n      retry:\n        count: 1\n        delay: 0\n        continue-on: <% false %>",
			task: "t", want: []bool{F, T}, state: E,
		},
		{
			name: "every item of a with-items task is accepted",
			wf:   "t:\n      with-items: x in [1, 2, 3]\n      action: std.echo output=<% $.x %>",
			task: "t", want: []bool{T, T, T}, state: S,
		},
		{
			name: "a retry of a with-items task sets aside every item of the run before",
			wf:   "t:\n      with-items: x in [1, 2, 3]\n      action: std.fail\n      retry: {count: 1, delay: 0}",
			task: "t", want: []bool{F, F, F, T, T, T}, state: E,
		},
		{
			name: "an async result delivered later is accepted",
			wf:   "t:\n      action: std.async_noop",
			then: func(t *testing.T, h *harness) {
				require.Equal(t, []bool{F}, h.shownAccepted("t"), "not accepted while it runs")
				h.finishAsync("t", workflow.StateSuccess, "done")
			},
			task: "t", want: []bool{T}, state: S,
		},
		{
			name: "a rerun with reset sets aside the failed run",
			wf:   "t:\n      action: std.async_noop",
			then: func(t *testing.T, h *harness) {
				h.finishAsync("t", workflow.StateError, "bad")
				require.Equal(t, []bool{T}, h.shownAccepted("t"))
				h.rerun("t", true)
				h.finishAsync("t", workflow.StateSuccess, "good")
			},
			task: "t", want: []bool{F, T}, state: S,
			check: func(t *testing.T, h *harness) {
				require.Equal(t, "good", h.task("t").Result)
			},
		},
		{
			name: "a with-items rerun without reset sets aside only the failed item's run",
			wf:   "t:\n      with-items: x in [1, 2, 3]\n      action: std.async_noop\n      publish:\n        r: <% task().result %>",
			then: func(t *testing.T, h *harness) {
				acts := h.running("t")
				h.finish(acts[0], workflow.StateError, "bad")
				h.finish(acts[1], workflow.StateSuccess, "good")
				h.finish(acts[2], workflow.StateSuccess, "good")
				require.Equal(t, workflow.StateError, h.ex.State)
				h.rerun("t", false)
				acts = h.running("t")
				require.Len(t, acts, 1, "only the failed item runs again")
				h.finish(acts[0], workflow.StateSuccess, "again")
			},
			task: "t", want: []bool{F, T, T, T}, state: S,
			check: func(t *testing.T, h *harness) {
				require.True(t, value.Equal([]any{"again", "good", "good"}, h.task("t").Result), "%v", h.task("t").Result)
			},
		},
		{
			name: "a with-items rerun with reset sets aside every item's run",
			wf:   "t:\n      with-items: x in [1, 2, 3]\n      action: std.async_noop",
			then: func(t *testing.T, h *harness) {
				acts := h.running("t")
				h.finish(acts[0], workflow.StateError, "bad")
				h.finish(acts[1], workflow.StateSuccess, "good")
				h.finish(acts[2], workflow.StateSuccess, "good")
				h.rerun("t", true)
				for _, a := range h.running("t") {
					h.finish(a, workflow.StateSuccess, "again")
				}
			},
			task: "t", want: []bool{F, F, F, T, T, T}, state: S,
		},
		{
			name: "a result after a timeout is accepted; the task stays failed",
			wf:   "t:\n      action: std.async_noop\n      timeout: 5",
			then: func(t *testing.T, h *harness) {
				require.Equal(t, workflow.StateError, h.task("t").State)
				require.Equal(t, []bool{F}, h.shownAccepted("t"))
				h.finish(h.running("t")[0], workflow.StateSuccess, "late")
			},
			task: "t", want: []bool{T}, state: E,
			check: func(t *testing.T, h *harness) {
				require.Equal(t, workflow.StateError, h.task("t").State)
			},
		},
		{
			name: "a result after the workflow was cancelled is accepted",
			wf:   "t:\n      action: std.async_noop",
			then: func(t *testing.T, h *harness) {
				s, err := h.m.Stop(context.Background(), h.ex, h.spec, workflow.StateCancelled, "", h.reader)
				require.NoError(t, err)
				h.absorb(s)
				h.finishAsync("t", workflow.StateSuccess, "late")
			},
			task: "t", want: []bool{T}, state: workflow.StateCancelled,
		},
		{
			name: "a result after a fail command ended the workflow is accepted",
			wf:   "t:\n      action: std.async_noop\n    stop:\n      action: std.noop\n      on-success: [fail]",
			then: func(t *testing.T, h *harness) {
				require.Equal(t, workflow.StateError, h.ex.State)
				h.finishAsync("t", workflow.StateSuccess, "late")
			},
			task: "t", want: []bool{T}, state: E,
		},
		{
			name: "the late result of a timed-out run a rerun set aside is not accepted and not taken",
			wf:   "t:\n      action: std.async_noop\n      timeout: 5",
			then: func(t *testing.T, h *harness) {
				old := h.running("t")[0]
				s, err := h.m.Rerun(context.Background(), h.ex, h.spec, h.task("t"), true, h.reader)
				require.NoError(t, err)
				h.absorb(s)
				h.timers = nil // the new run's timeout is still far off
				h.drain()
				require.Len(t, h.running("t"), 2)
				h.finish(old, workflow.StateSuccess, "late")
				require.Equal(t, workflow.StateRunning, h.task("t").State, "the set-aside run does not complete the task")
				require.True(t, old.Accepted, "its result is taken once, so a second delivery is dropped")
				h.finish(h.running("t")[0], workflow.StateSuccess, "fresh")
			},
			task: "t", want: []bool{F, T}, state: S,
			check: func(t *testing.T, h *harness) {
				require.Equal(t, "fresh", h.task("t").Result)
			},
		},
		{
			name: "a with-items rerun after a timeout leaves a running item running and takes its result",
			wf:   "t:\n      with-items: x in [1, 2, 3]\n      action: std.async_noop\n      timeout: 5\n      publish:\n        r: <% task().result %>",
			then: func(t *testing.T, h *harness) {
				// The timeout fired first: the task failed with its items
				// running; two of them report afterwards.
				acts := h.running("t")
				require.Len(t, acts, 3)
				h.finish(acts[0], workflow.StateError, "bad")
				h.finish(acts[1], workflow.StateSuccess, "one")
				h.rerun("t", false)
				require.Len(t, h.actionsOf("t"), 4, "only the failed item runs again")
				h.finish(acts[2], workflow.StateSuccess, "two")
				require.Equal(t, workflow.StateRunning, h.task("t").State)
				h.finish(h.running("t")[0], workflow.StateSuccess, "zero")
			},
			task: "t", want: []bool{F, T, T, T}, state: S,
			check: func(t *testing.T, h *harness) {
				require.True(t, value.Equal([]any{"zero", "one", "two"}, h.task("t").Result), "%v", h.task("t").Result)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := "version: '2.0'\nwf:\n  tasks:\n    " + tc.wf + "\n"
			h := newHarnessFrom(t, "wf.yaml", []byte(src), nil)
			h.run()
			if tc.then != nil {
				tc.then(t, h)
			}
			require.Equal(t, tc.state, h.ex.State, "state_info: %s", h.ex.StateInfo)
			require.Equal(t, tc.want, h.shownAccepted(tc.task))
			for _, a := range h.actionsOf(tc.task) {
				if a.State.IsCompleted() {
					require.True(t, a.Accepted, "action %s: a completed result is taken (once)", a.ID)
				}
			}
			if tc.check != nil {
				tc.check(t, h)
			}
		})
	}
}

// TestSetAsideRunsAreNotTakenAgain delivers each result of a retried task
// once more, as a duplicate event would: nothing changes, neither the
// task nor what the API shows.
func TestSetAsideRunsAreNotTakenAgain(t *testing.T) {
	t.Parallel()
	src := "version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.fail\n      retry: {count: 2, delay: 0}\n      on-error: handled\n    handled:\n      action: std.noop\n"
	h := newHarnessFrom(t, "wf.yaml", []byte(src), nil)
	h.run()
	require.Equal(t, workflow.StateSuccess, h.ex.State, h.ex.StateInfo)
	tasks := len(h.reader.tasks)
	for _, a := range h.actionsOf("t") {
		s := h.reapply(a)
		require.Empty(t, s.ChangedTasks, "action %s", a.ID)
		require.Empty(t, s.ChangedActions, "action %s", a.ID)
		require.Empty(t, s.NewTasks, "action %s", a.ID)
		require.Empty(t, s.Commands, "action %s", a.ID)
	}
	require.Len(t, h.reader.tasks, tasks)
	require.Equal(t, []bool{false, false, true}, h.shownAccepted("t"))
	require.Equal(t, 2, h.task("t").Runtime.RetryNo)
}
