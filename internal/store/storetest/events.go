package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
)

func eventIDs(events []*store.Event) []string {
	var out []string
	for _, ev := range events {
		out = append(out, ev.ID)
	}
	return out
}

func exerciseEvents(t *testing.T, open Opener) {
	leaf(t, "RoundTrip", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		ev := Event(t, s, ex, func(ev *store.Event) {
			ev.Kind = store.EventActionResult
			ev.Payload = []byte(`{"b":1,"a":[2.0]}`)
			ev.Attempts = 2
			ev.LastError = "earlier"
		})
		got, err := s.EventClaimMany(ctx, store.EventClaimParams{Now: T0, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, []*store.Event{ev}, got)

		dup := *ev
		require.ErrorIs(t, s.EventInsert(ctx, &dup), store.ErrConflict)

		noID := &store.Event{ExecutionID: ex.ID, RootID: ex.ID, Kind: store.EventTimer}
		require.NoError(t, s.EventInsert(ctx, noID))
		require.NotEmpty(t, noID.ID)
		require.False(t, noID.AvailableAt.IsZero(), "an event without a time is due at once")
	})

	leaf(t, "ClaimRespectsAvailableAt", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		// Inserted out of time order: the claim orders by available_at.
		later := Event(t, s, ex, func(ev *store.Event) { ev.AvailableAt = T0.Add(time.Second) })
		first := Event(t, s, ex, nil)
		future := Event(t, s, ex, func(ev *store.Event) { ev.AvailableAt = T0.Add(time.Hour) })

		got, err := s.EventClaimMany(ctx, store.EventClaimParams{Now: T0.Add(-time.Microsecond), Limit: 10})
		require.NoError(t, err)
		require.Empty(t, got)

		got, err = s.EventClaimMany(ctx, store.EventClaimParams{Now: T0, Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{first.ID}, eventIDs(got), "available_at equal to now is due")

		got, err = s.EventClaimMany(ctx, store.EventClaimParams{Now: T0.Add(2 * time.Second), Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{first.ID, later.ID}, eventIDs(got))

		got, err = s.EventClaimMany(ctx, store.EventClaimParams{Now: T0.Add(2 * time.Hour), Limit: 2})
		require.NoError(t, err)
		require.Equal(t, []string{first.ID, later.ID}, eventIDs(got), "limit")

		got, err = s.EventClaimMany(ctx, store.EventClaimParams{Now: T0.Add(2 * time.Hour), Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{first.ID, later.ID, future.ID}, eventIDs(got))

		_, err = s.EventClaimMany(ctx, store.EventClaimParams{Now: T0})
		require.Error(t, err, "a zero limit is a caller bug")
	})

	leaf(t, "DeleteOnce", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ev := Event(t, s, Execution(t, s, nil), nil)
		inTx(t, s, func(tx store.Tx) {
			got, err := tx.EventClaimMany(ctx, store.EventClaimParams{Now: T0, Limit: 10})
			require.NoError(t, err)
			require.Equal(t, []string{ev.ID}, eventIDs(got))
			require.NoError(t, tx.EventDelete(ctx, ev.ID))
		})
		require.ErrorIs(t, s.EventDelete(ctx, ev.ID), store.ErrNotFound)
		got, err := s.EventClaimMany(ctx, store.EventClaimParams{Now: T0, Limit: 10})
		require.NoError(t, err)
		require.Empty(t, got)
	})

	leaf(t, "RollbackReleasesClaims", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		a := Event(t, s, ex, nil)
		b := Event(t, s, ex, func(ev *store.Event) { ev.AvailableAt = T0.Add(time.Millisecond) })

		tx, err := s.Begin(ctx)
		require.NoError(t, err)
		got, err := tx.EventClaimMany(ctx, store.EventClaimParams{Now: T0.Add(time.Second), Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{a.ID, b.ID}, eventIDs(got))
		require.NoError(t, tx.EventDelete(ctx, a.ID))
		require.NoError(t, tx.Rollback(ctx))
		require.NoError(t, tx.Rollback(ctx), "a second rollback is a no-op")

		inTx(t, s, func(tx store.Tx) {
			got, err := tx.EventClaimMany(ctx, store.EventClaimParams{Now: T0.Add(time.Second), Limit: 10})
			require.NoError(t, err)
			require.Equal(t, []string{a.ID, b.ID}, eventIDs(got), "the rolled-back delete is undone")
		})
	})

	// Two engines claiming at once never get the same event. SQLite's one
	// writer serialises transactions, so only PostgreSQL can have two open.
	leaf(t, "ConcurrentClaimsSkipLocked", open, func(t *testing.T, s store.Store) {
		if s.Name() != "postgres" {
			t.Skip("transactions are serialised on " + s.Name())
		}
		ctx := t.Context()
		ex := Execution(t, s, nil)
		var all []*store.Event
		for i := range 3 {
			all = append(all, Event(t, s, ex, func(ev *store.Event) { ev.AvailableAt = T0.Add(time.Duration(i) * time.Second) }))
		}
		now := T0.Add(time.Minute)

		tx1, err := s.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx1.Rollback(ctx) }()
		got1, err := tx1.EventClaimMany(ctx, store.EventClaimParams{Now: now, Limit: 2})
		require.NoError(t, err)
		require.Equal(t, []string{all[0].ID, all[1].ID}, eventIDs(got1))

		tx2, err := s.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx2.Rollback(ctx) }()
		got2, err := tx2.EventClaimMany(ctx, store.EventClaimParams{Now: now, Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{all[2].ID}, eventIDs(got2), "tx1's claims are skipped, not waited for")

		require.NoError(t, tx1.EventDelete(ctx, all[0].ID))
		require.NoError(t, tx1.Rollback(ctx))

		tx3, err := s.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx3.Rollback(ctx) }()
		got3, err := tx3.EventClaimMany(ctx, store.EventClaimParams{Now: now, Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{all[0].ID, all[1].ID}, eventIDs(got3), "tx1's rollback released its claims")
		require.NoError(t, tx2.Commit(ctx))
		require.NoError(t, tx3.Commit(ctx))
	})

	leaf(t, "Postpone", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ev := Event(t, s, Execution(t, s, nil), nil)
		require.NoError(t, s.EventPostpone(ctx, store.EventPostponeParams{ID: ev.ID, At: T0.Add(time.Minute), Error: "boom"}))

		got, err := s.EventClaimMany(ctx, store.EventClaimParams{Now: T0.Add(time.Second), Limit: 10})
		require.NoError(t, err)
		require.Empty(t, got, "a postponed event is not due")

		got, err = s.EventClaimMany(ctx, store.EventClaimParams{Now: T0.Add(time.Minute), Limit: 10})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, 1, got[0].Attempts)
		require.Equal(t, "boom", got[0].LastError)
		require.Equal(t, T0.Add(time.Minute), got[0].AvailableAt)

		require.NoError(t, s.EventPostpone(ctx, store.EventPostponeParams{ID: ev.ID, At: T0.Add(2 * time.Minute), Error: "again"}))
		next, err := s.EventNextAvailableAt(ctx)
		require.NoError(t, err)
		require.Equal(t, T0.Add(2*time.Minute), next)

		require.ErrorIs(t, s.EventPostpone(ctx, store.EventPostponeParams{ID: "missing", At: T0}), store.ErrNotFound)
	})

	leaf(t, "NextAvailableAt", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		next, err := s.EventNextAvailableAt(ctx)
		require.NoError(t, err)
		require.True(t, next.IsZero(), "no events")

		ex := Execution(t, s, nil)
		Event(t, s, ex, func(ev *store.Event) { ev.AvailableAt = T0.Add(time.Hour) })
		soon := Event(t, s, ex, func(ev *store.Event) { ev.AvailableAt = T0.Add(time.Second) })
		next, err = s.EventNextAvailableAt(ctx)
		require.NoError(t, err)
		require.Equal(t, T0.Add(time.Second), next)
		require.Equal(t, time.UTC, next.Location())

		require.NoError(t, s.EventDelete(ctx, soon.ID))
		next, err = s.EventNextAvailableAt(ctx)
		require.NoError(t, err)
		require.Equal(t, T0.Add(time.Hour), next)
	})
}
