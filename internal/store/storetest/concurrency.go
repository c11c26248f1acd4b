package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
)

// claimers is how many goroutines race in the concurrency tests.
const claimers = 4

// exerciseConcurrency races several claimers over one queue, as several
// engines and executors do: every row must be taken exactly once.
func exerciseConcurrency(t *testing.T, open Opener) {
	leaf(t, "EventsAppliedOnce", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		const n = 120
		inTx(t, s, func(tx store.Tx) {
			for i := range n {
				Event(t, tx, ex, func(ev *store.Event) { ev.AvailableAt = T0.Add(time.Duration(i) * time.Millisecond) })
			}
		})

		seen := raceClaimers(t, func(ctx context.Context) ([]string, error) {
			var ids []string
			err := store.InTx(ctx, s, func(ctx context.Context, tx store.Tx) error {
				ids = nil // InTx may run this again
				events, err := tx.EventClaimMany(ctx, store.EventClaimParams{Now: T0.Add(time.Hour), Limit: 7})
				if err != nil {
					return err
				}
				for _, ev := range events {
					if err := tx.EventDelete(ctx, ev.ID); err != nil {
						return err
					}
					ids = append(ids, ev.ID)
				}
				return nil
			})
			return ids, err
		})
		require.Len(t, seen, n)
		next, err := s.EventNextAvailableAt(ctx)
		require.NoError(t, err)
		require.True(t, next.IsZero(), "every event was applied")
	})

	leaf(t, "WorkItemsLeasedOnce", open, func(t *testing.T, s store.Store) {
		ex := Execution(t, s, nil)
		task := Task(t, s, ex, nil)
		const n = 120
		inTx(t, s, func(tx store.Tx) {
			for range n {
				WorkItem(t, tx, ActionExecution(t, tx, task, nil), nil)
			}
		})

		seen := raceClaimers(t, func(ctx context.Context) ([]string, error) {
			items, err := s.WorkItemClaimMany(ctx, store.WorkItemClaimParams{
				Owner: "racer", Now: T0, Lease: time.Hour, Limit: 7,
			})
			var ids []string
			for _, w := range items {
				ids = append(ids, w.ID)
			}
			return ids, err
		})
		require.Len(t, seen, n)
	})
}

// raceClaimers runs claim in several goroutines until each gets nothing,
// and returns the ids claimed, failing on any id claimed twice.
func raceClaimers(t *testing.T, claim func(ctx context.Context) ([]string, error)) map[string]bool {
	t.Helper()
	ctx := t.Context()
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
		dups []string
		errs []error
		wg   sync.WaitGroup
	)
	for g := range claimers {
		wg.Go(func() {
			for {
				ids, err := claim(ctx)
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("claimer %d: %w", g, err))
					mu.Unlock()
					return
				}
				if len(ids) == 0 {
					return
				}
				mu.Lock()
				for _, id := range ids {
					if seen[id] {
						dups = append(dups, id)
					}
					seen[id] = true
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	require.Empty(t, dups, "claimed twice")
	return seen
}
