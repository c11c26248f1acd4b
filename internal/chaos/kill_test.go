package chaos

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestKillEnginesAndExecutors SIGKILLs a random engine and a random
// executor every few seconds while workflows start and run, starting a
// replacement for each. Events are claimed by the applying transaction,
// so an engine's death costs nothing; an executor's leases are rescued:
// safe-rerun actions run again, the others fail with "executor lost while
// running" — never a second run (P1, P2, P3).
func TestKillEnginesAndExecutors(t *testing.T) {
	e := setup(t)
	engines := 2
	if e.set.long {
		engines = 3
	}
	e.start(engines, 2)
	// A remote executor (when this bora has them) joins the executors
	// that may be killed; it is replaced by another remote one.
	remotes := 0
	if HasCommand(e.ctx, boraBinary, "executor") {
		_, err := e.cl.StartRemoteExecutor(e.ctx, e.api.Base, "--lease="+remoteLease.String())
		require.NoError(t, err)
		remotes = 1
	}
	r := &Report{Scenario: "kill", Bound: e.set.bound(), Config: fmt.Sprintf(
		"%d workflows over %s, %d engines, 2 executors + %d remote (lease %s), SIGKILL one engine and one executor every %s; %s",
		e.set.workflows, e.set.window, engines, remotes, remoteLease, e.set.faultEvery, e.set.describe())}
	began := time.Now()

	load := &Load{API: e.api, Sink: e.sink, Sleep: e.set.sinkSleep}
	var loading sync.WaitGroup
	loading.Add(1)
	go func() { defer loading.Done(); load.Run(e.ctx, "kill-", e.set.workflows, e.set.window) }()

	var rec recoveries
	tick := time.NewTicker(e.set.faultEvery)
	for end := time.Now().Add(e.set.window); time.Now().Before(end); {
		<-tick.C
		if eng := e.cl.Pick(e.rng, "engine"); eng != nil {
			require.NoError(t, eng.Kill())
			r.Faults++
			_, err := e.cl.StartServer(e.ctx, "engine")
			require.NoError(t, err)
		}
		if ex := e.cl.Pick(e.rng, "executor"); ex != nil {
			require.NoError(t, ex.Kill())
			killed := time.Now()
			r.Faults++
			owner := ex.LeaseOwner()
			held, err := e.in.Leased(e.ctx, owner)
			require.NoError(t, err)
			if e.set.fastLeases {
				_, err = e.in.ExpireLeases(e.ctx, owner)
				require.NoError(t, err)
			}
			rec.watchLeases(e.ctx, e.in, owner, held, killed, 2*r.Bound)
			if ex.Remote() {
				_, err = e.cl.StartRemoteExecutor(e.ctx, e.api.Base, "--lease="+remoteLease.String())
			} else {
				_, err = e.cl.StartServer(e.ctx, "executor")
			}
			require.NoError(t, err)
		}
	}
	tick.Stop()
	loading.Wait()

	require.NoError(t, r.Settle(e.ctx, e.in, load.Starts(), 2*r.Bound+30*time.Second))
	rec.into(r, 2*r.Bound)
	r.Duration = time.Since(began)
	e.finish(r)
}
