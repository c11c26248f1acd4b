// Package executor runs actions: it leases work items from a Source (the
// store itself inside a bora server, or a bora API over HTTP for a remote
// executor), runs each while one heartbeat loop keeps every lease it holds
// alive, and reports the outcome under the lease.
//
// # Failure handling
//
// An action starts only while its lease surely holds, measured on the
// executor's own clock from before it asked for the item; an item whose
// claim answer came late is confirmed with a heartbeat first, and dropped
// unrun if its lease is gone (see startable). A result is reported only
// while the lease holds: if the executor stalls past its lease and the
// rescuer dealt with the item, the report is refused (ErrLeaseLost) and
// the result dropped, never applied twice. A report the source could not
// answer (ErrUnavailable: the database or the network is away) is
// repeated with the same key until it is answered.
//
// On Stop the executor claims nothing more (a claim in flight may return,
// and what it brings is handed back unrun), finishes the actions it holds
// and reports them. Past the drain timeout it cancels the actions still
// running: a safe-rerun one is handed back to run elsewhere, any other
// keeps its lease until it expires and the rescuer fails it as lost. A
// graceful stop never makes an action run twice.
package executor

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

// Options tune an Executor; zero values take the defaults.
type Options struct {
	Name string // lease owner name
	// Target, when set, makes this executor serve only the tasks whose
	// target: names it (a dedicated pool). Otherwise it serves the default
	// queue and the tasks whose target: is its Name, as a Mistral executor
	// serves untargeted work and work sent to its host.
	Target string
	Slots  int // actions run at once
	Lease  time.Duration
	// PollInterval is how long one claim waits for work: the store
	// source's poll interval, the HTTP source's long-poll wait.
	PollInterval time.Duration
	// DrainTimeout bounds how long a stop waits for the actions in flight
	// before it cancels them.
	DrainTimeout time.Duration
	Logger       *slog.Logger
	Now          func() time.Time
	// Wake, when set, is a hint that work items were committed (store
	// source only).
	Wake <-chan struct{}
}

// Executor leases and runs work items.
type Executor struct {
	src     Source
	actions *action.Registry
	opts    Options
	log     *slog.Logger

	mu   sync.Mutex
	held map[string]*heldItem // by item id: running or being reported
}

// heldItem is an item whose lease this executor keeps alive.
type heldItem struct {
	item *Item
	lost atomic.Bool // a heartbeat found the lease gone
}

// New returns an executor that works straight on the store, reporting
// through rep (the engine).
func New(st store.Store, reg *action.Registry, rep Reporter, opts Options) *Executor {
	return NewWithSource(&StoreSource{Store: st, Reporter: rep, Wake: opts.Wake, Now: opts.Now}, reg, opts)
}

// NewWithSource returns an executor over any source.
func NewWithSource(src Source, reg *action.Registry, opts Options) *Executor {
	if opts.Name == "" {
		opts.Name = "executor"
	}
	if opts.Slots <= 0 {
		opts.Slots = 16
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 500 * time.Millisecond
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Executor{src: src, actions: reg, opts: opts, log: opts.Logger, held: map[string]*heldItem{}}
}

// Run leases and runs work items until ctx is cancelled, then drains (see
// the package comment) and returns nil.
func (x *Executor) Run(ctx context.Context) error {
	// Actions, reports and heartbeats outlive ctx: a stop must not cut a
	// running action. runCtx ends only when the drain timeout passes.
	runCtx, hardStop := context.WithCancel(context.WithoutCancel(ctx))
	defer hardStop()
	hbCtx, stopHeartbeats := context.WithCancel(runCtx)
	hbDone := make(chan struct{})
	go func() { defer close(hbDone); x.heartbeats(hbCtx) }()

	slots := make(chan struct{}, x.opts.Slots)
	var wg sync.WaitGroup
	for ctx.Err() == nil {
		free := x.opts.Slots - len(slots)
		if free == 0 {
			// Wait for a slot to free up before claiming more.
			select {
			case slots <- struct{}{}:
				<-slots
			case <-ctx.Done():
			}
			continue
		}
		// The claim itself is not cut by a stop (its answer would be lost
		// with the items in it); only its wait is.
		items, err := x.src.Claim(runCtx, ClaimRequest{
			Owner: x.opts.Name, Targets: x.queues(), Max: free, Lease: x.opts.Lease,
			Wait: x.opts.PollInterval, Stop: ctx.Done(),
		})
		if err != nil {
			level := slog.LevelError
			if errors.Is(err, ErrUnavailable) {
				level = slog.LevelWarn // the database or the API is away; it will be back
			}
			x.log.Log(ctx, level, "executor: claiming work items failed", "targets", x.queues(), "err", err)
			sleepCtx(ctx, x.opts.PollInterval)
			continue
		}
		if ctx.Err() != nil && len(items) > 0 {
			x.handBack(items, "the executor is stopping")
			break
		}
		items = x.startable(runCtx, items)
		for _, it := range items {
			slots <- struct{}{}
			h := x.hold(it)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				x.runItem(runCtx, h)
			}()
		}
	}

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(x.opts.DrainTimeout):
		x.log.Warn("executor: drain timeout passed; cancelling the actions still running", "running", len(slots))
		hardStop()
		select {
		case <-done:
		case <-time.After(x.opts.Lease):
			x.log.Error("executor: actions ignored cancellation; leaving them to the rescuer", "running", len(slots))
		}
	}
	stopHeartbeats()
	<-hbDone
	return nil
}

