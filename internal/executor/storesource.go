package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
)

// Reporter records the outcome of a leased work item (the engine does, in
// the transaction that deletes the item under its lease).
type Reporter interface {
	ReportResult(ctx context.Context, item *store.WorkItem, attempt int, out action.Outcome) error
}

// StoreSource is the source of an executor inside a bora process: it
// leases work items straight from the store and reports through the
// engine.
type StoreSource struct {
	Store    store.Store
	Reporter Reporter
	// Wake, when set, is a hint that work items were committed; polling
	// every Wait stays behind it.
	Wake <-chan struct{}
	Now  func() time.Time

	mu sync.Mutex
	// unanswered are claims that failed without an answer: the
	// connection broke around the commit, so they may have leased items
	// nobody runs. The next claim that reaches the store takes them over
	// by their token rather than leaving them to expire into "executor
	// lost" failures.
	unanswered []unansweredClaim
}

const maxUnanswered = 256

type unansweredClaim struct {
	token string
	asked time.Time
	lease time.Duration
}

var _ Source = (*StoreSource)(nil)

func (s *StoreSource) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now().UTC()
}

// Claim leases what is available now; when nothing is, it waits for a
// wake-up hint or r.Wait and returns empty, so the loop polls again.
func (s *StoreSource) Claim(ctx context.Context, r ClaimRequest) ([]*Item, error) {
	// The lease runs from the claim's Now; the deadline from a moment
	// before it on the monotonic clock, so a process frozen between the
	// claim and the run finds its lease over on waking.
	items, err := s.takeOverUnanswered(ctx)
	if len(items) > 0 {
		return items, nil
	}
	if err != nil {
		return nil, err
	}
	asked := time.Now()
	token := id.New()
	rows, err := s.Store.WorkItemClaimMany(ctx, store.WorkItemClaimParams{
		Owner: r.Owner, Targets: r.Targets, Token: token, Now: s.now(), Lease: r.Lease, Limit: r.Max,
	})
	if err != nil {
		err = storeErr(err)
		if errors.Is(err, ErrUnavailable) {
			s.mu.Lock()
			// A long outage fails a claim every poll; the oldest tokens
			// matter least (their leases run out first), so keep a bounded
			// number.
			if len(s.unanswered) == maxUnanswered {
				s.unanswered = s.unanswered[1:]
			}
			s.unanswered = append(s.unanswered, unansweredClaim{token: token, asked: asked, lease: r.Lease})
			s.mu.Unlock()
		}
		return nil, fmt.Errorf("claim work items of targets %q: %w", r.Targets, err)
	}
	if len(rows) > 0 {
		items := make([]*Item, len(rows))
		for i, row := range rows {
			items[i] = ItemOf(row)
			items[i].Deadline, items[i].Lease = asked.Add(r.Lease), r.Lease
		}
		return items, nil
	}
	t := time.NewTimer(r.Wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-r.Stop:
	case <-s.Wake:
	case <-t.C:
	}
	return nil, nil
}

// takeOverUnanswered returns the items that claims without an answer
// leased, once the store answers again. Their deadlines count from when
// those claims were asked, so the executor's lease fence confirms or drops
// them before anything runs.
func (s *StoreSource) takeOverUnanswered(ctx context.Context) ([]*Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []*Item
	for len(s.unanswered) > 0 {
		c := s.unanswered[0]
		rows, err := s.Store.WorkItemListByLease(ctx, c.token)
		if err != nil {
			return items, fmt.Errorf("look for items of an unanswered claim: %w", storeErr(err))
		}
		s.unanswered = s.unanswered[1:]
		for _, row := range rows {
			it := ItemOf(row)
			it.Deadline, it.Lease = c.asked.Add(c.lease), c.lease
			items = append(items, it)
		}
	}
	return items, nil
}

// ItemOf decodes a leased work item row.
func ItemOf(row *store.WorkItem) *Item {
	it := &Item{ID: row.ID, LeaseToken: row.LeaseToken, Attempt: row.Attempt}
	if err := json.Unmarshal(row.Payload, &it.Invocation); err != nil {
		it.Invalid = fmt.Errorf("bad work item payload: %w", err)
		return it
	}
	if it.Invocation.Attempt != 0 {
		it.Attempt = it.Invocation.Attempt
	}
	return it
}

// Heartbeat extends each lease in turn.
func (s *StoreSource) Heartbeat(ctx context.Context, _ string, lease time.Duration, held []*Item) ([]string, error) {
	var lost []string
	for _, it := range held {
		err := s.Store.WorkItemHeartbeat(ctx, store.WorkItemHeartbeatParams{
			ID: it.ID, LeaseToken: it.LeaseToken, Now: s.now(), Lease: lease,
		})
		switch {
		case errors.Is(err, store.ErrStale):
			lost = append(lost, it.ID)
		case err != nil:
			return lost, fmt.Errorf("heartbeat work item %s: %w", it.ID, storeErr(err))
		}
	}
	return lost, nil
}

// Report records the outcome through the Reporter.
func (s *StoreSource) Report(ctx context.Context, it *Item, out action.Outcome) error {
	row := &store.WorkItem{ID: it.ID, ActionExecutionID: it.ID, LeaseToken: it.LeaseToken, Attempt: it.Attempt}
	if err := s.Reporter.ReportResult(ctx, row, it.Attempt, out); err != nil {
		return storeErr(err)
	}
	return nil
}

// Release hands each item back; one that is no longer held is skipped.
func (s *StoreSource) Release(ctx context.Context, _ string, items []*Item) error {
	var errs []error
	for _, it := range items {
		if err := s.Store.WorkItemRelease(ctx, it.ID, it.LeaseToken); err != nil && !errors.Is(err, store.ErrStale) {
			errs = append(errs, fmt.Errorf("release work item %s: %w", it.ID, err))
		}
	}
	return errors.Join(errs...)
}

// storeErr marks the store's sentinels with the loop's: a guarded update
// that found the lease moved on is a lost lease; a transient database
// failure may be retried.
func storeErr(err error) error {
	switch {
	case errors.Is(err, store.ErrStale):
		return fmt.Errorf("%w: %w", ErrLeaseLost, err)
	case errors.Is(err, store.ErrRetryable):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}
