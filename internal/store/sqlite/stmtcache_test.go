package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCachedTxPreparesOnce checks that a statement the shared cache does
// not hold yet is prepared once on the transaction and reused, that it
// is noted for the cache, and that a statement that cannot be prepared
// still reports its error when run.
func TestCachedTxPreparesOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "bora.db"))
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()

	cases := []struct {
		name, query string
		wantErr     bool
	}{
		{name: "new statement", query: "SELECT 1 + ?"},
		{name: "bad statement", query: "SELEKT nothing", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := s.beginTx(ctx)
			require.NoError(t, err)
			defer func() { _ = tx.Rollback() }()
			q := newCachedTx(tx, s.wcache)
			for range 3 {
				var n int
				err := q.QueryRowContext(ctx, tc.query, 1).Scan(&n)
				if tc.wantErr {
					require.Error(t, err)
					continue
				}
				require.NoError(t, err)
				require.Equal(t, 2, n)
			}
			q.local.mu.Lock()
			_, bound := q.local.m[tc.query]
			q.local.mu.Unlock()
			require.Equal(t, !tc.wantErr, bound, "bound to the transaction")
			s.wcache.mu.Lock()
			_, wanted := s.wcache.wanted[tc.query]
			s.wcache.mu.Unlock()
			require.True(t, wanted, "noted for the shared cache")
		})
	}
	// The next Begin prepares the good statement for every transaction.
	tx, err := s.beginTx(context.WithoutCancel(ctx))
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	require.NotNil(t, s.wcache.get("SELECT 1 + ?"))
}
