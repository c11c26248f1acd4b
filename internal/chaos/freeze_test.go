package chaos

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/store/postgres"
)

// TestFrozenEngine SIGSTOPs an engine while it has a transaction open
// that holds row locks (a frozen VM, a long GC pause: unlike a crash, its
// connections stay up, so PostgreSQL does not notice by itself) and keeps
// it frozen past its recovery bound while workflows run. bora's
// connections carry idle_in_transaction_session_timeout, so PostgreSQL
// ends the frozen transaction and frees its locks: the other engine must
// finish every execution before the bound. After SIGCONT the frozen
// engine's transaction fails and is retried; everything finishes and
// nothing runs twice (P2, P4).
func TestFrozenEngine(t *testing.T) {
	e := setup(t)
	e.start(2, 1)
	// T_recover, or the idle-in-transaction timeout plus a poll when the
	// harness's SQL-expired leases make T_recover shorter than it.
	bound := max(e.set.bound(), postgres.IdleInTransactionTimeout+pollEvery+measureSlack)
	freeze := bound + time.Second
	r := &Report{Scenario: "frozen-engine", Bound: bound, Config: fmt.Sprintf(
		"%d workflows over %s, 2 engines, 1 executor; one engine SIGSTOPped inside a transaction for %s (idle_in_transaction_session_timeout %s)",
		e.set.workflows, e.set.window, freeze, postgres.IdleInTransactionTimeout)}
	began := time.Now()
	load := &Load{API: e.api, Sink: e.sink, Sleep: e.set.sinkSleep}
	var loading sync.WaitGroup
	loading.Add(1)
	go func() { defer loading.Done(); load.Run(e.ctx, "frozen-", e.set.workflows, e.set.window) }()

	time.Sleep(e.set.window / 4)
	frozen := e.freezeInTransaction(e.cl.Find("engine")[0])
	frozenAt := time.Now()
	r.Faults++
	// Recovery is PostgreSQL ending the frozen transaction: its locks
	// are free from then on.
	freed, resumed := make(chan time.Duration, 1), make(chan struct{})
	go func() {
		for e.ctx.Err() == nil {
			if open, err := e.in.InTransaction(e.ctx, frozen.Name, false); err == nil && !open {
				freed <- time.Since(frozenAt)
				return
			}
			select {
			case <-resumed:
				freed <- time.Since(frozenAt) // never freed while frozen
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
		freed <- time.Since(frozenAt)
	}()
	loading.Wait()
	// Stay frozen until every execution started had the bound to finish:
	// at least freeze, and the bound past the last start.
	until := frozenAt.Add(freeze)
	if last := time.Now().Add(bound); last.After(until) {
		until = last
	}
	time.Sleep(time.Until(until))
	freeze = time.Since(frozenAt).Round(100 * time.Millisecond)
	// While the engine is still frozen: what could the other one not finish?
	execs, err := e.in.Executions(e.ctx)
	require.NoError(t, err)
	blocked := 0
	for _, s := range load.Starts() {
		if x, ok := execs[s.ID]; s.Acked() && ok && !x.Terminal() {
			blocked++
		}
	}
	r.Add("unfinished while the engine was frozen", "%d (after %s)", blocked, freeze)
	require.NoError(t, frozen.Resume())
	close(resumed)
	held := <-freed
	r.Add("frozen transaction ended by PostgreSQL after", "%s", held.Round(time.Millisecond))
	r.Recovered(held)
	require.NoError(t, r.Settle(e.ctx, e.in, load.Starts(), 2*r.Bound+30*time.Second))
	r.Duration = time.Since(began)
	e.finish(r)
	assert.Zero(t, blocked, "executions waited on a frozen engine's open transaction for %s, past T_recover", freeze)
}

// freezeInTransaction SIGSTOPs p at a moment it has a transaction open
// that holds row locks (an execution tree's, claimed events), trying for
// a while; failing that, it freezes p anyway and says so.
func (e *env) freezeInTransaction(p *Process) *Process {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 15*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if open, err := e.in.InTransaction(ctx, p.Name, false); err != nil || !open {
			time.Sleep(time.Millisecond)
			continue
		}
		require.NoError(e.t, p.Pause())
		// A commit sent just before the stop may still be on its way:
		// look again once it had time to land.
		time.Sleep(200 * time.Millisecond)
		if held, err := e.in.InTransaction(ctx, p.Name, true); err == nil && held {
			return p
		}
		require.NoError(e.t, p.Resume())
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Logf("never caught %s holding locks in a transaction: frozen outside one", p.Name)
	require.NoError(e.t, p.Pause())
	return p
}
