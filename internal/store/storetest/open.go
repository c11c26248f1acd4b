package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/postgres"
	"github.com/bora-workflow/bora/internal/store/sqlite"
)

// Environment variables of the PostgreSQL tests.
const (
	// EnvDatabaseURL names the server the PostgreSQL tests use.
	EnvDatabaseURL = "BORA_TEST_DATABASE_URL"
	// EnvRequirePG=1 turns a missing EnvDatabaseURL into a failure (CI).
	EnvRequirePG = "BORA_REQUIRE_PG"
)

// OpenSQLite returns a migrated SQLite store on a new file under
// t.TempDir(), closed when the test ends.
func OpenSQLite(t testing.TB) store.Store {
	t.Helper()
	ctx := t.Context()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bora.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	require.NoError(t, s.Migrate(ctx))
	return s
}

// PostgresURL returns EnvDatabaseURL, skipping the test when it is unset
// (failing it instead when EnvRequirePG=1).
func PostgresURL(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDatabaseURL)
	if dsn == "" {
		if os.Getenv(EnvRequirePG) == "1" {
			t.Fatal(EnvDatabaseURL + " not set and " + EnvRequirePG + "=1")
		}
		t.Skip(EnvDatabaseURL + " not set: skipping PostgreSQL tests")
	}
	return dsn
}

// OpenPostgres returns a migrated PostgreSQL store in a schema of its own
// (see PostgresSchemaURL), closed when the test ends. The store reaches
// its tables only through the DSN's search_path.
func OpenPostgres(t testing.TB) store.Store {
	t.Helper()
	ctx := t.Context()
	// Many tests run at once, and pgxpool's default (one connection per
	// CPU) would exhaust max_connections on a big machine.
	dsn := withParam(t, PostgresSchemaURL(t), "pool_max_conns", "4", false)
	s, err := postgres.Open(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	require.NoError(t, s.Migrate(ctx))
	return s
}

// PostgresSchemaURL creates an empty schema of its own (bora_test_<random>)
// and returns a DSN whose search_path points at it, for tests that open
// their own store or hand the DSN to another process (a bora server
// started as a subprocess). The schema is dropped when the test ends.
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
		// The test's context is already cancelled when cleanups run.
		ctx := context.WithoutCancel(ctx)
		admin, err := pgx.Connect(ctx, dsn)
		require.NoError(t, err)
		defer func() { _ = admin.Close(ctx) }()
		_, err = admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		require.NoError(t, err)
	})
	return withParam(t, dsn, "search_path", schema, true)
}

// withParam sets a run-time parameter in a URL or keyword/value DSN,
// replacing one already there only when replace is set.
func withParam(t testing.TB, dsn, key, value string, replace bool) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		if !replace && strings.Contains(dsn, key+"=") {
			return dsn
		}
		// A later keyword wins in libpq's keyword/value format.
		return dsn + " " + key + "=" + value
	}
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	if !replace && q.Has(key) {
		return dsn
	}
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}
