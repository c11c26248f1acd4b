package executor_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/executor"
	"github.com/bora-workflow/bora/internal/value"
)

// fakeSource hands out queued items and records what the loop does with
// them.
type fakeSource struct {
	mu        sync.Mutex
	queue     []*executor.Item
	claimGate chan struct{} // when set, a claim says so on claiming, then waits for it
	claiming  chan struct{}
	failures  int // Reports to fail with ErrUnavailable first
	lost      map[string]bool
	reports   map[string][]action.Outcome
	released  []string
	beats     atomic.Int32
	beatErr   error // when set, every heartbeat fails with it
}

func newFakeSource(items ...*executor.Item) *fakeSource {
	return &fakeSource{queue: items, lost: map[string]bool{}, reports: map[string][]action.Outcome{}}
}

func (f *fakeSource) Claim(ctx context.Context, r executor.ClaimRequest) ([]*executor.Item, error) {
	if f.claimGate != nil {
		f.claiming <- struct{}{}
		<-f.claimGate
	}
	f.mu.Lock()
	n := min(r.Max, len(f.queue))
	items := f.queue[:n]
	f.queue = f.queue[n:]
	f.mu.Unlock()
	if len(items) == 0 {
		select {
		case <-ctx.Done():
		case <-r.Stop:
		case <-time.After(r.Wait):
		}
	}
	return items, nil
}

func (f *fakeSource) Heartbeat(_ context.Context, _ string, _ time.Duration, held []*executor.Item) ([]string, error) {
	f.beats.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.beatErr != nil {
		return nil, f.beatErr
	}
	var lost []string
	for _, it := range held {
		if f.lost[it.ID] {
			lost = append(lost, it.ID)
		}
	}
	return lost, nil
}

func (f *fakeSource) Report(_ context.Context, it *executor.Item, out action.Outcome) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures > 0 {
		f.failures--
		return fmt.Errorf("%w: database away", executor.ErrUnavailable)
	}
	f.reports[it.ID] = append(f.reports[it.ID], out)
	return nil
}

func (f *fakeSource) Release(_ context.Context, _ string, items []*executor.Item) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, it := range items {
		f.released = append(f.released, it.ID)
	}
	return nil
}

func (f *fakeSource) snapshot() (map[string][]action.Outcome, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	reports := make(map[string][]action.Outcome, len(f.reports))
	for k, v := range f.reports {
		reports[k] = append([]action.Outcome(nil), v...)
	}
	return reports, append([]string(nil), f.released...)
}

// item is a work item whose lease has just been granted.
func item(id, name string, safe bool) *executor.Item {
	return &executor.Item{ID: id, LeaseToken: "tok-" + id, Attempt: 1, Invocation: action.Invocation{
		Action: name, Input: value.NewMap(0), Attempt: 1, SafeRerun: safe,
	}, Deadline: time.Now().Add(time.Hour), Lease: time.Hour}
}

// waiter is an action that returns when released or when its context ends.
func waiter(name string, started chan<- string, release <-chan struct{}) *action.Definition {
	return &action.Definition{Name: name, Run: func(ctx context.Context, _ *value.Map, ex action.ExecutionContext) action.Outcome {
		started <- name
		select {
		case <-release:
			return action.Outcome{Result: "done"}
		case <-ctx.Done():
			return action.Outcome{Failed: true, Result: ctx.Err().Error()}
		}
	}}
}

func TestItemsClaimedAfterStopAreHandedBack(t *testing.T) {
	t.Parallel()
	src := newFakeSource(item("a", "std.noop", false), item("b", "std.noop", false))
	src.claimGate, src.claiming = make(chan struct{}), make(chan struct{}, 1)
	x := executor.NewWithSource(src, action.NewStandard(action.StdOptions{}), executor.Options{PollInterval: 10 * time.Millisecond})
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	<-src.claiming
	stop()               // the stop arrives while the claim is under way
	close(src.claimGate) // the claim comes back with items
	require.NoError(t, <-done)
	reports, released := src.snapshot()
	require.Empty(t, reports, "nothing ran")
	require.ElementsMatch(t, []string{"a", "b"}, released)
}

func TestReportIsRepeatedWhileTheSourceIsAway(t *testing.T) {
	t.Parallel()
	src := newFakeSource(item("a", "std.echo", false))
	src.queue[0].Invocation.Input = value.MapOf("output", "hi")
	src.failures = 2
	x := executor.NewWithSource(src, action.NewStandard(action.StdOptions{}), executor.Options{PollInterval: 10 * time.Millisecond})
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	require.Eventually(t, func() bool { r, _ := src.snapshot(); return len(r["a"]) == 1 }, 5*time.Second, 10*time.Millisecond)
	stop()
	require.NoError(t, <-done)
	reports, _ := src.snapshot()
	require.Equal(t, []action.Outcome{{Result: "hi"}}, reports["a"], "reported once, after two unanswered tries")
}

