package executorapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/executor/wire"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/bora-workflow/bora/internal/workflow"
)

// resultKey is what a recorded result is remembered by: a repeat of the
// same report is answered "already recorded"; a different one is stale.
type resultKey struct {
	attempt int
	state   string
	async   bool
	result  [sha256.Size]byte // of the result's JSON, not the result: a key stays small
}

// result records an item's outcome under its lease.
func (s *Server) result(w http.ResponseWriter, r *http.Request) {
	var req wire.ResultRequest
	if !decode(w, r, &req) {
		return
	}
	out, err := outcomeOf(req)
	if err != nil {
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, err.Error())
		return
	}
	key := req.ID + "\x00" + req.LeaseToken
	got := resultKey{attempt: req.Attempt, state: req.State, async: req.Async, result: sha256.Sum256(bytes.TrimSpace(req.Result))}
	if prev, ok := s.results.get(key); ok {
		if prev == got {
			writeJSON(w, http.StatusOK, wire.ResultResponse{Status: wire.StatusAlreadyRecorded})
		} else {
			writeError(w, http.StatusConflict, wire.CodeStale, fmt.Sprintf("work item %s: a different result was already recorded under this lease", req.ID))
		}
		return
	}
	item := &store.WorkItem{ID: req.ID, ActionExecutionID: req.ID, LeaseToken: req.LeaseToken, Attempt: req.Attempt}
	// The report is recorded even if the executor hangs up meanwhile:
	// it will repeat it and must then find it recorded.
	err = s.reporter.ReportResult(context.WithoutCancel(r.Context()), item, req.Attempt, out)
	switch {
	case err == nil:
		s.results.put(key, got)
		writeJSON(w, http.StatusOK, wire.ResultResponse{Status: wire.StatusRecorded})
	case staleError(err):
		if s.recordedBefore(r.Context(), req, out) {
			writeJSON(w, http.StatusOK, wire.ResultResponse{Status: wire.StatusAlreadyRecorded})
			return
		}
		s.log.Warn("executorapi: result refused, the lease moved on", "work_item", req.ID, "attempt", req.Attempt, "err", err)
		writeError(w, http.StatusConflict, wire.CodeStale,
			fmt.Sprintf("work item %s: the lease no longer holds or the action no longer runs; the result was not applied", req.ID))
	default:
		s.writeStoreError(w, r, fmt.Sprintf("record the result of work item %s", req.ID), err)
	}
}

// outcomeOf checks a result request and turns it into an action outcome.
func outcomeOf(req wire.ResultRequest) (action.Outcome, error) {
	if req.ID == "" || req.LeaseToken == "" {
		return action.Outcome{}, fmt.Errorf("id and lease_token are required")
	}
	if req.Async {
		if req.State != "" {
			return action.Outcome{}, fmt.Errorf("async: true takes no state")
		}
		return action.Outcome{Async: true}, nil
	}
	var res any
	if len(bytes.TrimSpace(req.Result)) > 0 {
		v, err := value.Decode(req.Result)
		if err != nil {
			return action.Outcome{}, fmt.Errorf("result is not valid JSON: %v", err)
		}
		res = v
	}
	switch req.State {
	case wire.StateSuccess:
		return action.Outcome{Result: res}, nil
	case wire.StateError:
		return action.Outcome{Failed: true, Result: res}, nil
	}
	return action.Outcome{}, fmt.Errorf("state must be %s or %s (or async: true), not %q", wire.StateSuccess, wire.StateError, req.State)
}

// recordedBefore tells a repeat whose first answer was lost (possibly
// served by another API node) from a late report: the action execution
// already holds exactly this attempt's state and result.
func (s *Server) recordedBefore(ctx context.Context, req wire.ResultRequest, out action.Outcome) bool {
	if out.Async {
		return false // nothing on the row tells whose async report it was
	}
	act, err := s.store.ActionExecutionGet(ctx, req.ID)
	if err != nil || act.Attempt != req.Attempt {
		return false
	}
	want := workflow.StateSuccess
	if out.Failed {
		want = workflow.StateError
	}
	return act.State == want && value.Equal(act.Result, out.Result)
}