// startable fences claimed items by their lease before anything runs. An
// answer can arrive long after it was given (a network partition, a
// frozen process): by then the lease may have expired and the rescuer may
// have failed the action as lost, or handed it to another executor. So an
// item starts only while at least two thirds of its lease surely remain
// by its Deadline — the heartbeat loop, every third of a lease, then
// renews it in time. The others are confirmed with one heartbeat first:
// one the source says is gone is dropped unrun; one it renews starts if
// the answer came back in time; any other is handed back unrun. This is
// what keeps a non-safe action from starting after bora declared it lost.
func (x *Executor) startable(ctx context.Context, items []*Item) []*Item {
	var ok, doubtful []*Item
	now := time.Now()
	for _, it := range items {
		if x.leaseLeft(it, now) {
			ok = append(ok, it)
		} else {
			doubtful = append(doubtful, it)
		}
	}
	if len(doubtful) == 0 {
		return ok
	}
	var (
		lost []string
		err  error
		sent time.Time
	)
	backoff := 100 * time.Millisecond
	for attempt := 0; attempt < 3; attempt++ {
		sent = time.Now()
		if lost, err = x.src.Heartbeat(ctx, x.opts.Name, x.opts.Lease, doubtful); err == nil || !errors.Is(err, ErrUnavailable) {
			break
		}
		if !sleepCtx(ctx, backoff) {
			break
		}
		backoff *= 2
	}
	if err != nil {
		x.log.Warn("executor: could not confirm the leases of late-arriving work items; not running them",
			"count", len(doubtful), "err", err)
		x.handBack(doubtful, "their leases could not be confirmed")
		return ok
	}
	gone := make(map[string]bool, len(lost))
	for _, id := range lost {
		gone[id] = true
	}
	var back []*Item
	now = time.Now()
	for _, it := range doubtful {
		switch {
		case gone[it.ID]:
			x.log.Warn("executor: work item arrived after its lease ended; not running it",
				"work_item", it.ID, "action", it.Invocation.Action)
			continue
		case it.Deadline.IsZero() || it.Deadline.Before(sent.Add(x.leaseLength(it))):
			it.Deadline = sent.Add(x.leaseLength(it))
		}
		if x.leaseLeft(it, now) {
			ok = append(ok, it)
		} else {
			back = append(back, it)
		}
	}
	if len(back) > 0 {
		x.handBack(back, "their lease confirmation came back too late")
	}
	return ok
}

// leaseLeft reports whether enough of it's lease surely remains at now to
// start its action: two thirds, what a heartbeat leaves in the steady state.
func (x *Executor) leaseLeft(it *Item, now time.Time) bool {
	return !it.Deadline.IsZero() && it.Deadline.Sub(now) >= x.leaseLength(it)*2/3
}

func (x *Executor) leaseLength(it *Item) time.Duration {
	if it.Lease > 0 {
		return it.Lease
	}
	return x.opts.Lease
}

