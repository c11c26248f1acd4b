package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bora-workflow/bora/internal/id"
	"github.com/jackc/pgx/v5"

	"github.com/bora-workflow/bora/internal/store"
)

const eventColumns = `id, execution_id, root_id, kind, payload, available_at, attempts, last_error, created_at`

func scanEvent(s scanner) (*store.Event, error) {
	var ev store.Event
	var available, created time.Time
	if err := s.Scan(&ev.ID, &ev.ExecutionID, &ev.RootID, &ev.Kind, &ev.Payload, &available,
		&ev.Attempts, &ev.LastError, &created); err != nil {
		return nil, err
	}
	ev.AvailableAt, ev.CreatedAt = available.UTC(), created.UTC()
	return &ev, nil
}

// EventInsert implements store.Queries.
func (q *queries) EventInsert(ctx context.Context, ev *store.Event) error {
	if q.notify != nil {
		q.notify.events = true
	}
	if ev.ID == "" {
		ev.ID = id.New()
	}
	ev.CreatedAt = stamp(ev.CreatedAt)
	// An event with no time is due at once.
	if ev.AvailableAt.IsZero() {
		ev.AvailableAt = ev.CreatedAt
	}
	ev.AvailableAt = stamp(ev.AvailableAt)
	_, err := q.db.Exec(ctx, `INSERT INTO events (`+eventColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		ev.ID, ev.ExecutionID, ev.RootID, ev.Kind, ev.Payload, ev.AvailableAt, ev.Attempts,
		ev.LastError, ev.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert %s event %s for execution %s: %w", ev.Kind, ev.ID, ev.ExecutionID, mapErr(err))
	}
	return nil
}

// EventClaimMany implements store.Queries. The row locks are the claim:
// they last until the transaction ends, and other claimers skip the rows
// rather than wait for them.
func (q *queries) EventClaimMany(ctx context.Context, p store.EventClaimParams) ([]*store.Event, error) {
	if p.Limit <= 0 {
		return nil, fmt.Errorf("claim events: limit %d must be positive", p.Limit)
	}
	out, err := queryAll(ctx, q.db, scanEvent, `SELECT `+eventColumns+` FROM events
		WHERE available_at <= $1 ORDER BY available_at, id LIMIT $2
		FOR UPDATE SKIP LOCKED`, micro(p.Now), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("claim events due at %s: %w", p.Now.UTC().Format(time.RFC3339Nano), err)
	}
	return out, nil
}

// EventDelete implements store.Queries.
func (q *queries) EventDelete(ctx context.Context, id string) error {
	n, err := affected(q.db.Exec(ctx, `DELETE FROM events WHERE id = $1`, id))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete event %s: %w", id, err)
	}
	return nil
}

// EventPostpone implements store.Queries.
func (q *queries) EventPostpone(ctx context.Context, p store.EventPostponeParams) error {
	n, err := affected(q.db.Exec(ctx, `UPDATE events
		SET attempts = attempts + 1, last_error = $1, available_at = $2 WHERE id = $3`,
		p.Error, stamp(p.At), p.ID))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("postpone event %s: %w", p.ID, err)
	}
	return nil
}

// EventNextAvailableAt implements store.Queries.
func (q *queries) EventNextAvailableAt(ctx context.Context) (time.Time, error) {
	var next time.Time
	err := q.db.QueryRow(ctx, `SELECT available_at FROM events ORDER BY available_at LIMIT 1`).Scan(&next)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("next event time: %w", mapErr(err))
	}
	return next.UTC(), nil
}
