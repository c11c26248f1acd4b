package postgres_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/postgres"
	"github.com/bora-workflow/bora/internal/store/storetest"
	"github.com/bora-workflow/bora/internal/workflow"
)

// Every connection carries idle_in_transaction_session_timeout, so a
// frozen process cannot hold its locks for longer; a DSN that sets the
// parameter itself wins.
func TestOpenBoundsIdleTransactions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	base := storetest.PostgresSchemaURL(t)
	s, err := postgres.Open(ctx, base)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Migrate(ctx))
	v, err := postgres.Setting(ctx, s, "idle_in_transaction_session_timeout")
	require.NoError(t, err)
	require.Equal(t, "20s", v, "the default, IdleInTransactionTimeout")

	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("idle_in_transaction_session_timeout", "50")
	u.RawQuery = q.Encode()
	short, err := postgres.Open(ctx, u.String())
	require.NoError(t, err)
	defer short.Close()
	v, err = postgres.Setting(ctx, short, "idle_in_transaction_session_timeout")
	require.NoError(t, err)
	require.Equal(t, "50ms", v)

	// A transaction left idle past the bound is ended by the server; the
	// process that resumes gets a retryable error and nothing committed.
	tx, err := short.Begin(ctx)
	require.NoError(t, err)
	ex := &workflow.Execution{ID: "frozen-1", WorkflowName: "wf", State: workflow.StateRunning, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	require.NoError(t, tx.ExecutionInsert(ctx, ex))
	time.Sleep(time.Second) // frozen, far past 50 ms
	err = tx.Commit(ctx)
	require.ErrorIs(t, err, store.ErrRetryable)
	require.NoError(t, tx.Rollback(ctx))
	_, err = s.ExecutionGet(ctx, ex.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "the frozen transaction did not commit")
}
