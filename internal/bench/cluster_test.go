package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store/storetest"
)

// TestCluster starts bora as separate processes (1 API, 2 engines, 1
// executor) on PostgreSQL, runs one of every shape through them and
// checks the processes' CPU is measured and everything is cleaned up.
func TestCluster(t *testing.T) {
	t.Parallel()
	if !pidCPUAvailable {
		t.Skip("cluster CPU time needs /proc")
	}
	dsn := storetest.PostgresURL(t)
	bin := filepath.Join(t.TempDir(), "bora")
	out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/bora-workflow/bora/cmd/bora").CombinedOutput()
	require.NoError(t, err, "%s", out)

	target, err := StartCluster(t.Context(), ClusterOptions{DB: dsn, Engines: 2, Executors: 1, Binary: bin, Concurrency: 2})
	require.NoError(t, err)
	c := target.(*cluster)
	require.Len(t, c.procs, 4)
	schema := c.schema.name
	specs, err := ParseSpecs(smallSet)
	require.NoError(t, err)
	rep, err := Run(t.Context(), target, Options{
		Workflows: specs, Runs: 1, Concurrency: 2, Poll: 5 * time.Millisecond, Timeout: time.Minute, Verify: true,
		Timing: TimingStore,
	})
	require.NoError(t, err)
	require.Contains(t, rep.CPUNote, "4 server processes")
	for _, r := range rep.Results {
		require.Equal(t, r.Executions, r.Succeeded, "%s: %v %v", r.Workflow, r.States, r.Errors)
		require.NotNil(t, r.StoreSeconds, r.Workflow)
		// /proc counts 10 ms: a tiny workflow's CPU may be too little.
		require.True(t, r.CPUSecondsPerTask != nil || r.CPUTooSmall, r.Workflow)
		require.True(t, r.Verified.OK, "%s: %+v", r.Workflow, r.Verified)
	}
	cpu, err := c.CPUTime()
	require.NoError(t, err)
	require.Positive(t, cpu, "the processes did some work")

	procs := c.procs
	require.NoError(t, target.Close(context.WithoutCancel(t.Context())))
	for _, p := range procs {
		select {
		case <-p.done:
		default:
			t.Fatalf("%s still running after Close", p.name)
		}
	}
	requireSchemaGone(t, dsn, schema)
}

func TestClusterOptionsCheck(t *testing.T) {
	t.Parallel()
	pg := "postgres://u@h/db"
	for _, bad := range []ClusterOptions{
		{DB: "bora.db", Engines: 1, Executors: 1},
		{DB: pg, Engines: 0, Executors: 1},
		{DB: pg, Engines: 1, Executors: 0},
		{DB: pg, Engines: 60, Executors: 10},
	} {
		_, err := StartCluster(t.Context(), bad)
		require.Error(t, err, "%+v", bad)
	}
}

// TestWithServerPIDs measures this test process as if it were a --url
// server, and refuses a process that does not exist.
func TestWithServerPIDs(t *testing.T) {
	t.Parallel()
	if !pidCPUAvailable {
		t.Skip("needs /proc")
	}
	base, err := NewURLTarget("http://127.0.0.1:1", 1)
	require.NoError(t, err)
	_, err = WithServerPIDs(base, []int{-1})
	require.Error(t, err)
	tg, err := WithServerPIDs(base, []int{os.Getpid()})
	require.NoError(t, err)
	m, ok := tg.(CPUMeter)
	require.True(t, ok)
	_, err = m.CPUTime()
	require.NoError(t, err)
	require.Contains(t, m.CPUNote(), "server process(es)")
}
