package storetest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// PostgresSchemaURL creates an empty schema of its own (bora_test_<random>)
// and returns a DSN whose search_path points at it, for tests that hand
// the DSN to another process (a bora server started as a subprocess). The
// schema is dropped when the test ends.
func PostgresSchemaURL(t testing.TB) string {
	t.Helper()
	ctx := t.Context()
	dsn := PostgresURL(t)
	schema := "bora_test_" + randomHex(t, 8)
	admin, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	require.NoError(t, admin.Close(ctx))
	t.Cleanup(func() {
		ctx := context.WithoutCancel(ctx)
		admin, err := pgx.Connect(ctx, dsn)
		require.NoError(t, err)
		defer func() { _ = admin.Close(ctx) }()
		_, err = admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		require.NoError(t, err)
	})
	return withSearchPath(t, dsn, schema)
}
