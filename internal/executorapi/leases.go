package executorapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/bora-workflow/bora/internal/executor/wire"
	"github.com/bora-workflow/bora/internal/store"
)

// heartbeat extends the leases an executor holds and names those that no
// longer hold.
func (s *Server) heartbeat(w http.ResponseWriter, r *http.Request) {
	var req wire.HeartbeatRequest
	if !decode(w, r, &req) || !checkLeases(w, req.Leases) {
		return
	}
	if req.Executor != "" {
		s.touch(r.Context(), req.Executor)
	}
	lease := leaseOf(req.Lease)
	now := s.opts.Now()
	res := wire.HeartbeatResponse{LeaseExpiresAt: now.Add(lease), Lost: []string{}}
	for _, l := range req.Leases {
		err := s.store.WorkItemHeartbeat(r.Context(), store.WorkItemHeartbeatParams{
			ID: l.ID, LeaseToken: l.LeaseToken, Now: now, Lease: lease,
		})
		switch {
		case errors.Is(err, store.ErrStale), errors.Is(err, store.ErrNotFound):
			res.Lost = append(res.Lost, l.ID)
		case err != nil:
			s.writeStoreError(w, r, fmt.Sprintf("heartbeat work item %s for %s", l.ID, req.Executor), err)
			return
		}
	}
	if len(res.Lost) > 0 {
		s.log.Info("executorapi: heartbeat found leases gone", "executor", req.Executor, "lost", res.Lost)
	}
	writeJSON(w, http.StatusOK, res)
}

// release hands items back unrun.
func (s *Server) release(w http.ResponseWriter, r *http.Request) {
	var req wire.ReleaseRequest
	if !decode(w, r, &req) || !checkLeases(w, req.Leases) {
		return
	}
	res := wire.ReleaseResponse{Released: []string{}, Lost: []string{}}
	for _, l := range req.Leases {
		err := s.store.WorkItemRelease(r.Context(), l.ID, l.LeaseToken)
		switch {
		case err == nil:
			res.Released = append(res.Released, l.ID)
		case errors.Is(err, store.ErrStale), errors.Is(err, store.ErrNotFound):
			res.Lost = append(res.Lost, l.ID)
		default:
			s.writeStoreError(w, r, fmt.Sprintf("release work item %s for %s", l.ID, req.Executor), err)
			return
		}
	}
	s.log.Info("executorapi: work items handed back", "executor", req.Executor, "released", len(res.Released), "not_held", len(res.Lost))
	writeJSON(w, http.StatusOK, res)
}

func checkLeases(w http.ResponseWriter, leases []wire.Lease) bool {
	if len(leases) > maxLeases {
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, fmt.Sprintf("at most %d leases per call", maxLeases))
		return false
	}
	for _, l := range leases {
		if l.ID == "" || l.LeaseToken == "" {
			writeError(w, http.StatusBadRequest, wire.CodeBadRequest, "every lease needs an id and a lease_token")
			return false
		}
	}
	return true
}