func TestLostLeaseDropsTheResult(t *testing.T) {
	t.Parallel()
	started, release := make(chan string, 1), make(chan struct{})
	src := newFakeSource(item("a", "test.wait", false))
	src.lost["a"] = true
	x := executor.NewWithSource(src, action.NewRegistry(waiter("test.wait", started, release)),
		executor.Options{PollInterval: 10 * time.Millisecond, Lease: 30 * time.Millisecond})
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	<-started
	require.Eventually(t, func() bool { return src.beats.Load() >= 1 }, 5*time.Second, 5*time.Millisecond)
	close(release)
	stop()
	require.NoError(t, <-done)
	reports, released := src.snapshot()
	require.Empty(t, reports, "a result under a lost lease is never reported")
	require.Empty(t, released)
}

// Past the drain timeout the actions are cancelled: a safe-rerun one is
// handed back to run elsewhere; any other is neither reported nor handed
// back, so its lease expires and the rescuer fails it as lost (never a
// silent second run).
func TestDrainTimeoutCancelsAndHandsBackOnlySafeRerun(t *testing.T) {
	t.Parallel()
	started, never := make(chan string, 2), make(chan struct{})
	src := newFakeSource(item("safe", "test.safe", true), item("once", "test.once", false))
	reg := action.NewRegistry(waiter("test.safe", started, never), waiter("test.once", started, never))
	x := executor.NewWithSource(src, reg, executor.Options{PollInterval: 10 * time.Millisecond, DrainTimeout: 100 * time.Millisecond})
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	<-started
	<-started
	stop()
	require.NoError(t, <-done)
	reports, released := src.snapshot()
	require.Empty(t, reports)
	require.Equal(t, []string{"safe"}, released)
}

// A claim answer that arrives when its lease is over, or nearly (a
// partition held it, the process was frozen), must not start the action:
// bora may already have failed it as lost or handed it to another
// executor. The lease is confirmed with a heartbeat first.
func TestLateClaimAnswersAreConfirmedBeforeRunning(t *testing.T) {
	t.Parallel()
	expired := func(it *executor.Item) *executor.Item {
		it.Deadline, it.Lease = time.Now().Add(-time.Minute), time.Minute
		return it
	}
	unknown := func(it *executor.Item) *executor.Item {
		it.Deadline, it.Lease = time.Time{}, 0
		return it
	}
	cases := []struct {
		name     string
		item     *executor.Item
		lost     bool  // the heartbeat finds the lease gone (rescued)
		beatErr  error // the heartbeat cannot be answered
		ran      bool
		released bool
	}{
		{name: "fresh lease runs without a confirmation", item: item("a", "std.noop", false), ran: true},
		{name: "expired and rescued is dropped", item: expired(item("a", "std.noop", false)), lost: true},
		{name: "expired but still held is renewed and runs", item: expired(item("a", "std.noop", false)), ran: true},
		{name: "no deadline from the source is confirmed first", item: unknown(item("a", "std.noop", false)), ran: true},
		{name: "no deadline and rescued is dropped", item: unknown(item("a", "std.noop", false)), lost: true},
		{name: "unconfirmable is handed back unrun", item: expired(item("a", "std.noop", false)),
			beatErr: fmt.Errorf("%w: network away", executor.ErrUnavailable), released: true},
		{name: "a safe-rerun action is fenced alike", item: expired(item("a", "std.noop", true)), lost: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := newFakeSource(tc.item)
			src.lost["a"] = tc.lost
			src.beatErr = tc.beatErr
			x := executor.NewWithSource(src, action.NewStandard(action.StdOptions{}),
				executor.Options{PollInterval: 5 * time.Millisecond, Lease: time.Minute})
			ctx, stop := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- x.Run(ctx) }()
			// Wait until the item was run and reported, handed back, or
			// found gone by its confirming heartbeat; the first heartbeat
			// of the loop itself comes only after a third of the lease.
			require.Eventually(t, func() bool {
				r, released := src.snapshot()
				return len(r["a"]) > 0 || len(released) > 0 || (tc.lost && src.beats.Load() > 0)
			}, 5*time.Second, time.Millisecond)
			stop()
			require.NoError(t, <-done)
			reports, released := src.snapshot()
			require.Equal(t, tc.ran, len(reports["a"]) == 1, "ran and reported")
			require.Equal(t, tc.released, len(released) == 1, "handed back")
			if !tc.ran && !tc.released {
				require.Empty(t, reports, "nothing ran")
			}
		})
	}
}
