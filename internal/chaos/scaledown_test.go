package chaos

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGracefulScaleDown goes from 3 engines and 2 executors to 1 and 1
// with SIGTERM while workflows run, then back up. A graceful stop finishes
// or hands back what it holds: every process exits 0, no lease has to
// expire and no action runs twice, not even a safe-rerun one (P3).
func TestGracefulScaleDown(t *testing.T) {
	e := setup(t)
	e.start(3, 2)
	r := &Report{Scenario: "scale-down", NoExecutorLoss: true, Config: fmt.Sprintf(
		"%d workflows over %s; SIGTERM 2 of 3 engines and 1 of 2 executors at 1/3, back up at 2/3", e.set.workflows, e.set.window)}
	began := time.Now()

	load := &Load{API: e.api, Sink: e.sink, Sleep: 2 * e.set.sinkSleep}
	var loading sync.WaitGroup
	loading.Add(1)
	go func() { defer loading.Done(); load.Run(e.ctx, "scale-", e.set.workflows, e.set.window) }()

	time.Sleep(e.set.window / 3)
	// Make sure the stopping executor holds work: two actions whose
	// answers the sink keeps until after the SIGTERM.
	held := e.startHeld("scale-held-", SafePrefix, 2)
	executors := e.cl.Find("executor")
	busiest, most := executors[0], -1
	for _, x := range executors {
		leases, err := e.in.Leased(e.ctx, x.LeaseOwner())
		require.NoError(t, err)
		if len(leases) > most {
			busiest, most = x, len(leases)
		}
	}
	r.Add("leases held by the stopped executor", "%d", most)
	victims := slices.Concat(e.cl.Find("engine")[:2], []*Process{busiest})
	go func() {
		time.Sleep(500 * time.Millisecond)
		e.release(held)
	}()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		slowest time.Duration
	)
	for _, p := range victims {
		wg.Add(1)
		go func() {
			defer wg.Done()
			began := time.Now()
			err := p.Terminate(e.ctx, 45*time.Second)
			assert.NoError(t, err, "%s must exit 0 on SIGTERM", p.Name)
			mu.Lock()
			slowest = max(slowest, time.Since(began))
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.Faults = len(victims)
	r.Add("slowest graceful stop", "%s (drain timeout 30s)", slowest.Round(time.Millisecond))

	time.Sleep(e.set.window / 3)
	for _, role := range []string{"engine", "engine", "executor"} {
		_, err := e.cl.StartServer(e.ctx, role)
		require.NoError(t, err)
	}
	loading.Wait()

	require.NoError(t, r.Settle(e.ctx, e.in, append(load.Starts(), held.starts...), 60*time.Second))
	r.Duration = time.Since(began)
	e.finish(r)
	assert.Zero(t, r.DupSafe, "a graceful stop re-ran safe-rerun actions")
	assert.Equal(t, r.Started, r.Succeeded, "every workflow succeeds")
}
