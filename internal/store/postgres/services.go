package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/bora-workflow/bora/internal/store"
)

// ServiceHeartbeat implements store.Queries.
func (q *queries) ServiceHeartbeat(ctx context.Context, s *store.Service) error {
	s.StartedAt, s.HeartbeatAt = stamp(s.StartedAt), stamp(s.HeartbeatAt)
	_, err := q.db.Exec(ctx, `INSERT INTO services (name, type, started_at, heartbeat_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (name, type) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
		s.Name, s.Type, s.StartedAt, s.HeartbeatAt)
	if err != nil {
		return fmt.Errorf("heartbeat of service %s: %w", s.Name, mapErr(err))
	}
	return nil
}

// ServiceList implements store.Queries.
func (q *queries) ServiceList(ctx context.Context, aliveSince time.Time) ([]*store.Service, error) {
	out, err := queryAll(ctx, q.db, func(s scanner) (*store.Service, error) {
		var svc store.Service
		if err := s.Scan(&svc.Name, &svc.Type, &svc.StartedAt, &svc.HeartbeatAt); err != nil {
			return nil, err
		}
		svc.StartedAt, svc.HeartbeatAt = svc.StartedAt.UTC(), svc.HeartbeatAt.UTC()
		return &svc, nil
	}, `SELECT name, type, started_at, heartbeat_at FROM services WHERE heartbeat_at >= $1 ORDER BY name, type`,
		micro(aliveSince))
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return out, nil
}

// ServiceDelete implements store.Queries.
func (q *queries) ServiceDelete(ctx context.Context, name string) error {
	n, err := affected(q.db.Exec(ctx, `DELETE FROM services WHERE name = $1`, name))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete service %s: %w", name, err)
	}
	return nil
}
