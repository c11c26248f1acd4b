package executor

import (
	"context"
	"errors"
	"time"

	"github.com/bora-workflow/bora/internal/action"
)

// Errors a Source returns, so the loop can tell what to do with a call
// that did not succeed.
var (
	// ErrLeaseLost: the lease no longer holds (it expired and was
	// rescued, or it was handed back), or the action stopped accepting a
	// result. The item is no longer ours: its result is dropped.
	ErrLeaseLost = errors.New("lease lost")
	// ErrUnavailable: the source could not be reached or answered that it
	// is busy; the call may be repeated with the same key.
	ErrUnavailable = errors.New("work source unavailable")
)

// Source is where an executor gets its work and reports it: the store
// itself (an executor inside a bora server) or a bora API over HTTP (a
// remote executor with no database access). Every call is idempotent:
// the loop repeats a call that failed with ErrUnavailable.
type Source interface {
	// Claim leases up to r.Max items of r.Targets, waiting up to r.Wait
	// for some to become available; it returns an empty list, not an
	// error, when none came.
	Claim(ctx context.Context, r ClaimRequest) ([]*Item, error)
	// Heartbeat extends the leases held and returns the ids of those
	// that no longer hold.
	Heartbeat(ctx context.Context, owner string, lease time.Duration, held []*Item) (lost []string, err error)
	// Report records an item's outcome under its lease: nil when it is
	// recorded (now or by an earlier call), ErrLeaseLost when it is
	// refused.
	Report(ctx context.Context, it *Item, out action.Outcome) error
	// Release hands items back unrun; items no longer held are skipped.
	Release(ctx context.Context, owner string, items []*Item) error
}

// ClaimRequest is what the loop asks a source for.
type ClaimRequest struct {
	Owner string
	// Targets are the queues to take from ("" is the default queue).
	Targets []string
	Max     int
	Lease   time.Duration
	Wait    time.Duration
	// Stop, when closed, ends the wait early (the executor is stopping);
	// a claim already under way still returns what it leased.
	Stop <-chan struct{}
}

// Item is a leased work item, decoded.
type Item struct {
	ID         string
	LeaseToken string
	// Attempt is the action execution's attempt the item runs; the
	// report carries it.
	Attempt    int
	Invocation action.Invocation
	// Deadline is a time on this process's clock before which the lease
	// surely holds: the source measures it from before it asked for the
	// item, so time spent in transit or frozen only makes it earlier than
	// the real expiry, never later. Zero when the source cannot tell.
	Deadline time.Time
	// Lease is the lease length granted; zero means the one asked for.
	Lease time.Duration
	// Invalid, when set, says the item could not be decoded: it is
	// reported as failed without running.
	Invalid error
}