// queues are the targets this executor takes work from.
func (x *Executor) queues() []string {
	if x.opts.Target != "" {
		return []string{x.opts.Target}
	}
	if x.opts.Name == "" {
		return []string{""}
	}
	return []string{"", x.opts.Name}
}

func (x *Executor) hold(it *Item) *heldItem {
	h := &heldItem{item: it}
	x.mu.Lock()
	x.held[it.ID] = h
	x.mu.Unlock()
	return h
}

func (x *Executor) unhold(id string) {
	x.mu.Lock()
	delete(x.held, id)
	x.mu.Unlock()
}

func (x *Executor) runItem(ctx context.Context, h *heldItem) {
	it := h.item
	defer x.unhold(it.ID)
	var out action.Outcome
	if it.Invalid != nil {
		out = action.Outcome{Failed: true, Result: it.Invalid.Error()}
	} else {
		p := it.Invocation
		if p.Input == nil {
			p.Input = value.NewMap(0)
		}
		out = x.actions.Run(ctx, p.Action, p.Input, p.Execution)
	}
	if ctx.Err() != nil {
		x.abandon(it)
		return
	}
	if h.lost.Load() {
		x.log.Warn("executor: lease lost while running; dropping the result", "work_item", it.ID, "action", it.Invocation.Action)
		return
	}
	x.report(ctx, h, out)
}

// report hands the outcome to the source, repeating it (same item, same
// lease, same result) while the source is unavailable.
func (x *Executor) report(ctx context.Context, h *heldItem, out action.Outcome) {
	it := h.item
	backoff := 100 * time.Millisecond
	for {
		err := x.src.Report(ctx, it, out)
		switch {
		case err == nil:
			return
		case errors.Is(err, ErrLeaseLost):
			x.log.Warn("executor: result rejected, the lease moved on", "work_item", it.ID, "err", err)
			return
		case !errors.Is(err, ErrUnavailable) || ctx.Err() != nil:
			// The lease expires and the rescuer decides.
			x.log.Error("executor: reporting result failed", "work_item", it.ID, "err", err)
			return
		case h.lost.Load():
			x.log.Warn("executor: lease lost while reporting; dropping the result", "work_item", it.ID)
			return
		}
		x.log.Warn("executor: reporting result failed; retrying", "work_item", it.ID, "err", err, "in", backoff)
		if !sleepCtx(ctx, backoff) {
			return
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// abandon deals with an item whose action the drain timeout cut short.
func (x *Executor) abandon(it *Item) {
	if !it.Invocation.SafeRerun {
		x.log.Warn("executor: action cancelled at the drain timeout; its lease will expire and the rescuer fails it",
			"work_item", it.ID, "action", it.Invocation.Action)
		return
	}
	x.handBack([]*Item{it}, "a safe-rerun action was cancelled at the drain timeout")
}

// handBack releases items this executor will not run.
func (x *Executor) handBack(items []*Item, why string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := x.src.Release(ctx, x.opts.Name, items); err != nil {
		x.log.Error("executor: handing work items back failed; their leases will expire", "count", len(items), "err", err)
		return
	}
	x.log.Info("executor: handed work items back", "count", len(items), "why", why)
}

// heartbeats extends every held lease at a third of its length until ctx
// ends, and marks those that no longer hold.
func (x *Executor) heartbeats(ctx context.Context) {
	t := time.NewTicker(x.opts.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		x.mu.Lock()
		held := make([]*Item, 0, len(x.held))
		for _, h := range x.held {
			if !h.lost.Load() {
				held = append(held, h.item)
			}
		}
		x.mu.Unlock()
		if len(held) == 0 {
			continue
		}
		lost, err := x.src.Heartbeat(ctx, x.opts.Name, x.opts.Lease, held)
		x.mu.Lock()
		for _, id := range lost {
			if h := x.held[id]; h != nil && !h.lost.Swap(true) {
				x.log.Warn("executor: lease lost", "work_item", id, "action", h.item.Invocation.Action)
			}
		}
		x.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			x.log.Warn("executor: heartbeat failed", "held", len(held), "err", err)
		}
	}
}

// sleepCtx waits d or until ctx ends; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
