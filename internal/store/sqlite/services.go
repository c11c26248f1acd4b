package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/bora-workflow/bora/internal/store"
)

// ServiceHeartbeat implements store.Queries.
func (q *queries) ServiceHeartbeat(ctx context.Context, s *store.Service) error {
	s.StartedAt, s.HeartbeatAt = stamp(s.StartedAt), stamp(s.HeartbeatAt)
	_, err := q.w.ExecContext(ctx, `INSERT INTO services (name, type, started_at, heartbeat_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (name, type) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
		s.Name, s.Type, micros(s.StartedAt), micros(s.HeartbeatAt))
	if err != nil {
		return fmt.Errorf("heartbeat of service %s: %w", s.Name, mapErr(err))
	}
	return nil
}

// ServiceList implements store.Queries.
func (q *queries) ServiceList(ctx context.Context, aliveSince time.Time) ([]*store.Service, error) {
	out, err := queryAll(ctx, q.r, func(s scanner) (*store.Service, error) {
		var svc store.Service
		var started, beat int64
		if err := s.Scan(&svc.Name, &svc.Type, &started, &beat); err != nil {
			return nil, err
		}
		svc.StartedAt, svc.HeartbeatAt = fromMicros(started), fromMicros(beat)
		return &svc, nil
	}, `SELECT name, type, started_at, heartbeat_at FROM services WHERE heartbeat_at >= ? ORDER BY name, type`,
		micros(aliveSince))
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return out, nil
}

// ServiceDelete implements store.Queries.
func (q *queries) ServiceDelete(ctx context.Context, name string) error {
	n, err := affected(q.w.ExecContext(ctx, `DELETE FROM services WHERE name = ?`, name))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete service %s: %w", name, err)
	}
	return nil
}
