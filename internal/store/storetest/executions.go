package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

func exerciseExecutions(t *testing.T, open Opener) {
	leaf(t, "RoundTrip", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, func(ex *workflow.Execution) {
			ex.WorkflowNamespace = "ns1"
			ex.Description = "a description"
			ex.Tags = []string{"x", "y"}
			ex.StateInfo = "waiting for godot"
			ex.Input = richMap(t)
			ex.Params = value.MapOf("env", value.MapOf("k", "v"))
			ex.Output = []any{int64(1), 2.0, "three"}
			ex.Context = value.MapOf("__execution", value.MapOf("id", ex.ID))
			ex.Spec = "version: '2.0'\nwf:\n  tasks: {}\n"
			ex.TaskExecutionID = "parent-task"
			ex.RootExecutionID = "root-ex"
			ex.Runtime = workflow.ExecutionRuntime{
				ActiveTasks:  3,
				WaitingJoins: 1,
				FailedTasks:  []workflow.FailedTask{{TaskID: "t1", Name: "task1", StateInfo: "boom"}},
				FinalContext: value.MapOf("b", int64(1), "a", 1.0),
				Command:      &workflow.EngineCommand{Name: "fail", Msg: "stop"},
			}
			ex.Version = 7
			ex.CreatedAt = T0
			ex.UpdatedAt = T0.Add(time.Second)
		})
		got, err := s.ExecutionGet(ctx, ex.ID)
		require.NoError(t, err)
		require.Equal(t, ex, got)
		requireSameValue(t, ex.Input, got.Input)
		requireSameValue(t, ex.Output, got.Output)
		requireSameValue(t, ex.Runtime.FinalContext, got.Runtime.FinalContext)
	})

	leaf(t, "EmptyValuesRoundTrip", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, func(ex *workflow.Execution) {
			ex.Input, ex.Params, ex.Context, ex.Output = nil, nil, nil, nil
			ex.CreatedAt, ex.UpdatedAt = time.Time{}, time.Time{}
		})
		require.False(t, ex.CreatedAt.IsZero(), "a zero time is set by the driver")
		got, err := s.ExecutionGet(ctx, ex.ID)
		require.NoError(t, err)
		require.Equal(t, ex, got)
		require.Empty(t, got.StateInfo)
	})

	leaf(t, "InsertConflict", open, func(t *testing.T, s store.Store) {
		ex := Execution(t, s, nil)
		dup := *ex
		require.ErrorIs(t, s.ExecutionInsert(t.Context(), &dup), store.ErrConflict)
	})

	leaf(t, "NotFound", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		_, err := s.ExecutionGet(ctx, "missing")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.ExecutionUpdate(ctx, &workflow.Execution{ID: "missing", State: workflow.StateRunning}), store.ErrNotFound)
		require.ErrorIs(t, s.ExecutionDelete(ctx, "missing"), store.ErrNotFound)
		tx, err := s.Begin(ctx)
		require.NoError(t, err)
		defer func() { require.NoError(t, tx.Rollback(ctx)) }()
		require.ErrorIs(t, tx.ExecutionLock(ctx, "missing"), store.ErrNotFound)
	})

	leaf(t, "UpdateBumpsVersion", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, func(ex *workflow.Execution) { ex.StateInfo = "info" })
		ex.State = workflow.StateSuccess
		ex.StateInfo = ""
		ex.Output = value.MapOf("result", int64(42))
		ex.Description = "new"
		ex.Tags = []string{"t"}
		ex.Runtime.ActiveTasks = 0
		ex.Runtime.Command = &workflow.EngineCommand{Name: "succeed"}
		ex.UpdatedAt = T0.Add(time.Hour)
		inTx(t, s, func(tx store.Tx) {
			require.NoError(t, tx.ExecutionLock(ctx, ex.ID))
			require.NoError(t, tx.ExecutionUpdate(ctx, ex))
		})
		require.EqualValues(t, 2, ex.Version)
		got, err := s.ExecutionGet(ctx, ex.ID)
		require.NoError(t, err)
		require.Equal(t, ex, got)
	})

	leaf(t, "UpdateWithOldVersionIsStale", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		first, err := s.ExecutionGet(ctx, ex.ID)
		require.NoError(t, err)
		second, err := s.ExecutionGet(ctx, ex.ID)
		require.NoError(t, err)

		first.Runtime.ActiveTasks = 1
		require.NoError(t, s.ExecutionUpdate(ctx, first))
		second.Runtime.ActiveTasks = 99
		second.State = workflow.StateError
		require.ErrorIs(t, s.ExecutionUpdate(ctx, second), store.ErrStale)
		require.EqualValues(t, 1, second.Version, "a stale update leaves the caller's version alone")

		got, err := s.ExecutionGet(ctx, ex.ID)
		require.NoError(t, err)
		require.Equal(t, first, got, "the stale update changed nothing")
	})

	// River #1302: the row completes between the engine's fetch and its
	// update; the late update must not resurrect it.
	leaf(t, "CompletedBetweenFetchAndUpdate", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		engineView, err := s.ExecutionGet(ctx, ex.ID)
		require.NoError(t, err)

		inTx(t, s, func(tx store.Tx) {
			done, err := tx.ExecutionGet(ctx, ex.ID)
			require.NoError(t, err)
			done.State = workflow.StateSuccess
			require.NoError(t, tx.ExecutionUpdate(ctx, done))
		})

		engineView.State = workflow.StatePaused
		require.ErrorIs(t, s.ExecutionUpdate(ctx, engineView), store.ErrStale)
		got, err := s.ExecutionGet(ctx, ex.ID)
		require.NoError(t, err)
		require.Equal(t, workflow.StateSuccess, got.State)
		require.EqualValues(t, 2, got.Version)
	})

	leaf(t, "List", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		root := Execution(t, s, func(ex *workflow.Execution) { ex.WorkflowName = "parent" })
		var children []*workflow.Execution
		for i := range 3 {
			children = append(children, Execution(t, s, func(ex *workflow.Execution) {
				ex.WorkflowName = "child"
				ex.WorkflowNamespace = "ns1"
				ex.RootExecutionID = root.ID
				ex.TaskExecutionID = "task-of-parent"
				ex.CreatedAt = T0.Add(time.Duration(i+1) * time.Second)
				if i == 1 {
					ex.State = workflow.StateError
				}
			}))
		}
		ids := func(exs []*workflow.Execution) []string {
			var out []string
			for _, ex := range exs {
				out = append(out, ex.ID)
			}
			return out
		}

		got, err := s.ExecutionList(ctx, store.ExecutionListParams{})
		require.NoError(t, err)
		require.Len(t, got, 4)
		require.Equal(t, root, got[0])

		got, err = s.ExecutionList(ctx, store.ExecutionListParams{WorkflowName: "child"})
		require.NoError(t, err)
		require.Equal(t, ids(children), ids(got))

		got, err = s.ExecutionList(ctx, store.ExecutionListParams{State: workflow.StateError})
		require.NoError(t, err)
		require.Equal(t, []string{children[1].ID}, ids(got))

		got, err = s.ExecutionList(ctx, store.ExecutionListParams{RootExecutionID: root.ID, TaskExecutionID: "task-of-parent"})
		require.NoError(t, err)
		require.Len(t, got, 3)

		got, err = s.ExecutionList(ctx, store.ExecutionListParams{ListParams: store.ListParams{HasNamespace: true}})
		require.NoError(t, err)
		require.Equal(t, []string{root.ID}, ids(got), "the default namespace is a filter too")

		got, err = s.ExecutionList(ctx, store.ExecutionListParams{
			ListParams:   store.ListParams{Limit: 2, SortKey: "created_at", SortDesc: true},
			WorkflowName: "child",
		})
		require.NoError(t, err)
		require.Equal(t, []string{children[2].ID, children[1].ID}, ids(got))
		got, err = s.ExecutionList(ctx, store.ExecutionListParams{
			ListParams:   store.ListParams{Limit: 2, SortKey: "created_at", SortDesc: true, Marker: got[1].ID},
			WorkflowName: "child",
		})
		require.NoError(t, err)
		require.Equal(t, []string{children[0].ID}, ids(got))

		_, err = s.ExecutionList(ctx, store.ExecutionListParams{ListParams: store.ListParams{SortKey: "input"}})
		require.Error(t, err)
	})

	leaf(t, "DeleteCascades", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		root := Execution(t, s, nil)
		rootTask := Task(t, s, root, nil)
		rootAction := ActionExecution(t, s, rootTask, nil)
		WorkItem(t, s, rootAction, nil)
		Event(t, s, root, nil)
		child := Execution(t, s, func(ex *workflow.Execution) {
			ex.RootExecutionID = root.ID
			ex.TaskExecutionID = rootTask.ID
		})
		childTask := Task(t, s, child, nil)
		childAction := ActionExecution(t, s, childTask, nil)
		WorkItem(t, s, childAction, nil)
		Event(t, s, child, nil)

		other := Execution(t, s, nil)
		otherTask := Task(t, s, other, nil)
		otherAction := ActionExecution(t, s, otherTask, nil)
		otherItem := WorkItem(t, s, otherAction, nil)
		otherEvent := Event(t, s, other, nil)

		require.NoError(t, s.ExecutionDelete(ctx, root.ID))

		for _, id := range []string{root.ID, child.ID} {
			_, err := s.ExecutionGet(ctx, id)
			require.ErrorIs(t, err, store.ErrNotFound)
		}
		for _, id := range []string{rootTask.ID, childTask.ID} {
			_, err := s.TaskGet(ctx, id)
			require.ErrorIs(t, err, store.ErrNotFound)
		}
		for _, id := range []string{rootAction.ID, childAction.ID} {
			_, err := s.ActionExecutionGet(ctx, id)
			require.ErrorIs(t, err, store.ErrNotFound)
		}
		events, err := s.EventClaimMany(ctx, store.EventClaimParams{Now: T0, Limit: 10})
		require.NoError(t, err)
		require.Len(t, events, 1)
		require.Equal(t, otherEvent.ID, events[0].ID)
		items, err := s.WorkItemClaimMany(ctx, store.WorkItemClaimParams{Owner: "x", Now: T0, Lease: time.Minute, Limit: 10})
		require.NoError(t, err)
		require.Len(t, items, 1)
		require.Equal(t, otherItem.ID, items[0].ID)

		_, err = s.ExecutionGet(ctx, other.ID)
		require.NoError(t, err)
		_, err = s.TaskGet(ctx, otherTask.ID)
		require.NoError(t, err)
		_, err = s.ActionExecutionGet(ctx, otherAction.ID)
		require.NoError(t, err)
	})
}
