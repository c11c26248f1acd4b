package chaos

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store/storetest"
)

// bora's timings: `bora server` has no flags for them, so the scenarios
// work with the defaults (internal/engine, internal/executor); only remote
// executors take --lease (remoteLease).
const (
	leaseTTL    = 30 * time.Second       // executor work-item lease
	rescueEvery = 5 * time.Second        // engine rescuer interval
	pollEvery   = 500 * time.Millisecond // idle engine and executor poll
	// measureSlack covers the harness's own polling and a busy 2-core CI
	// machine running other packages' tests at the same time.
	measureSlack = 2 * time.Second
)

// settings size a scenario: short in CI, long under -chaos.
type settings struct {
	long       bool
	workflows  int           // executions started by the load
	window     time.Duration // how long faults go on
	faultEvery time.Duration
	outage     time.Duration
	sinkSleep  time.Duration // how long each action runs
	// fastLeases expires the leases of a killed or frozen executor by SQL
	// instead of waiting leaseTTL: that process cannot heartbeat, so the
	// rescuer sees what it would see leaseTTL later.
	fastLeases bool
}

func sizes() settings {
	if *longRun {
		return settings{long: true, workflows: 200, window: 60 * time.Second, faultEvery: 4 * time.Second,
			outage: 15 * time.Second, sinkSleep: 300 * time.Millisecond}
	}
	return settings{workflows: 24, window: 8 * time.Second, faultEvery: 2 * time.Second,
		outage: 3 * time.Second, sinkSleep: 150 * time.Millisecond, fastLeases: true}
}

// bound is T_recover = lease TTL + rescuer interval + poll interval (the
// lease drops out when the harness expires it), plus measuring slack.
func (s settings) bound() time.Duration {
	b := rescueEvery + pollEvery + measureSlack
	if !s.fastLeases {
		b += leaseTTL
	}
	return b
}

func (s settings) describe() string {
	leases := "leases expired by SQL after a kill or freeze"
	if !s.fastLeases {
		leases = "leases expire by themselves (30 s)"
	}
	return "lease 30s, rescue 5s, poll 0.5s, " + leases
}

// env is one scenario's world: its own schema, cluster, sink and
// inspector, all torn down when the test ends.
type env struct {
	t    *testing.T
	ctx  context.Context
	set  settings
	cl   *Cluster
	sink *Sink
	in   *Inspector
	api  *Client
	rng  *rand.Rand
}

func setup(t *testing.T) *env {
	t.Helper()
	dsn := storetest.PostgresSchemaURL(t)
	ctx := t.Context()
	sink, err := NewSink()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, sink.Close()) })
	dir := t.TempDir()
	if *logDir != "" {
		dir = filepath.Join(*logDir, t.Name())
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	cl, err := NewCluster(ClusterConfig{Binary: boraBinary, DSN: dsn, Dir: dir})
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range cl.All() {
				t.Logf("warnings and errors of %s (pid %d, log %s):\n%s", p.Name, p.PID(), p.LogPath, p.Complaints(20))
			}
		}
		require.NoError(t, cl.Close())
	})
	in, err := NewInspector(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(in.Close)
	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	return &env{t: t, ctx: ctx, set: sizes(), cl: cl, sink: sink, in: in, rng: rand.New(rand.NewPCG(seed, seed))}
}

// start starts an api process (which migrates the schema and gets the
// workflows), then the other roles.
func (e *env) start(engines, executors int) {
	e.t.Helper()
	api, err := e.cl.StartServer(e.ctx, "api")
	require.NoError(e.t, err)
	e.api = NewClient(api.Addr)
	require.NoError(e.t, e.api.CreateWorkflows(e.ctx, Workflows))
	for range engines {
		_, err := e.cl.StartServer(e.ctx, "engine")
		require.NoError(e.t, err)
	}
	for range executors {
		_, err := e.cl.StartServer(e.ctx, "executor")
		require.NoError(e.t, err)
	}
}

// finish fills in the sink and log figures, logs the report and fails
// the test on any broken promise.
func (e *env) finish(r *Report) {
	e.t.Helper()
	r.Count(e.sink, e.cl)
	e.t.Log("\n" + r.String())
	for _, v := range r.Violations() {
		e.t.Errorf("%s: %s", r.Scenario, v)
	}
}

// recoveries collects recovery times measured in the background.
type recoveries struct {
	mu    sync.Mutex
	wg    sync.WaitGroup
	times []time.Duration
	miss  int // recoveries never seen before the watch ended
}

// watchLeases measures how long the leases ids of owner (a dead or frozen
// executor) take to be dealt with: requeued, failed or finished.
func (rc *recoveries) watchLeases(ctx context.Context, in *Inspector, owner string, ids []string, from time.Time, limit time.Duration) {
	if len(ids) == 0 {
		return
	}
	rc.wg.Add(1)
	go func() {
		defer rc.wg.Done()
		ctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		for ctx.Err() == nil {
			left, err := in.StillLeased(ctx, owner, ids)
			if err == nil && len(left) == 0 {
				rc.add(time.Since(from))
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
		rc.mu.Lock()
		rc.miss++
		rc.mu.Unlock()
	}()
}

func (rc *recoveries) add(d time.Duration) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.times = append(rc.times, d)
}

// into waits for the watches and records their worst time in r; a watch
// that never saw its recovery counts as the limit exceeded.
func (rc *recoveries) into(r *Report, limit time.Duration) {
	rc.wg.Wait()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, d := range rc.times {
		r.Recovered(d)
	}
	if rc.miss > 0 {
		r.Recovered(limit + time.Millisecond)
		r.example("%d lease recoveries not seen within %s", rc.miss, limit)
	}
}
