package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

const nestedWaitYAML = `version: '2.0'
outer:
  output:
    got: <% $.got %>
  tasks:
    call:
      workflow: inner
      publish:
        got: <% task().result.r %>
inner:
  output:
    r: <% $.r %>
  tasks:
    wait:
      action: std.async_noop
      publish:
        r: <% task().result %>
`

func TestPauseResumeCancel(t *testing.T) {
	t.Parallel()
	for name, open := range drivers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			t.Run("pause reaches the child; a result taken while paused waits for the resume", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define(nestedWaitYAML)
				ex := b.start("outer", nil)
				paused, err := b.eng.UpdateExecution(t.Context(), engine.ExecutionUpdate{ID: ex.ID, State: workflow.StatePaused})
				require.NoError(t, err)
				require.Equal(t, workflow.StatePaused, paused.State)
				children, err := b.store.ExecutionList(t.Context(), store.ExecutionListParams{RootExecutionID: ex.ID})
				require.NoError(t, err)
				require.Len(t, children, 1)
				require.Equal(t, workflow.StatePaused, children[0].State)

				_, err = b.eng.UpdateExecution(t.Context(), engine.ExecutionUpdate{ID: ex.ID, State: workflow.StatePaused})
				require.ErrorIs(t, err, engine.ErrInvalidInput)
				require.ErrorContains(t, err, "Can't change workflow execution state from PAUSED to PAUSED.")

				acts, err := b.store.ActionExecutionList(t.Context(), store.ActionExecutionListParams{ExecutionID: children[0].ID})
				require.NoError(t, err)
				_, err = b.eng.CompleteAction(t.Context(), engine.ActionCompletion{ActionExecutionID: acts[0].ID, State: workflow.StateSuccess, Result: "x"})
				require.NoError(t, err)
				b.drain()
				require.Equal(t, workflow.StatePaused, b.execution(ex.ID).State)

				resumed, err := b.eng.UpdateExecution(t.Context(), engine.ExecutionUpdate{ID: ex.ID, State: workflow.StateRunning})
				require.NoError(t, err)
				require.Equal(t, workflow.StateRunning, resumed.State, "the answer states what the request set")
				got := b.execution(ex.ID)
				require.Equal(t, workflow.StateSuccess, got.State, got.StateInfo)
				require.True(t, value.Equal(value.MapOf("got", "x"), got.Output))
			})

			t.Run("cancel reaches the child; description changes alone", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define(nestedWaitYAML)
				ex := b.start("outer", nil)
				desc := "new description"
				got, err := b.eng.UpdateExecution(t.Context(), engine.ExecutionUpdate{ID: ex.ID, Description: &desc})
				require.NoError(t, err)
				require.Equal(t, desc, got.Description)
				require.Equal(t, workflow.StateRunning, got.State)

				got, err = b.eng.UpdateExecution(t.Context(), engine.ExecutionUpdate{ID: ex.ID, State: workflow.StateCancelled, StateInfo: "not needed"})
				require.NoError(t, err)
				require.Equal(t, workflow.StateCancelled, got.State)
				require.Equal(t, "not needed", got.StateInfo)
				children, err := b.store.ExecutionList(t.Context(), store.ExecutionListParams{RootExecutionID: ex.ID})
				require.NoError(t, err)
				require.Equal(t, workflow.StateCancelled, children[0].State)

				_, err = b.eng.UpdateExecution(t.Context(), engine.ExecutionUpdate{ID: ex.ID, State: workflow.StateRunning})
				require.ErrorIs(t, err, engine.ErrInvalidInput)
			})

			t.Run("stop with ERROR evaluates output-on-error", func(t *testing.T) {
				t.Parallel()
				b := setup(t, open, engine.Options{})
				b.define("version: '2.0'\nstopme:\n  output-on-error:\n    why: stopped\n  tasks:\n    wait:\n      action: std.async_noop\n")
				ex := b.start("stopme", nil)
				got, err := b.eng.UpdateExecution(t.Context(), engine.ExecutionUpdate{ID: ex.ID, State: workflow.StateError, StateInfo: "operator"})
				require.NoError(t, err)
				require.Equal(t, workflow.StateError, got.State)
				require.True(t, value.Equal(value.MapOf("result", "operator", "why", "stopped"), got.Output), string(value.MustEncode(got.Output)))
			})
		})
	}
}

func TestRerunTask(t *testing.T) {
	t.Parallel()
	for name, open := range drivers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, open, engine.Options{})
			b.define("version: '2.0'\nflaky:\n  output:\n    got: <% $.got %>\n  tasks:\n    t:\n      action: std.async_noop\n      publish:\n        got: <% task().result %>\n")
			ex := b.start("flaky", nil)
			acts, err := b.store.ActionExecutionList(t.Context(), store.ActionExecutionListParams{ExecutionID: ex.ID})
			require.NoError(t, err)
			_, err = b.eng.CompleteAction(t.Context(), engine.ActionCompletion{ActionExecutionID: acts[0].ID, State: workflow.StateError, Result: "down"})
			require.NoError(t, err)
			require.Equal(t, workflow.StateError, b.execution(ex.ID).State)

			_, err = b.eng.RerunTask(t.Context(), acts[0].TaskExecutionID, false, nil)
			require.ErrorIs(t, err, engine.ErrInvalidInput, "only with-items tasks rerun without reset")
			task, err := b.eng.RerunTask(t.Context(), acts[0].TaskExecutionID, true, value.MapOf("k", "v"))
			require.NoError(t, err)
			require.Equal(t, workflow.StateRunning, task.State)
			got := b.execution(ex.ID)
			require.Equal(t, workflow.StateRunning, got.State)
			env, _ := got.Params.Get("env")
			require.True(t, value.Equal(value.MapOf("k", "v"), env))

			acts, err = b.store.ActionExecutionList(t.Context(), store.ActionExecutionListParams{ExecutionID: ex.ID, State: workflow.StateRunning})
			require.NoError(t, err)
			require.Len(t, acts, 1)
			_, err = b.eng.CompleteAction(t.Context(), engine.ActionCompletion{ActionExecutionID: acts[0].ID, State: workflow.StateSuccess, Result: "up"})
			require.NoError(t, err)
			got = b.execution(ex.ID)
			require.Equal(t, workflow.StateSuccess, got.State, got.StateInfo)
			require.True(t, value.Equal(value.MapOf("got", "up"), got.Output))
		})
	}
}
