package chaos

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// remoteLease is the remote executors' lease in these scenarios: `bora
// executor` takes --lease, so leases really expire here, no SQL needed.
const remoteLease = 3 * time.Second

// TestRemoteExecutorPartition cuts a remote executor off the API (a TCP
// proxy between them blackholes its HTTP traffic) while it holds a
// safe-rerun and a non-safe action per workflow, past its lease; then the
// network heals and its late reports arrive. The rescuer must have
// re-queued the safe actions (another executor runs them) and failed the
// others, and every late report must be refused (P3, P5).
func TestRemoteExecutorPartition(t *testing.T) {
	e := setup(t)
	if !HasCommand(t.Context(), boraBinary, "executor") {
		t.Skip("this bora has no `executor` command (remote executors)")
	}
	e.start(1, 0)
	n := 2
	if e.set.long {
		n = 8
	}
	apiURL := e.api.Base
	link, err := NewProxy(apiURL[len("http://"):])
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, link.Close()) })
	lease := "--lease=" + remoteLease.String()
	x, err := e.cl.StartRemoteExecutor(e.ctx, "http://"+link.Addr(), lease)
	require.NoError(t, err)

	bound := remoteLease + rescueEvery + pollEvery + measureSlack
	r := &Report{Scenario: "remote-partition", Bound: bound, Config: fmt.Sprintf(
		"%d safe-rerun + %d non-safe actions on a remote executor (lease %s) whose link to the API is blackholed past the lease, then healed",
		n, n, remoteLease)}
	began := time.Now()
	safe := e.startHeld("remote-safe-", SafePrefix, n)
	unsafe := e.startHeld("remote-once-", "once-", n)
	starts := append(safe.starts, unsafe.starts...)
	leases, err := e.in.Leased(e.ctx, x.LeaseOwner())
	require.NoError(t, err)
	require.Len(t, leases, 2*n, "the remote executor holds every action")

	link.Blackhole()
	cut := time.Now()
	r.Faults++
	e.release(safe)
	e.release(unsafe)
	_, err = e.cl.StartRemoteExecutor(e.ctx, apiURL, lease)
	require.NoError(t, err)

	var rec recoveries
	rec.watchLeases(e.ctx, e.in, x.LeaseOwner(), leases, cut, 2*bound)
	require.NoError(t, r.Settle(e.ctx, e.in, starts, 2*bound+10*time.Second))
	rec.into(r, 2*bound)

	runsBefore := e.sink.Tally().Runs
	link.Heal()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && staleCount(e.cl) < len(leases) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // let late runs reach the sink
	r.Duration = time.Since(began)
	// Everything had finished before the heal: any run now is the
	// returning executor running work on a lease that expired in transit.
	r.Add("runs after the heal (expired leases)", "%d", e.sink.Tally().Runs-runsBefore)

	for _, s := range safe.starts {
		out := outputOf(t, e.ctx, e.in, s.ID)
		assert.EqualValues(t, 2, out["safe_run"], "%s: the output must come from the second run", s.Key)
	}
	e.finish(r)
	// Every non-safe workflow fails with "executor lost". A safe one's
	// first step runs again on the other executor; its next step (not
	// safe) usually runs there too, but the partitioned executor may have
	// had a long-poll claim waiting at the API, which can lease that step
	// with the answer stuck in the partition: then the step is lost as
	// well, which is the promise kept, not broken (it never runs twice).
	assert.GreaterOrEqual(t, r.LostExecutor, n, "every non-safe workflow fails with %q", ExecutorLost)
	assert.Equal(t, 2*n, r.LostExecutor+r.Succeeded, "every workflow ends SUCCESS or %q", ExecutorLost)
	assert.GreaterOrEqual(t, r.StaleRejected, len(leases), "every late report of the partitioned executor is refused")
}

// TestRemoteExecutorStaleClaim partitions a remote executor while its
// long-poll claim waits at the API, then starts a workflow with one
// non-safe action. The API may hand the item to that poll — the answer
// is stuck in the partition — and when the lease expires the rescuer
// fails the action with "executor lost while running". When the network
// heals the executor receives a claim whose lease ended long ago; it must
// not run the action then: the workflow has already failed it, its
// on-error may be compensating (P3, P5).
func TestRemoteExecutorStaleClaim(t *testing.T) {
	e := setup(t)
	if !HasCommand(t.Context(), boraBinary, "executor") {
		t.Skip("this bora has no `executor` command (remote executors)")
	}
	e.start(1, 0)
	apiURL := e.api.Base
	link, err := NewProxy(apiURL[len("http://"):])
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, link.Close()) })
	_, err = e.cl.StartRemoteExecutor(e.ctx, "http://"+link.Addr(), "--lease="+remoteLease.String())
	require.NoError(t, err)

	bound := remoteLease + rescueEvery + pollEvery + measureSlack
	r := &Report{Scenario: "remote-stale-claim", Bound: bound, Config: fmt.Sprintf(
		"1 non-safe action started while the only remote executor (lease %s) is partitioned with a claim pending", remoteLease)}
	began := time.Now()
	time.Sleep(time.Second) // its long poll is waiting at the API
	link.Blackhole()
	r.Faults++
	key := "stale-claim"
	id, _, err := e.api.StartExecution(e.ctx, "chaos_once", map[string]any{"key": key, "sink": e.sink.URL()})
	require.NoError(t, err)
	starts := []Start{{Key: key, ID: id, Code: 201, At: time.Now()}}
	require.NoError(t, r.Settle(e.ctx, e.in, starts, 2*bound+10*time.Second))
	r.Recovered(time.Since(began))
	ranBefore := e.sink.Count("once-" + key)

	link.Heal()
	time.Sleep(remoteLease + time.Second)
	r.Duration = time.Since(began)
	ranAfter := e.sink.Count("once-"+key) - ranBefore
	r.Add("runs after the heal (expired lease)", "%d", ranAfter)
	e.finish(r)
	if r.LostExecutor == 1 && ranBefore == 0 {
		assert.Zero(t, ranAfter, "the returning executor ran a non-safe action whose lease had expired and which bora had already failed with %q", ExecutorLost)
		assert.Equal(t, 1, r.LateClaims, "the returning executor says it did not start the item whose lease ended in transit")
	} else {
		t.Logf("the pending claim did not take the item (executor lost %d, runs before the heal %d): nothing to check", r.LostExecutor, ranBefore)
	}
}
