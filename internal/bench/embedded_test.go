package bench

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store/storetest"
)

// smallSet is one of every shape, small enough for a unit test.
const smallSet = "seq_10,par_10,join_10,with_items_10,with_items_c10_10,mixed_2x5,mixed_join_2x5,complex_2x5"

func runEmbedded(t *testing.T, db string) *Report {
	t.Helper()
	target, err := StartEmbedded(t.Context(), EmbeddedOptions{DB: db, Concurrency: 2, Log: t.Output()})
	require.NoError(t, err)
	closed := false
	defer func() {
		if !closed {
			require.NoError(t, target.Close(context.WithoutCancel(t.Context())))
		}
	}()
	specs, err := ParseSpecs(smallSet)
	require.NoError(t, err)
	rep, err := Run(t.Context(), target, Options{
		Workflows: specs, Runs: 2, Concurrency: 2, Poll: 5 * time.Millisecond, Timeout: time.Minute, Verify: true,
		// Forced: auto may rightly pick the client on a loaded machine.
		Timing: TimingStore,
	})
	require.NoError(t, err)
	require.Len(t, rep.Results, len(specs))
	for _, r := range rep.Results {
		require.Equal(t, 4, r.Executions, r.Workflow)
		require.Equal(t, r.Executions, r.Succeeded, "%s: %v %v", r.Workflow, r.States, r.Errors)
		require.Equal(t, TimingStore, r.Timing, r.Workflow)
		require.NotNil(t, r.StoreSeconds, r.Workflow)
		require.NotNil(t, r.APISeconds, r.Workflow)
		require.NotNil(t, r.CPUSecondsPerTask, r.Workflow)
		require.NotNil(t, r.Verified, r.Workflow)
		require.True(t, r.Verified.OK, "%s: %+v", r.Workflow, r.Verified)
		require.Empty(t, r.Errors, r.Workflow)
	}
	require.NotEmpty(t, rep.CPUNote)

	// The definitions were deleted: a second run creates them again.
	c := target.Client()
	created, err := c.UploadWorkflows(t.Context(), mustGenerate(t, "seq_10").Text)
	require.NoError(t, err)
	require.True(t, created)

	e := target.(*embedded)
	schema := e.schema
	closed = true
	require.NoError(t, target.Close(context.WithoutCancel(t.Context())))
	if schema != "" {
		requireSchemaGone(t, db, schema)
	}
	return rep
}

func mustGenerate(t testing.TB, name string) Definition {
	t.Helper()
	spec, err := ParseSpec(name)
	require.NoError(t, err)
	def, err := Generate(spec)
	require.NoError(t, err)
	return def
}

func requireSchemaGone(t *testing.T, dsn, schema string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer func() { _ = conn.Close(context.WithoutCancel(t.Context())) }()
	var n int
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1", schema).Scan(&n))
	require.Zero(t, n, "schema %s is dropped", schema)
}

func TestEmbeddedSQLite(t *testing.T) {
	t.Parallel()
	rep := runEmbedded(t, "")
	require.Contains(t, rep.Target, "SQLite")
}

func TestEmbeddedPostgres(t *testing.T) {
	t.Parallel()
	rep := runEmbedded(t, storetest.PostgresURL(t))
	require.Contains(t, rep.Target, "PostgreSQL")
}
