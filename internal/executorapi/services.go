package executorapi

import (
	"context"
	"sync"
	"time"

	"github.com/bora-workflow/bora/internal/store"
)

// serviceInterval is how often a remote executor's services row is
// renewed at most: its claims and heartbeats come far more often, and
// the registry only needs to know it is alive.
const serviceInterval = 10 * time.Second

// serviceType is Mistral's group name for executors.
const serviceType = "executor_group"

// registry puts remote executors in the services table, so GET
// /v2/services lists them next to bora's own processes. It is
// informational: a failure is logged, never a reason to fail a call.
type registry struct {
	mu    sync.Mutex
	seen  map[string]time.Time // executor name → last row written
	start map[string]time.Time // executor name → first seen by this node
}

// touch renews the executor's row unless it was renewed recently.
func (s *Server) touch(ctx context.Context, executor string) {
	now := time.Now().UTC()
	s.services.mu.Lock()
	if s.services.seen == nil {
		s.services.seen, s.services.start = map[string]time.Time{}, map[string]time.Time{}
	}
	if now.Sub(s.services.seen[executor]) < serviceInterval {
		s.services.mu.Unlock()
		return
	}
	if len(s.services.seen) > 4096 {
		// Forget executors not heard of for long (the map must not grow
		// with every name ever used).
		for name, at := range s.services.seen {
			if now.Sub(at) > time.Hour {
				delete(s.services.seen, name)
				delete(s.services.start, name)
			}
		}
	}
	s.services.seen[executor] = now
	started, ok := s.services.start[executor]
	if !ok {
		started = now
		s.services.start[executor] = now
	}
	s.services.mu.Unlock()
	err := s.store.ServiceHeartbeat(ctx, &store.Service{Name: executor, Type: serviceType, StartedAt: started, HeartbeatAt: now})
	if err != nil && ctx.Err() == nil {
		s.log.Warn("executorapi: recording a remote executor in the services registry failed", "executor", executor, "err", err)
	}
}
