package executor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/executor"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
)

// answerLostStore commits the first claim, then reports it failed as a
// broken connection does after the commit; later claims find nothing new.
type answerLostStore struct {
	store.Store
	lost bool
}

func (s *answerLostStore) WorkItemClaimMany(ctx context.Context, p store.WorkItemClaimParams) ([]*store.WorkItem, error) {
	rows, err := s.Store.WorkItemClaimMany(ctx, p)
	if err != nil || s.lost {
		return rows, err
	}
	s.lost = true
	return nil, fmt.Errorf("read tcp: connection reset by peer: %w", store.ErrRetryable)
}

// TestClaimWithoutAnswerIsTakenOver: items a claim leased though its
// answer was lost are handed to the executor by the next claim that
// reaches the store, instead of expiring into "executor lost" failures.
func TestClaimWithoutAnswerIsTakenOver(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			ex := storetest.Execution(t, st, nil)
			w := storetest.WorkItem(t, st, storetest.ActionExecution(t, st, storetest.Task(t, st, ex, nil), nil), func(w *store.WorkItem) {
				w.AvailableAt = time.Now().UTC().Add(-time.Second)
			})
			src := &executor.StoreSource{Store: &answerLostStore{Store: st}}
			req := executor.ClaimRequest{Owner: "x-1", Max: 4, Lease: 30 * time.Second, Wait: time.Millisecond}

			items, err := src.Claim(t.Context(), req)
			require.ErrorIs(t, err, executor.ErrUnavailable)
			require.Empty(t, items)

			items, err = src.Claim(t.Context(), req)
			require.NoError(t, err)
			require.Len(t, items, 1, "the unanswered claim's item comes back")
			require.Equal(t, w.ID, items[0].ID)
			require.NotEmpty(t, items[0].LeaseToken)
			require.False(t, items[0].Deadline.IsZero(), "the deadline counts from the first claim")
			require.NoError(t, st.WorkItemHeartbeat(t.Context(), store.WorkItemHeartbeatParams{
				ID: w.ID, LeaseToken: items[0].LeaseToken, Now: time.Now().UTC(), Lease: time.Minute,
			}), "the token is the one the item is leased under")

			items, err = src.Claim(t.Context(), req)
			require.NoError(t, err)
			require.Empty(t, items, "taken over once only")
		})
	}
}
