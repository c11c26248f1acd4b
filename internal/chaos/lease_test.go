package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// held is a group of executions whose sink call is held open, so the
// test knows the action has run and its executor has not reported yet.
type held struct {
	starts  []Start
	sinkKey map[string]string // execution key → the held sink key
}

// startHeld starts n chaos_chain executions whose sink call named by
// prefix+key is held, and waits until every one of them arrived.
func (e *env) startHeld(keyPrefix, sinkPrefix string, n int) held {
	e.t.Helper()
	h := held{sinkKey: map[string]string{}}
	var arrived []<-chan struct{}
	for i := range n {
		key := fmt.Sprintf("%s%d", keyPrefix, i)
		h.sinkKey[key] = sinkPrefix + key
		arrived = append(arrived, e.sink.Hold(sinkPrefix+key))
		id, _, err := e.api.StartExecution(e.ctx, "chaos_chain", map[string]any{"key": key, "sink": e.sink.URL(), "sleep": 0})
		require.NoError(e.t, err)
		h.starts = append(h.starts, Start{Key: key, ID: id, Code: 201, At: time.Now()})
	}
	for _, ch := range arrived {
		select {
		case <-ch:
		case <-time.After(30 * time.Second):
			e.t.Fatal("a held action never reached the sink")
		}
	}
	return h
}

func (e *env) release(h held) {
	for _, k := range h.sinkKey {
		e.sink.Release(k)
	}
}

// freezeExecutor SIGSTOPs the only executor, releases the held sink
// calls (the answers wait in the frozen process's sockets) and ends its
// leases: by SQL in the short run, by waiting them out in the long one.
// It returns the frozen process, its leases, and when they ended.
func (e *env) freezeExecutor(h held) (*Process, []string, time.Time) {
	e.t.Helper()
	executors := e.cl.Find("executor")
	require.Len(e.t, executors, 1)
	x := executors[0]
	require.NoError(e.t, x.Pause())
	e.release(h)
	owner := x.LeaseOwner()
	leases, err := e.in.Leased(e.ctx, owner)
	require.NoError(e.t, err)
	require.NotEmpty(e.t, leases, "the frozen executor holds no lease")
	if e.set.fastLeases {
		_, err := e.in.ExpireLeases(e.ctx, owner)
		require.NoError(e.t, err)
		return x, leases, time.Now()
	}
	return x, leases, time.Now().Add(leaseTTL)
}

// TestExecutorLostBeforeReporting freezes an executor after its non-safe
// actions ran (the sink saw them) but before it reported, lets the lease
// expire, then kills it. Each action must end ERROR "executor lost while
// running", its workflow must fail, and no action may run a second time,
// even with a fresh executor standing by (P3).
func TestExecutorLostBeforeReporting(t *testing.T) {
	e := setup(t)
	e.start(1, 1)
	n := 3
	if e.set.long {
		n = 12
	}
	r := &Report{Scenario: "executor-lost", Bound: e.set.bound(), Config: fmt.Sprintf(
		"%d non-safe actions in flight on one executor, SIGSTOP, lease expiry, SIGKILL; %s", n, e.set.describe())}
	began := time.Now()
	h := e.startHeld("lost-", "once-", n)
	x, leases, expired := e.freezeExecutor(h)
	r.Faults++
	_, err := e.cl.StartServer(e.ctx, "executor") // would take any re-queued item
	require.NoError(t, err)

	var rec recoveries
	rec.watchLeases(e.ctx, e.in, x.LeaseOwner(), leases, expired, leaseTTL+2*r.Bound)
	require.NoError(t, r.Settle(e.ctx, e.in, h.starts, leaseTTL+2*r.Bound))
	require.NoError(t, x.Kill())
	// Give a wrongly re-queued action the time to run again.
	time.Sleep(2 * pollEvery)
	rec.into(r, leaseTTL+2*r.Bound)
	r.Recovered(0)
	r.Duration = time.Since(began)

	assert.Equal(t, n, r.LostExecutor, "every execution fails with %q", ExecutorLost)
	for _, s := range h.starts {
		assert.Equal(t, 1, e.sink.Count(h.sinkKey[s.Key]), "runs of %s", h.sinkKey[s.Key])
		acts, err := e.in.Actions(e.ctx, s.ID)
		require.NoError(t, err)
		for _, a := range acts {
			if a.TaskName == "once" {
				assert.Equal(t, "ERROR", a.State, "action of %s", s.Key)
				assert.Equal(t, ExecutorLost, a.StateInfo, "action of %s", s.Key)
			}
		}
	}
	e.finish(r)
}

// TestPartitionedExecutorReturns freezes an executor holding a safe-rerun
// and a non-safe action each per workflow (a partition, a long pause),
// lets the leases expire so the rescuer re-queues the safe ones (another
// executor runs them again) and fails the others, then resumes it. Its
// late results must all be refused: every safe workflow's output comes
// from the second run, every non-safe one stays failed (P3, P5).
func TestPartitionedExecutorReturns(t *testing.T) {
	e := setup(t)
	e.start(1, 1)
	n := 2
	if e.set.long {
		n = 8
	}
	r := &Report{Scenario: "partition", Bound: e.set.bound(), Config: fmt.Sprintf(
		"%d safe-rerun + %d non-safe actions in flight on one executor, SIGSTOP past the lease, SIGCONT; %s", n, n, e.set.describe())}
	began := time.Now()
	safe := e.startHeld("part-safe-", SafePrefix, n)
	unsafe := e.startHeld("part-once-", "once-", n)
	all := held{starts: append(safe.starts, unsafe.starts...), sinkKey: map[string]string{}}
	for _, g := range []held{safe, unsafe} {
		for k, v := range g.sinkKey {
			all.sinkKey[k] = v
		}
	}
	x, leases, expired := e.freezeExecutor(all)
	r.Faults++
	_, err := e.cl.StartServer(e.ctx, "executor")
	require.NoError(t, err)

	var rec recoveries
	rec.watchLeases(e.ctx, e.in, x.LeaseOwner(), leases, expired, leaseTTL+2*r.Bound)
	require.NoError(t, r.Settle(e.ctx, e.in, all.starts, leaseTTL+2*r.Bound))
	rec.into(r, leaseTTL+2*r.Bound)

	// The frozen executor returns and reports what it ran.
	require.NoError(t, x.Resume())
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) && staleCount(e.cl) < len(leases) {
		time.Sleep(100 * time.Millisecond)
	}
	r.Duration = time.Since(began)

	for _, s := range safe.starts {
		out := outputOf(t, e.ctx, e.in, s.ID)
		assert.EqualValues(t, 2, out["safe_run"], "%s: the output must come from the second run, not the refused first", s.Key)
	}
	assert.Equal(t, n, r.LostExecutor, "every non-safe workflow fails with %q", ExecutorLost)
	assert.Equal(t, n, r.Succeeded, "every safe workflow succeeds")
	e.finish(r)
	assert.GreaterOrEqual(t, r.StaleRejected, len(leases), "every late result of the returning executor is refused")
}

func staleCount(c *Cluster) int {
	n := 0
	for _, line := range staleLogLines {
		n += c.CountLog(line)
	}
	return n
}

func outputOf(t *testing.T, ctx context.Context, in *Inspector, id string) map[string]any {
	t.Helper()
	raw, err := in.Output(ctx, id)
	require.NoError(t, err)
	out := map[string]any{}
	require.NoError(t, json.Unmarshal([]byte(raw), &out), "output of %s: %s", id, raw)
	return out
}
