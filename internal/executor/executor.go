// Package executor runs actions: it leases work items from the store,
// runs each with a heartbeat that keeps its lease alive, and reports the
// outcome through a Reporter, which records it in the same transaction as
// it deletes the leased item.
//
// # Failure handling
//
// A result is reported only while the lease holds: if the executor stalls
// past its lease and another one took the item, the report fails as stale
// and the result is dropped, never applied twice. On Stop the executor
// claims nothing more and finishes the actions it holds (up to the drain
// timeout); actions still running after that keep their lease until it
// expires, and the rescuer (in the engine role) deals with them.
package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

// Reporter records the outcome of a leased work item.
type Reporter interface {
	ReportResult(ctx context.Context, item *store.WorkItem, attempt int, out action.Outcome) error
}

// Options tune an Executor; zero values take the defaults.
type Options struct {
	Name         string // lease owner name
	Target       string // "" = the default queue
	Slots        int    // actions run at once
	Lease        time.Duration
	PollInterval time.Duration
	Logger       *slog.Logger
	Now          func() time.Time
	// Wake, when set, is a hint that work items were committed.
	Wake <-chan struct{}
}

// Executor leases and runs work items.
type Executor struct {
	store    store.Store
	actions  *action.Registry
	reporter Reporter
	opts     Options
	log      *slog.Logger
}

// New returns an executor.
func New(st store.Store, reg *action.Registry, rep Reporter, opts Options) *Executor {
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
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Now().UTC() }
	}
	return &Executor{store: st, actions: reg, reporter: rep, opts: opts, log: opts.Logger}
}

// Run leases and runs work items until ctx is cancelled, then waits for
// the actions in flight to finish and returns nil.
func (x *Executor) Run(ctx context.Context) error {
	slots := make(chan struct{}, x.opts.Slots)
	var wg sync.WaitGroup
	defer wg.Wait()
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
		items, err := x.store.WorkItemClaimMany(ctx, store.WorkItemClaimParams{
			Owner: x.opts.Name, Target: x.opts.Target, Now: x.opts.Now(), Lease: x.opts.Lease, Limit: free,
		})
		if err != nil {
			if ctx.Err() == nil {
				x.log.Error("executor: claiming work items failed", "err", err)
				x.idle(ctx)
			}
			continue
		}
		for _, it := range items {
			slots <- struct{}{}
			wg.Add(1)
			go func(it *store.WorkItem) {
				defer wg.Done()
				defer func() { <-slots }()
				// The action finishes even when the executor is stopping:
				// a graceful stop must not cause a re-run.
				x.runItem(context.WithoutCancel(ctx), it)
			}(it)
		}
		if len(items) == 0 {
			x.idle(ctx)
		}
	}
	return nil
}

func (x *Executor) idle(ctx context.Context) {
	t := time.NewTimer(x.opts.PollInterval)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-x.opts.Wake:
	case <-t.C:
	}
}

func (x *Executor) runItem(ctx context.Context, it *store.WorkItem) {
	var p action.Invocation
	if err := json.Unmarshal(it.Payload, &p); err != nil {
		x.report(ctx, it, it.Attempt, action.Outcome{Failed: true, Result: fmt.Sprintf("bad work item payload: %v", err)})
		return
	}
	if p.Input == nil {
		p.Input = value.NewMap(0)
	}
	hbCtx, stopHeartbeat := context.WithCancel(ctx)
	lost := make(chan struct{})
	go x.heartbeat(hbCtx, it, lost)
	out := x.actions.Run(ctx, p.Action, p.Input, p.Execution)
	stopHeartbeat()
	select {
	case <-lost:
		x.log.Warn("executor: lease lost while running; dropping the result", "work_item", it.ID, "action", p.Action)
		return
	default:
	}
	x.report(ctx, it, p.Attempt, out)
}

func (x *Executor) report(ctx context.Context, it *store.WorkItem, attempt int, out action.Outcome) {
	if err := x.reporter.ReportResult(ctx, it, attempt, out); err != nil {
		if errors.Is(err, store.ErrStale) {
			x.log.Warn("executor: result rejected, the lease moved on", "work_item", it.ID)
			return
		}
		x.log.Error("executor: reporting result failed", "work_item", it.ID, "err", err)
	}
}

// heartbeat extends the lease at a third of its length until ctx ends;
// it closes lost when the lease is no longer ours.
func (x *Executor) heartbeat(ctx context.Context, it *store.WorkItem, lost chan<- struct{}) {
	t := time.NewTicker(x.opts.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := x.store.WorkItemHeartbeat(ctx, store.WorkItemHeartbeatParams{
			ID: it.ID, LeaseToken: it.LeaseToken, Now: x.opts.Now(), Lease: x.opts.Lease,
		})
		if errors.Is(err, store.ErrStale) {
			close(lost)
			return
		}
		if err != nil && ctx.Err() == nil {
			x.log.Warn("executor: heartbeat failed", "work_item", it.ID, "err", err)
		}
	}
}
