package server

import (
	"context"
	"time"

	"github.com/bora-workflow/bora/internal/store"
)

// heartbeatInterval is how often a process renews its services rows;
// api.ServiceLiveness lists a row for a few intervals after the last one.
const heartbeatInterval = 10 * time.Second

// serviceTypes are Mistral's coordination group names for bora's roles,
// which `mistral service-list` prints as the Type.
var serviceTypes = map[string]string{
	RoleAPI:      "api_group",
	RoleEngine:   "engine_group",
	RoleExecutor: "executor_group",
}

// heartbeat keeps a services row per role of this process until ctx ends,
// then removes them, so GET /v2/services lists the processes running. A
// failed heartbeat is logged and tried again next time: the registry is
// informational, never a reason to stop the process.
func (p *Process) heartbeat(ctx context.Context, name string) {
	started := time.Now()
	beat := func() {
		for _, role := range p.cfg.Roles {
			err := p.Store.ServiceHeartbeat(ctx, &store.Service{
				Name: name, Type: serviceTypes[role], StartedAt: started, HeartbeatAt: time.Now(),
			})
			if err != nil && ctx.Err() == nil {
				p.cfg.Logger.Warn("services: heartbeat failed", "err", err)
			}
		}
	}
	beat()
	ticker := time.NewTicker(heartbeatInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := p.Store.ServiceDelete(stopCtx, name); err != nil {
				p.cfg.Logger.Debug("services: removing this process's rows failed", "err", err)
			}
			return
		case <-ticker.C:
			beat()
		}
	}
}
