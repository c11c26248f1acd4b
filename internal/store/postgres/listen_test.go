package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/storetest"
)

// TestNotifyOnCommit checks the LISTEN/NOTIFY hint: a transaction that
// queues an event or a work item wakes listeners when it commits, and one
// that rolls back wakes nobody.
func TestNotifyOnCommit(t *testing.T) {
	t.Parallel()
	st := storetest.OpenPostgres(t)
	n, ok := st.(store.Notifier)
	require.True(t, ok, "the PostgreSQL store announces work")
	got := make(chan string, 16)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); _ = n.Listen(ctx, func(ch string) { got <- ch }) }()
	t.Cleanup(func() { cancel(); <-done })

	ex := storetest.Execution(t, st, nil)
	insert := func(commit bool) {
		tx, err := st.Begin(t.Context())
		require.NoError(t, err)
		require.NoError(t, tx.EventInsert(t.Context(), &store.Event{ExecutionID: ex.ID, RootID: ex.ID, Kind: store.EventStart, Payload: []byte("{}")}))
		if commit {
			require.NoError(t, tx.Commit(t.Context()))
		} else {
			require.NoError(t, tx.Rollback(t.Context()))
		}
	}
	// The listener needs a moment to connect; keep committing until it hears.
	deadline := time.After(10 * time.Second)
	for heard := false; !heard; {
		insert(true)
		select {
		case ch := <-got:
			require.Equal(t, store.ChannelEvents, ch)
			heard = true
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no notification after committing events")
		}
	}
	for len(got) > 0 {
		<-got
	}
	insert(false)
	select {
	case ch := <-got:
		t.Fatalf("a rolled-back transaction notified %s", ch)
	case <-time.After(300 * time.Millisecond):
	}
}
