package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

func exerciseActions(t *testing.T, open Opener) {
	leaf(t, "RoundTrip", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		task := Task(t, s, ex, nil)
		beat := T0.Add(time.Second)
		a := ActionExecution(t, s, task, func(a *workflow.ActionExecution) {
			a.Name = "std.http"
			a.Description = "call"
			a.StateInfo = "x"
			a.Input = richMap(t)
			a.Result = []any{richMap(t), int64(1)}
			a.Accepted = true
			a.Superseded = true
			a.Async = true
			a.Target = "gpu"
			a.SafeRerun = true
			a.Attempt = 3
			a.LastHeartbeat = &beat
		})
		got, err := s.ActionExecutionGet(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, a, got)
		requireSameValue(t, a.Result, got.Result)

		_, err = s.ActionExecutionGet(ctx, "missing")
		require.ErrorIs(t, err, store.ErrNotFound)
		dup := *a
		require.ErrorIs(t, s.ActionExecutionInsert(ctx, &dup), store.ErrConflict)
	})

	leaf(t, "Standalone", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		a := &workflow.ActionExecution{ID: "standalone", Name: "std.echo", State: workflow.StateRunning, Input: value.MapOf("output", "hi")}
		require.NoError(t, s.ActionExecutionInsert(ctx, a))
		got, err := s.ActionExecutionGet(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, a, got)
	})

	leaf(t, "UpdateIsGuarded", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		a := ActionExecution(t, s, Task(t, s, ex, nil), nil)
		stale := *a

		beat := T0.Add(time.Minute)
		a.State = workflow.StateSuccess
		a.Result = value.MapOf("ok", true)
		a.Accepted = true
		a.LastHeartbeat = &beat
		a.Attempt = 2
		require.NoError(t, s.ActionExecutionUpdate(ctx, a))
		require.EqualValues(t, 2, a.Version)

		// A retry sets the run aside; what the engine took stays taken.
		a.Superseded = true
		require.NoError(t, s.ActionExecutionUpdate(ctx, a))
		got, err := s.ActionExecutionGet(ctx, a.ID)
		require.NoError(t, err)
		require.True(t, got.Superseded)
		require.True(t, got.Accepted)
		require.False(t, got.MistralAccepted())

		// A duplicate result arriving late is refused.
		stale.State = workflow.StateError
		stale.Result = "late"
		require.ErrorIs(t, s.ActionExecutionUpdate(ctx, &stale), store.ErrStale)
		got, err = s.ActionExecutionGet(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, a, got)

		require.ErrorIs(t, s.ActionExecutionUpdate(ctx, &workflow.ActionExecution{ID: "missing"}), store.ErrNotFound)
	})

	leaf(t, "List", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		t1 := Task(t, s, ex, nil)
		t2 := Task(t, s, ex, func(task *workflow.Task) { task.Name = "task2" })
		var actions []*workflow.ActionExecution
		for i := range 3 {
			actions = append(actions, ActionExecution(t, s, t1, func(a *workflow.ActionExecution) {
				a.CreatedAt = T0.Add(time.Duration(i) * time.Second)
				if i == 2 {
					a.State = workflow.StateError
				}
			}))
		}
		ActionExecution(t, s, t2, nil)
		Execution(t, s, nil)
		ids := func(as []*workflow.ActionExecution) []string {
			var out []string
			for _, a := range as {
				out = append(out, a.ID)
			}
			return out
		}

		got, err := s.ActionExecutionList(ctx, store.ActionExecutionListParams{TaskExecutionID: t1.ID})
		require.NoError(t, err)
		require.Equal(t, ids(actions), ids(got))
		require.Equal(t, actions[0], got[0])

		got, err = s.ActionExecutionList(ctx, store.ActionExecutionListParams{ExecutionID: ex.ID})
		require.NoError(t, err)
		require.Len(t, got, 4)

		got, err = s.ActionExecutionList(ctx, store.ActionExecutionListParams{ExecutionID: ex.ID, State: workflow.StateError})
		require.NoError(t, err)
		require.Equal(t, []string{actions[2].ID}, ids(got))

		got, err = s.ActionExecutionList(ctx, store.ActionExecutionListParams{
			TaskExecutionID: t1.ID,
			ListParams:      store.ListParams{Limit: 1, Marker: actions[0].ID},
		})
		require.NoError(t, err)
		require.Equal(t, []string{actions[1].ID}, ids(got))

		_, err = s.ActionExecutionList(ctx, store.ActionExecutionListParams{ListParams: store.ListParams{SortKey: "result"}})
		require.Error(t, err)
	})
}
