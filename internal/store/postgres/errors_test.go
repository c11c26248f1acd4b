package postgres

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
)

func TestMapErr(t *testing.T) {
	t.Parallel()
	pg := func(code string) error { return fmt.Errorf("exec: %w", &pgconn.PgError{Code: code}) }
	for _, tc := range []struct {
		name string
		err  error
		want error // nil: no sentinel
	}{
		{"no rows", pgx.ErrNoRows, store.ErrNotFound},
		{"unique violation", pg("23505"), store.ErrConflict},
		{"serialization failure", pg("40001"), store.ErrRetryable},
		{"deadlock", pg("40P01"), store.ErrRetryable},
		{"idle in transaction timeout (a frozen process)", pg("25P03"), store.ErrRetryable},
		{"connection failure", pg("08006"), store.ErrRetryable},
		{"admin shutdown", pg("57P01"), store.ErrRetryable},
		{"lost connection", io.ErrUnexpectedEOF, store.ErrRetryable},
		{"syntax error", pg("42601"), nil},
		{"cancelled", fmt.Errorf("read: %w", context.Canceled), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := mapErr(tc.err)
			if tc.want != store.ErrNotFound { // "no rows" says nothing the sentinel does not
				require.ErrorIs(t, got, tc.err, "the original stays in the chain")
			}
			for _, sentinel := range []error{store.ErrNotFound, store.ErrConflict, store.ErrRetryable, store.ErrStale} {
				if sentinel == tc.want {
					require.ErrorIs(t, got, sentinel)
				} else {
					require.NotErrorIs(t, got, sentinel)
				}
			}
		})
	}
}
