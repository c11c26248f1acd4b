package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

func workItemIDs(items []*store.WorkItem) []string {
	var out []string
	for _, w := range items {
		out = append(out, w.ID)
	}
	return out
}

// claim leases work items of target at now for 30s.
func claim(t *testing.T, q store.Queries, target, owner string, now time.Time, limit int) []*store.WorkItem {
	t.Helper()
	items, err := q.WorkItemClaimMany(t.Context(), store.WorkItemClaimParams{
		Owner: owner, Targets: []string{target}, Now: now, Lease: 30 * time.Second, Limit: limit,
	})
	require.NoError(t, err)
	return items
}

func exerciseWorkItems(t *testing.T, open Opener) {
	leaf(t, "ClaimLeases", open, func(t *testing.T, s store.Store) {
		ex := Execution(t, s, nil)
		task := Task(t, s, ex, nil)
		w := WorkItem(t, s, ActionExecution(t, s, task, nil), func(w *store.WorkItem) { w.Attempt = 2 })

		got := claim(t, s, "", "exec-1", T0, 10)
		require.Len(t, got, 1)
		item := got[0]
		require.Equal(t, w.ID, item.ID)
		require.Equal(t, w.Payload, item.Payload)
		require.Equal(t, w.ActionExecutionID, item.ActionExecutionID)
		require.Equal(t, ex.ID, item.ExecutionID)
		require.Equal(t, "exec-1", item.LeaseOwner)
		require.NotEmpty(t, item.LeaseToken)
		require.NotNil(t, item.LeaseExpiresAt)
		require.Equal(t, T0.Add(30*time.Second), *item.LeaseExpiresAt)
		require.Equal(t, 1, item.Claims)
		require.Equal(t, 2, item.Attempt, "the action's attempt is the inserter's")

		require.Empty(t, claim(t, s, "", "exec-2", T0.Add(29*time.Second), 10), "leased")
	})

	leaf(t, "ClaimOrderTargetAndLimit", open, func(t *testing.T, s store.Store) {
		ex := Execution(t, s, nil)
		task := Task(t, s, ex, nil)
		item := func(target string, at time.Duration) *store.WorkItem {
			return WorkItem(t, s, ActionExecution(t, s, task, nil), func(w *store.WorkItem) {
				w.Target = target
				w.AvailableAt = T0.Add(at)
			})
		}
		b := item("", 2*time.Second)
		a := item("", time.Second)
		gpu := item("gpu", 0)
		future := item("", time.Hour)

		require.Equal(t, []string{a.ID}, workItemIDs(claim(t, s, "", "x", T0.Add(time.Minute), 1)))
		require.Equal(t, []string{b.ID}, workItemIDs(claim(t, s, "", "x", T0.Add(time.Minute), 10)))
		require.Equal(t, []string{gpu.ID}, workItemIDs(claim(t, s, "gpu", "x", T0.Add(time.Minute), 10)))
		require.Empty(t, claim(t, s, "", "x", T0.Add(time.Minute), 10), "the last one is not yet available")
		require.Equal(t, []string{future.ID}, workItemIDs(claim(t, s, "", "x", T0.Add(time.Hour), 10)),
			"the future item is due; the expired leases wait for the rescuer")

		_, err := s.WorkItemClaimMany(t.Context(), store.WorkItemClaimParams{Owner: "x", Now: T0})
		require.Error(t, err, "a zero limit is a caller bug")
	})

	// An executor serves the default queue and its own name at once, as a
	// Mistral executor takes untargeted work and work sent to its host.
	leaf(t, "ClaimFromSeveralTargets", open, func(t *testing.T, s store.Store) {
		ex := Execution(t, s, nil)
		task := Task(t, s, ex, nil)
		item := func(target string, at time.Duration) *store.WorkItem {
			return WorkItem(t, s, ActionExecution(t, s, task, nil), func(w *store.WorkItem) {
				w.Target = target
				w.AvailableAt = T0.Add(at)
			})
		}
		mine := item("exec-7", 0)
		other := item("exec-8", time.Second)
		plain := item("", 2*time.Second)
		got, err := s.WorkItemClaimMany(t.Context(), store.WorkItemClaimParams{
			Owner: "exec-7", Targets: []string{"", "exec-7"}, Now: T0.Add(time.Minute), Lease: time.Minute, Limit: 10,
		})
		require.NoError(t, err)
		require.Equal(t, []string{mine.ID, plain.ID}, workItemIDs(got), "oldest first, another executor's item left alone")
		require.Equal(t, []string{other.ID}, workItemIDs(claim(t, s, "exec-8", "exec-8", T0.Add(time.Minute), 10)))
	})

	// A claimer that chose its token finds what it leased under it, even
	// when the claim's answer never reached it.
	leaf(t, "ClaimTokenAndListByLease", open, func(t *testing.T, s store.Store) {
		ex := Execution(t, s, nil)
		task := Task(t, s, ex, nil)
		a := WorkItem(t, s, ActionExecution(t, s, task, nil), nil)
		b := WorkItem(t, s, ActionExecution(t, s, task, nil), func(w *store.WorkItem) { w.AvailableAt = T0.Add(time.Second) })
		_, err := s.WorkItemClaimMany(t.Context(), store.WorkItemClaimParams{
			Owner: "x", Token: "tok-1", Now: T0.Add(time.Minute), Lease: time.Minute, Limit: 10,
		})
		require.NoError(t, err)
		got, err := s.WorkItemListByLease(t.Context(), "tok-1")
		require.NoError(t, err)
		require.Equal(t, []string{a.ID, b.ID}, workItemIDs(got))
		require.Equal(t, "tok-1", got[0].LeaseToken)
		none, err := s.WorkItemListByLease(t.Context(), "tok-2")
		require.NoError(t, err)
		require.Empty(t, none)
	})

	// The stale-result test: an executor stalls past its lease, another
	// claims the item, and the first one's late result must be refused.
	leaf(t, "ExpiredLeaseIsReclaimedAndOldTokenIsStale", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		w := WorkItem(t, s, ActionExecution(t, s, Task(t, s, ex, nil), nil), nil)

		first := claim(t, s, "", "exec-1", T0, 10)
		require.Len(t, first, 1)
		oldToken := first[0].LeaseToken

		require.NoError(t, s.WorkItemHeartbeat(ctx, store.WorkItemHeartbeatParams{
			ID: w.ID, LeaseToken: oldToken, Now: T0.Add(20 * time.Second), Lease: 30 * time.Second,
		}))
		require.Empty(t, claim(t, s, "", "exec-2", T0.Add(40*time.Second), 10), "the heartbeat extended the lease")

		require.Empty(t, claim(t, s, "", "exec-2", T0.Add(50*time.Second), 10),
			"an expired lease waits for the rescuer, it is not claimable")
		inTx(t, s, func(tx store.Tx) {
			expired, err := tx.WorkItemExpiredMany(ctx, store.WorkItemExpiredParams{Now: T0.Add(50 * time.Second), Limit: 10})
			require.NoError(t, err)
			require.Len(t, expired, 1)
			require.Equal(t, oldToken, expired[0].LeaseToken)
			notYet, err := tx.WorkItemExpiredMany(ctx, store.WorkItemExpiredParams{Now: T0.Add(49 * time.Second), Limit: 10})
			require.NoError(t, err)
			require.Empty(t, notYet, "the lease runs until 50 s")
			require.NoError(t, tx.WorkItemRequeue(ctx, w.ID, oldToken))
			require.ErrorIs(t, tx.WorkItemRequeue(ctx, w.ID, oldToken), store.ErrStale)
		})
		second := claim(t, s, "", "exec-2", T0.Add(50*time.Second), 10)
		require.Len(t, second, 1, "the rescuer put the item back")
		require.Equal(t, w.ID, second[0].ID)
		require.NotEqual(t, oldToken, second[0].LeaseToken)
		require.Equal(t, "exec-2", second[0].LeaseOwner)
		require.Equal(t, 2, second[0].Claims, "the second claim tells the executor a run may have been lost")

		require.ErrorIs(t, s.WorkItemHeartbeat(ctx, store.WorkItemHeartbeatParams{
			ID: w.ID, LeaseToken: oldToken, Now: T0.Add(51 * time.Second), Lease: 30 * time.Second,
		}), store.ErrStale)
		require.ErrorIs(t, s.WorkItemDelete(ctx, w.ID, oldToken), store.ErrStale)
		require.ErrorIs(t, s.WorkItemRelease(ctx, w.ID, oldToken), store.ErrStale)
		require.ErrorIs(t, s.WorkItemDelete(ctx, w.ID, ""), store.ErrStale, "a leased item needs its token")

		inTx(t, s, func(tx store.Tx) {
			require.NoError(t, tx.WorkItemDelete(ctx, w.ID, second[0].LeaseToken))
		})
		require.ErrorIs(t, s.WorkItemDelete(ctx, w.ID, second[0].LeaseToken), store.ErrStale, "gone")
		require.Empty(t, claim(t, s, "", "exec-3", T0.Add(time.Hour), 10))
	})

	leaf(t, "Release", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		w := WorkItem(t, s, ActionExecution(t, s, Task(t, s, ex, nil), nil), nil)

		first := claim(t, s, "", "exec-1", T0, 10)
		require.Len(t, first, 1)
		require.NoError(t, s.WorkItemRelease(ctx, w.ID, first[0].LeaseToken))
		require.ErrorIs(t, s.WorkItemRelease(ctx, w.ID, first[0].LeaseToken), store.ErrStale)

		again := claim(t, s, "", "exec-2", T0.Add(time.Second), 10)
		require.Len(t, again, 1, "a released item is available at once")
		require.Equal(t, 1, again[0].Claims, "the release undid the claim")
		require.NotEqual(t, first[0].LeaseToken, again[0].LeaseToken)
	})

	leaf(t, "DeleteUnleased", open, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ex := Execution(t, s, nil)
		w := WorkItem(t, s, ActionExecution(t, s, Task(t, s, ex, nil), nil), nil)
		require.ErrorIs(t, s.WorkItemDelete(ctx, w.ID, "some-token"), store.ErrStale)
		require.NoError(t, s.WorkItemDelete(ctx, w.ID, ""))
		require.Empty(t, claim(t, s, "", "x", T0, 10))
		require.ErrorIs(t, s.WorkItemHeartbeat(ctx, store.WorkItemHeartbeatParams{ID: w.ID, LeaseToken: "t", Now: T0, Lease: time.Second}), store.ErrStale)
	})

	leaf(t, "InsertConflict", open, func(t *testing.T, s store.Store) {
		ex := Execution(t, s, nil)
		a := ActionExecution(t, s, Task(t, s, ex, nil), func(a *workflow.ActionExecution) { a.Target = "t" })
		w := WorkItem(t, s, a, nil)
		dup := *w
		require.ErrorIs(t, s.WorkItemInsert(t.Context(), &dup), store.ErrConflict)
	})
}
