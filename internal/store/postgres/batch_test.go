package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/workflow"
)

// TestBatchedWrites checks store.Batcher: queued writes land together,
// a guarded update that finds the row moved on fails the batch with
// ErrStale, and a read inside a batch is refused.
func TestBatchedWrites(t *testing.T) {
	t.Parallel()
	st := storetest.OpenPostgres(t)
	ex := storetest.Execution(t, st, nil)
	stale := storetest.Task(t, st, ex, nil)

	tx, err := st.Begin(t.Context())
	require.NoError(t, err)
	b, ok := tx.(store.Batcher)
	require.True(t, ok)
	first := &workflow.Task{ID: "batched-1", ExecutionID: ex.ID, Name: "a", State: workflow.StateRunning}
	second := &workflow.Task{ID: "batched-2", ExecutionID: ex.ID, Name: "b", State: workflow.StateRunning}
	require.NoError(t, b.Batch(t.Context(), func(q store.Queries) error {
		if err := q.TaskInsert(t.Context(), first); err != nil {
			return err
		}
		return q.TaskInsert(t.Context(), second)
	}))
	require.NoError(t, tx.Commit(t.Context()))
	got, err := st.TaskGet(t.Context(), "batched-2")
	require.NoError(t, err)
	require.Equal(t, "b", got.Name)

	tx, err = st.Begin(t.Context())
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(t.Context()) }()
	old := *stale
	old.Version = 99
	old.State = workflow.StateSuccess
	err = tx.(store.Batcher).Batch(t.Context(), func(q store.Queries) error { return q.TaskUpdate(t.Context(), &old) })
	require.ErrorIs(t, err, store.ErrStale)

	tx2, err := st.Begin(t.Context())
	require.NoError(t, err)
	defer func() { _ = tx2.Rollback(t.Context()) }()
	err = tx2.(store.Batcher).Batch(t.Context(), func(q store.Queries) error {
		_, err := q.TaskGet(t.Context(), stale.ID)
		return err
	})
	require.Error(t, err, "reads are refused inside a batch")
}
