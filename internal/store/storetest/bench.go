package storetest

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// BenchmarkStep measures the engine's hot path, one step per transaction:
// insert a task, update it (guarded), insert the next event, delete the
// applied one. The figure to compare with DESIGN.md's measured floor.
func BenchmarkStep(b *testing.B, s store.Store) {
	ctx := b.Context()
	ex := Execution(b, s, nil)
	prev := Event(b, s, ex, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var next *store.Event
		err := store.InTx(ctx, s, func(ctx context.Context, tx store.Tx) error {
			task := &workflow.Task{
				ID: uuid.NewString(), ExecutionID: ex.ID, Name: "t", Type: workflow.TaskTypeAction,
				State: workflow.StateRunning, InContext: ex.Context, Version: 1,
			}
			if err := tx.TaskInsert(ctx, task); err != nil {
				return err
			}
			task.State = workflow.StateSuccess
			task.Result = "ok"
			if err := tx.TaskUpdate(ctx, task); err != nil {
				return err
			}
			next = &store.Event{ExecutionID: ex.ID, RootID: ex.ID, Kind: store.EventActionResult, Payload: []byte(`{"ok":true}`)}
			if err := tx.EventInsert(ctx, next); err != nil {
				return err
			}
			if err := tx.EventDelete(ctx, prev.ID); err != nil {
				return err
			}
			return nil
		})
		require.NoError(b, err)
		prev = next // only once committed: InTx may run the function again
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}
