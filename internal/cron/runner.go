package cron

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// Starter starts an execution inside the caller's transaction
// (implemented by *engine.Engine).
type Starter interface {
	StartExecutionInTx(ctx context.Context, tx store.Tx, req engine.StartRequest) (*workflow.Execution, error)
}

// Options configure a Runner.
type Options struct {
	Logger *slog.Logger
	// Interval is how often the loop looks for due triggers; Mistral's
	// default [cron_trigger] execution_interval is one second.
	Interval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Runner fires due cron triggers. Any number of engine processes may run
// one: each trigger is claimed with SKIP LOCKED, and its execution start
// and its move to the next time commit in one transaction, so a trigger
// fires once per due time.
type Runner struct {
	store    store.Store
	starter  Starter
	log      *slog.Logger
	interval time.Duration
	now      func() time.Time
}

// New returns a Runner over st starting workflows through starter.
func New(st store.Store, starter Starter, opts Options) *Runner {
	r := &Runner{store: st, starter: starter, log: opts.Logger, interval: opts.Interval, now: opts.Now}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.interval <= 0 {
		r.interval = time.Second
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// maxFiresPerTick bounds one tick's work, so a backlog (the engine was
// down for a while) cannot starve the rest of the loop.
const maxFiresPerTick = 100

// Run fires due triggers every interval until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	ticker := time.NewTicker(r.interval)
	defer ticker.Stop()
	for {
		if _, err := r.FireDue(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("cron: firing due triggers failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// FireDue fires the triggers due now, one transaction each, and returns
// how many it fired.
func (r *Runner) FireDue(ctx context.Context) (int, error) {
	n := 0
	for n < maxFiresPerTick {
		fired, err := r.fireOne(ctx)
		if err != nil {
			return n, err
		}
		if !fired {
			return n, nil
		}
		n++
	}
	return n, nil
}

// errStartFailed ends a firing transaction whose start failed in a way
// that may have left the transaction unusable; the trigger is then moved
// on in a transaction of its own.
var errStartFailed = errors.New("start failed")

// fireOne claims one due trigger, starts its workflow and moves the
// trigger on. A start the engine refuses (the workflow is gone, the input
// no longer fits) is logged and the trigger still moves on, as Mistral's
// does, so a broken trigger cannot fire in a loop.
func (r *Runner) fireOne(ctx context.Context) (bool, error) {
	now := r.now().UTC()
	var claimed *store.CronTrigger
	var startErr error
	err := store.InTx(ctx, r.store, func(ctx context.Context, tx store.Tx) error {
		claimed, startErr = nil, nil
		due, err := tx.CronTriggerClaimDue(ctx, store.CronTriggerClaimParams{Now: now, Limit: 1})
		if err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}
		t := due[0]
		claimed = t
		ex, err := r.starter.StartExecutionInTx(ctx, tx, startRequest(t))
		switch {
		case err == nil:
			r.log.Info("cron: trigger fired", "trigger", t.Name, "execution", ex.ID)
		case errors.Is(err, store.ErrRetryable):
			return err
		case errors.Is(err, engine.ErrInvalidInput) || errors.Is(err, store.ErrNotFound):
			// Refused before anything was written: the transaction is fine.
			startErr = err
		default:
			startErr = err
			return errStartFailed
		}
		return advance(ctx, tx, t, now)
	})
	if errors.Is(err, errStartFailed) {
		err = store.InTx(ctx, r.store, func(ctx context.Context, tx store.Tx) error {
			return advance(ctx, tx, claimed, now)
		})
		if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) {
			err = nil // another engine moved it on, or it was deleted
		}
	}
	if startErr != nil {
		r.log.Warn("cron: trigger could not start its workflow", "trigger", claimed.Name, "err", startErr)
	}
	if err != nil {
		return false, fmt.Errorf("fire cron trigger: %w", err)
	}
	return claimed != nil, nil
}

// startRequest is the start a trigger asks for, described as Mistral
// describes it (Python's json.dumps of the same dict, key order kept).
func startRequest(t *store.CronTrigger) engine.StartRequest {
	desc, _ := value.EncodePython(value.MapOf(
		"description", fmt.Sprintf("Workflow execution created by cron trigger '(%s)'.", t.ID),
		"triggered_by", value.MapOf("type", "cron_trigger", "id", t.ID, "name", t.Name),
	))
	identifier := t.WorkflowID
	if identifier == "" {
		identifier = t.WorkflowName
	}
	return engine.StartRequest{
		WorkflowIdentifier: identifier,
		WorkflowNamespace:  t.WorkflowNamespace,
		Description:        string(desc),
		Input:              t.WorkflowInput.Clone(),
		Params:             t.WorkflowParams.Clone(),
	}
}

// advance moves a trigger that fired to its next time, or deletes it when
// that was its last run. A trigger that fell behind (the engines were
// down) fires once and then follows the pattern from now, as Mistral's.
func advance(ctx context.Context, tx store.Tx, t *store.CronTrigger, now time.Time) error {
	remaining := t.RemainingExecutions
	if remaining != nil {
		left := *remaining - 1
		if left <= 0 {
			return tx.CronTriggerDelete(ctx, t.ID)
		}
		remaining = &left
	}
	next, err := Next(t.Pattern, later(now, t.NextExecutionTime))
	if err != nil {
		return err
	}
	return tx.CronTriggerAdvance(ctx, store.CronTriggerAdvanceParams{
		ID: t.ID, Prev: t.NextExecutionTime, Next: next, RemainingExecutions: remaining, UpdatedAt: now,
	})
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
