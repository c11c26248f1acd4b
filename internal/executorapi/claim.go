package executorapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/executor/wire"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

// claim leases work for an executor, waiting up to the request's wait
// for some to arrive.
func (s *Server) claim(w http.ResponseWriter, r *http.Request) {
	var req wire.ClaimRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Executor == "" {
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, "executor (the executor's name) is required")
		return
	}
	// The leases handed out are measured from here (lease_valid_for), the
	// earliest moment the executor can know of: it adds them to the time
	// it sent the request.
	received := s.opts.Now()
	s.touch(r.Context(), req.Executor)
	cacheKey := ""
	if req.ClaimID != "" {
		cacheKey = req.Executor + "\x00" + req.ClaimID
		if answer, ok := s.claims.get(cacheKey); ok {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(answer)
			return
		}
	}
	limit := min(max(req.Max, 1), maxItems)
	lease := leaseOf(req.Lease)
	wait := min(max(time.Duration(req.Wait*float64(time.Second)), 0), maxWait)
	deadline := time.Now().Add(wait)
	for {
		items, err := s.claimNow(r, req, limit, lease)
		if err != nil {
			s.writeStoreError(w, r, fmt.Sprintf("claim work of targets %q for %s", claimQueues(req), req.Executor), err)
			return
		}
		if r.Context().Err() != nil {
			// The executor went away while we leased: hand the items back
			// rather than leave them to expire.
			s.releaseRows(items)
			return
		}
		if len(items) > 0 || !time.Now().Before(deadline) {
			wireItems := make([]wire.Item, 0, len(items))
			for _, it := range items {
				if wi, ok := s.wireItem(r.Context(), it, lease, received); ok {
					wireItems = append(wireItems, wi)
				}
			}
			answer, err := json.Marshal(wire.ClaimResponse{Items: wireItems})
			if err != nil {
				s.releaseRows(items)
				s.writeStoreError(w, r, "encode the claimed items", err)
				return
			}
			if cacheKey != "" && len(wireItems) > 0 && len(answer) <= maxRemembered {
				s.claims.put(cacheKey, answer)
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(answer)
			return
		}
		t := time.NewTimer(min(s.opts.PollInterval, time.Until(deadline)))
		select {
		case <-r.Context().Done():
		case <-s.stopping:
			deadline = time.Now() // answer empty now: the API is stopping
		case <-s.opts.Wake:
			s.woken.fire()
		case <-s.woken.wait():
		case <-t.C:
		}
		t.Stop()
		if r.Context().Err() != nil {
			return // the executor went away; nobody reads the answer
		}
	}
}

// claimNow is one claim. It does not follow the request's context: a claim
// that commits must be answered or handed back, not torn halfway.
func (s *Server) claimNow(r *http.Request, req wire.ClaimRequest, limit int, lease time.Duration) ([]*store.WorkItem, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	return s.store.WorkItemClaimMany(ctx, store.WorkItemClaimParams{
		Owner: req.Executor, Targets: claimQueues(req), Now: s.opts.Now(), Lease: lease, Limit: limit,
	})
}

// claimQueues are the queues a claim request names: targets when given,
// else its one target ("" is the default queue).
func claimQueues(req wire.ClaimRequest) []string {
	if len(req.Targets) > 0 {
		return req.Targets
	}
	return []string{req.Target}
}

// wireItem turns a leased row into the protocol's item; received is when
// the claim request arrived. A payload that cannot be decoded is failed
// here and now, under its lease, rather than sent to an executor that
// could not run it either.
func (s *Server) wireItem(ctx context.Context, it *store.WorkItem, lease time.Duration, received time.Time) (wire.Item, bool) {
	var inv action.Invocation
	if err := json.Unmarshal(it.Payload, &inv); err != nil {
		msg := fmt.Sprintf("bad work item payload: %v", err)
		if rerr := s.reporter.ReportResult(context.WithoutCancel(ctx), it, it.Attempt, action.Outcome{Failed: true, Result: msg}); rerr != nil {
			s.log.Error("executorapi: failing a work item with a bad payload failed", "work_item", it.ID, "err", rerr)
		}
		return wire.Item{}, false
	}
	if inv.Input == nil {
		inv.Input = value.NewMap(0)
	}
	attempt := it.Attempt
	if inv.Attempt != 0 {
		attempt = inv.Attempt
	}
	wi := wire.Item{
		ID: it.ID, LeaseToken: it.LeaseToken, LeaseSeconds: lease.Seconds(),
		Action: inv.Action, Input: inv.Input, Attempt: attempt, SafeRerun: inv.SafeRerun, Execution: inv.Execution,
	}
	if it.LeaseExpiresAt != nil {
		wi.LeaseExpiresAt = *it.LeaseExpiresAt
		// Both times are this node's clock (the claim's Now is), so the
		// difference is a duration the executor can use on its own clock.
		wi.LeaseValidFor = max(wi.LeaseExpiresAt.Sub(received), 0).Seconds()
	}
	return wi, true
}

// releaseRows hands back items leased for an executor that is gone.
func (s *Server) releaseRows(items []*store.WorkItem) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, it := range items {
		if err := s.store.WorkItemRelease(ctx, it.ID, it.LeaseToken); err != nil {
			s.log.Warn("executorapi: handing back a work item of a vanished claim failed; its lease will expire",
				"work_item", it.ID, "err", err)
		}
	}
}
