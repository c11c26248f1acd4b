package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

func taskNames(tasks []*workflow.Task) []string {
	var out []string
	for _, t := range tasks {
		out = append(out, t.Name)
	}
	return out
}

func exerciseTasks(t *testing.T, open Opener) {
	leaf(t, "RoundTrip", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		started := T0.Add(time.Second)
		task := Task(t, s, ex, func(task *workflow.Task) {
			task.RootExecutionID = "root"
			task.StateInfo = "info"
			task.InContext = richMap(t)
			task.Result = richMap(t)
			task.Published = value.MapOf("out", []any{int64(1), 2.5})
			task.Processed = true
			task.Runtime = workflow.TaskRuntime{JoinArrived: 2, JoinArrivedFrom: []string{"a", "b"}, ActionID: "act", ErrorHandled: true}
			task.StartedAt = &started
			task.Version = 3
		})
		got, err := s.TaskGet(ctx, task.ID)
		require.NoError(t, err)
		require.Equal(t, task, got)
		requireSameValue(t, task.Result, got.Result)

		_, err = s.TaskGet(ctx, "missing")
		require.ErrorIs(t, err, store.ErrNotFound)
		dup := *task
		require.ErrorIs(t, s.TaskInsert(ctx, &dup), store.ErrConflict)
	})

	leaf(t, "UpdateIsGuarded", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		task := Task(t, s, ex, nil)
		stale := *task

		finished := T0.Add(time.Minute)
		task.State = workflow.StateSuccess
		task.Result = "done"
		task.Published = value.MapOf("x", int64(1))
		task.Processed = true
		task.FinishedAt = &finished
		task.Runtime.ActionID = "a1"
		task.UpdatedAt = finished
		require.NoError(t, s.TaskUpdate(ctx, task))
		require.EqualValues(t, 2, task.Version)

		stale.State = workflow.StateError
		require.ErrorIs(t, s.TaskUpdate(ctx, &stale), store.ErrStale)
		got, err := s.TaskGet(ctx, task.ID)
		require.NoError(t, err)
		require.Equal(t, task, got)

		require.ErrorIs(t, s.TaskUpdate(ctx, &workflow.Task{ID: "missing"}), store.ErrNotFound)
	})

	leaf(t, "GetByNameReturnsLatest", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		other := Execution(t, s, nil)
		// Same created_at: only creation order tells them apart.
		first := Task(t, s, ex, func(task *workflow.Task) { task.Name = "a"; task.State = workflow.StateError })
		second := Task(t, s, ex, func(task *workflow.Task) { task.Name = "a"; task.State = workflow.StateSuccess })
		Task(t, s, ex, func(task *workflow.Task) { task.Name = "b" })
		Task(t, s, other, func(task *workflow.Task) { task.Name = "a" })

		got, err := s.TaskGetByName(ctx, store.TaskGetByNameParams{ExecutionID: ex.ID, Name: "a"})
		require.NoError(t, err)
		require.Equal(t, second, got)

		got, err = s.TaskGetByName(ctx, store.TaskGetByNameParams{ExecutionID: ex.ID, Name: "a", State: workflow.StateError})
		require.NoError(t, err)
		require.Equal(t, first, got)

		_, err = s.TaskGetByName(ctx, store.TaskGetByNameParams{ExecutionID: ex.ID, Name: "a", State: workflow.StateRunning})
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.TaskGetByName(ctx, store.TaskGetByNameParams{ExecutionID: ex.ID, Name: "c"})
		require.ErrorIs(t, err, store.ErrNotFound)

		// A later insert in the same transaction is the latest at once.
		inTx(t, s, func(tx store.Tx) {
			third := Task(t, tx, ex, func(task *workflow.Task) { task.Name = "a"; task.CreatedAt = T0.Add(-time.Hour) })
			got, err := tx.TaskGetByName(ctx, store.TaskGetByNameParams{ExecutionID: ex.ID, Name: "a"})
			require.NoError(t, err)
			require.Equal(t, third.ID, got.ID)
		})
	})

	leaf(t, "List", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		other := Execution(t, s, nil)
		// Created in the order e, d, c, b, a, all with one created_at.
		var tasks []*workflow.Task
		for _, name := range []string{"e", "d", "c", "b", "a"} {
			tasks = append(tasks, Task(t, s, ex, func(task *workflow.Task) {
				task.Name = name
				if name == "c" {
					task.State = workflow.StateSuccess
				}
			}))
		}
		Task(t, s, other, func(task *workflow.Task) { task.Name = "zz" })

		got, err := s.TaskList(ctx, store.TaskListParams{ExecutionID: ex.ID})
		require.NoError(t, err)
		require.Equal(t, []string{"e", "d", "c", "b", "a"}, taskNames(got), "creation order")
		require.Equal(t, tasks[0], got[0])

		got, err = s.TaskList(ctx, store.TaskListParams{ExecutionID: ex.ID, ListParams: store.ListParams{Limit: 2, Marker: tasks[1].ID}})
		require.NoError(t, err)
		require.Equal(t, []string{"c", "b"}, taskNames(got))

		got, err = s.TaskList(ctx, store.TaskListParams{ExecutionID: ex.ID, ListParams: store.ListParams{SortKey: "name", Limit: 3}})
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b", "c"}, taskNames(got))

		got, err = s.TaskList(ctx, store.TaskListParams{ExecutionID: ex.ID, ListParams: store.ListParams{SortDesc: true}})
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b", "c", "d", "e"}, taskNames(got))

		got, err = s.TaskList(ctx, store.TaskListParams{ExecutionID: ex.ID, State: workflow.StateSuccess})
		require.NoError(t, err)
		require.Equal(t, []string{"c"}, taskNames(got))

		got, err = s.TaskList(ctx, store.TaskListParams{Name: "zz"})
		require.NoError(t, err)
		require.Equal(t, []string{"zz"}, taskNames(got))

		got, err = s.TaskList(ctx, store.TaskListParams{})
		require.NoError(t, err)
		require.Len(t, got, 6)

		_, err = s.TaskList(ctx, store.TaskListParams{ListParams: store.ListParams{SortKey: "seq; --"}})
		require.Error(t, err)
		_, err = s.TaskList(ctx, store.TaskListParams{ListParams: store.ListParams{Marker: "missing"}})
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}
