package storetest

import (
	"context"
	"testing"

	"github.com/bora-workflow/bora/internal/id"
	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

// BenchmarkStep measures the engine's hot path, one step per transaction:
// insert a task, update it (guarded), insert the next event, delete the
// applied one. The figure to compare with DESIGN.md's measured floor.
func BenchmarkStep(b *testing.B, s store.Store) {
	ex := Execution(b, s, nil)
	st := &stepper{s: s, ex: ex, prev: Event(b, s, ex, nil)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		require.NoError(b, st.step(b.Context()))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkStepParallel is BenchmarkStep from several goroutines (set
// with -cpu), each on an execution of its own, as several engines work:
// PostgreSQL's group commit shows here, SQLite's single writer too.
func BenchmarkStepParallel(b *testing.B, s store.Store) {
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ex := Execution(b, s, nil)
		st := &stepper{s: s, ex: ex, prev: Event(b, s, ex, nil)}
		for pb.Next() {
			if err := st.step(b.Context()); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// stepper applies steps to one execution.
type stepper struct {
	s    store.Store
	ex   *workflow.Execution
	prev *store.Event
}

func (st *stepper) step(ctx context.Context) error {
	var next *store.Event
	err := store.InTx(ctx, st.s, func(ctx context.Context, tx store.Tx) error {
		task := &workflow.Task{
			ID: id.New(), ExecutionID: st.ex.ID, Name: "t", Type: workflow.TaskTypeAction,
			State: workflow.StateRunning, InContext: st.ex.Context, Version: 1,
		}
		if err := tx.TaskInsert(ctx, task); err != nil {
			return err
		}
		task.State = workflow.StateSuccess
		task.Result = "ok"
		if err := tx.TaskUpdate(ctx, task); err != nil {
			return err
		}
		next = &store.Event{ExecutionID: st.ex.ID, RootID: st.ex.ID, Kind: store.EventActionResult, Payload: []byte(`{"ok":true}`)}
		if err := tx.EventInsert(ctx, next); err != nil {
			return err
		}
		return tx.EventDelete(ctx, st.prev.ID)
	})
	if err != nil {
		return err
	}
	st.prev = next // only once committed: InTx may run the function again
	return nil
}
