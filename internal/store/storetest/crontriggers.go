package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

func cronTrigger(name string, next time.Time) *store.CronTrigger {
	first := T0.Add(time.Hour)
	count := 3
	return &store.CronTrigger{
		Name:                name,
		WorkflowName:        "wf",
		WorkflowID:          "0f1c2d3e-0000-4000-8000-000000000001",
		WorkflowNamespace:   "ns",
		WorkflowInput:       value.MapOf("z", int64(1), "a", []any{"x", nil}),
		WorkflowParams:      value.MapOf("env", value.MapOf("k", "v")),
		Pattern:             "*/5 * * * *",
		FirstExecutionTime:  &first,
		NextExecutionTime:   next,
		RemainingExecutions: &count,
		Scope:               "private",
		ProjectID:           "<default-project>",
		CreatedAt:           T0,
		UpdatedAt:           T0,
	}
}

func cronTriggerNames(ts []*store.CronTrigger) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func exerciseCronTriggers(t *testing.T, open Opener) {
	leaf(t, "CRUD", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		tr := cronTrigger("tr", T0.Add(time.Hour))
		require.NoError(t, s.CronTriggerCreate(ctx, tr))
		require.NotEmpty(t, tr.ID)
		for _, key := range []string{"tr", tr.ID} {
			got, err := s.CronTriggerGet(ctx, key)
			require.NoError(t, err)
			require.Equal(t, tr, got)
		}
		require.ErrorIs(t, s.CronTriggerCreate(ctx, cronTrigger("tr", T0)), store.ErrConflict)

		// No first time, no count: both stay unset; nil maps read as {}.
		bare := &store.CronTrigger{Name: "bare", WorkflowName: "wf", Pattern: "* * * * *", NextExecutionTime: T0}
		require.NoError(t, s.CronTriggerCreate(ctx, bare))
		got, err := s.CronTriggerGet(ctx, "bare")
		require.NoError(t, err)
		require.Nil(t, got.FirstExecutionTime)
		require.Nil(t, got.RemainingExecutions)
		require.Equal(t, 0, got.WorkflowInput.Len())
		require.Equal(t, bare, got)

		list, err := s.CronTriggerList(ctx, store.ListParams{SortKey: "name"})
		require.NoError(t, err)
		require.Equal(t, []string{"bare", "tr"}, cronTriggerNames(list))
		list, err = s.CronTriggerList(ctx, store.ListParams{SortKey: "name", Marker: bare.ID, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, []string{"tr"}, cronTriggerNames(list))

		require.NoError(t, s.CronTriggerDelete(ctx, tr.ID))
		require.NoError(t, s.CronTriggerDelete(ctx, "bare"))
		_, err = s.CronTriggerGet(ctx, "tr")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.CronTriggerDelete(ctx, "tr"), store.ErrNotFound)
	})

	leaf(t, "ClaimDueAndAdvance", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		late := cronTrigger("late", T0.Add(time.Hour))
		early := cronTrigger("early", T0)
		later := cronTrigger("later", T0.Add(2*time.Hour))
		for _, tr := range []*store.CronTrigger{late, early, later} {
			require.NoError(t, s.CronTriggerCreate(ctx, tr))
		}
		inTx(t, s, func(tx store.Tx) {
			got, err := tx.CronTriggerClaimDue(ctx, store.CronTriggerClaimParams{Now: T0.Add(time.Hour), Limit: 10})
			require.NoError(t, err)
			require.Equal(t, []string{"early", "late"}, cronTriggerNames(got), "due ones, earliest first")
			got, err = tx.CronTriggerClaimDue(ctx, store.CronTriggerClaimParams{Now: T0.Add(time.Hour), Limit: 1})
			require.NoError(t, err)
			require.Equal(t, []string{"early"}, cronTriggerNames(got))
			_, err = tx.CronTriggerClaimDue(ctx, store.CronTriggerClaimParams{Now: T0})
			require.Error(t, err, "a limit is required")

			two := 2
			require.NoError(t, tx.CronTriggerAdvance(ctx, store.CronTriggerAdvanceParams{
				ID: early.ID, Prev: T0, Next: T0.Add(3 * time.Hour), RemainingExecutions: &two, UpdatedAt: T0.Add(time.Second),
			}))
			// The same due time cannot be advanced twice.
			require.ErrorIs(t, tx.CronTriggerAdvance(ctx, store.CronTriggerAdvanceParams{
				ID: early.ID, Prev: T0, Next: T0.Add(4 * time.Hour), UpdatedAt: T0,
			}), store.ErrStale)
			require.ErrorIs(t, tx.CronTriggerAdvance(ctx, store.CronTriggerAdvanceParams{
				ID: "missing", Prev: T0, Next: T0, UpdatedAt: T0,
			}), store.ErrNotFound)
		})
		got, err := s.CronTriggerGet(ctx, "early")
		require.NoError(t, err)
		require.Equal(t, T0.Add(3*time.Hour), got.NextExecutionTime)
		require.Equal(t, 2, *got.RemainingExecutions)
		require.Equal(t, T0.Add(time.Second), got.UpdatedAt)
	})

	// Two engines claiming at once never fire the same trigger. SQLite's
	// one writer serialises transactions, so only PostgreSQL can have two open.
	leaf(t, "ConcurrentClaimsSkipLocked", open, func(t *testing.T, s store.Store) {
		if s.Name() != "postgres" {
			t.Skip("transactions are serialised on " + s.Name())
		}
		ctx := t.Context()
		a, b := cronTrigger("a", T0), cronTrigger("b", T0.Add(time.Second))
		require.NoError(t, s.CronTriggerCreate(ctx, a))
		require.NoError(t, s.CronTriggerCreate(ctx, b))
		now := T0.Add(time.Minute)

		tx1, err := s.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx1.Rollback(ctx) }()
		got1, err := tx1.CronTriggerClaimDue(ctx, store.CronTriggerClaimParams{Now: now, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, []string{"a"}, cronTriggerNames(got1))

		tx2, err := s.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx2.Rollback(ctx) }()
		got2, err := tx2.CronTriggerClaimDue(ctx, store.CronTriggerClaimParams{Now: now, Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []string{"b"}, cronTriggerNames(got2), "tx1's claim is skipped, not waited for")
		require.NoError(t, tx1.Commit(ctx))
		require.NoError(t, tx2.Commit(ctx))
	})
}
