package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/bora-workflow/bora/internal/id"

	"github.com/bora-workflow/bora/internal/store"
)

const workItemColumns = `id, action_execution_id, execution_id, target, payload, available_at, attempt,
	claims, lease_owner, lease_token, lease_expires_at, created_at`

func scanWorkItem(s scanner) (*store.WorkItem, error) {
	var w store.WorkItem
	var available, created int64
	var owner, token sql.NullString
	var expires sql.NullInt64
	if err := s.Scan(&w.ID, &w.ActionExecutionID, &w.ExecutionID, &w.Target, &w.Payload, &available,
		&w.Attempt, &w.Claims, &owner, &token, &expires, &created); err != nil {
		return nil, err
	}
	w.AvailableAt, w.CreatedAt = fromMicros(available), fromMicros(created)
	w.LeaseOwner, w.LeaseToken = owner.String, token.String
	w.LeaseExpiresAt = fromMicrosPtr(expires)
	return &w, nil
}

// WorkItemInsert implements store.Queries.
func (q *queries) WorkItemInsert(ctx context.Context, w *store.WorkItem) error {
	w.CreatedAt = stamp(w.CreatedAt)
	if w.AvailableAt.IsZero() {
		w.AvailableAt = w.CreatedAt
	}
	w.AvailableAt = stamp(w.AvailableAt)
	w.LeaseExpiresAt = stampPtr(w.LeaseExpiresAt)
	_, err := q.w.ExecContext(ctx, `INSERT INTO work_items (`+workItemColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.ActionExecutionID, w.ExecutionID, w.Target, w.Payload, micros(w.AvailableAt), w.Attempt, w.Claims,
		nullString(w.LeaseOwner), nullString(w.LeaseToken), microsPtr(w.LeaseExpiresAt), micros(w.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert work item %s: %w", w.ID, mapErr(err))
	}
	return nil
}

// WorkItemClaimMany implements store.Queries. One token is drawn per
// claim: it is fresh for every item claimed, which is all the guards need.
func (q *queries) WorkItemClaimMany(ctx context.Context, p store.WorkItemClaimParams) ([]*store.WorkItem, error) {
	if p.Limit <= 0 {
		return nil, fmt.Errorf("claim work items: limit %d must be positive", p.Limit)
	}
	now := micros(p.Now)
	queues := p.Queues()
	token := p.Token
	if token == "" {
		token = id.New()
	}
	args := []any{p.Owner, token, micros(p.Now.Add(p.Lease))}
	for _, t := range queues {
		args = append(args, t)
	}
	args = append(args, now, p.Limit)
	in := strings.TrimSuffix(strings.Repeat("?, ", len(queues)), ", ")
	out, err := queryAll(ctx, q.w, scanWorkItem, `UPDATE work_items
		SET lease_owner = ?, lease_token = ?, lease_expires_at = ?, claims = claims + 1
		WHERE id IN (SELECT id FROM work_items
			WHERE target IN (`+in+`) AND available_at <= ? AND lease_expires_at IS NULL
			ORDER BY available_at, id LIMIT ?)
		RETURNING `+workItemColumns, args...)
	if err != nil {
		return nil, fmt.Errorf("claim work items of targets %q for %s: %w", queues, p.Owner, err)
	}
	// RETURNING has no order; callers get the oldest first.
	slices.SortFunc(out, func(a, b *store.WorkItem) int {
		if c := a.AvailableAt.Compare(b.AvailableAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// WorkItemHeartbeat implements store.Queries.
func (q *queries) WorkItemHeartbeat(ctx context.Context, p store.WorkItemHeartbeatParams) error {
	return q.leaseGuarded(ctx, "heartbeat", p.ID, p.LeaseToken,
		`UPDATE work_items SET lease_expires_at = ? WHERE id = ? AND lease_token = ?`,
		micros(p.Now.Add(p.Lease)), p.ID, p.LeaseToken)
}

// WorkItemListByLease implements store.Queries.
func (q *queries) WorkItemListByLease(ctx context.Context, token string) ([]*store.WorkItem, error) {
	out, err := queryAll(ctx, q.r, scanWorkItem, `SELECT `+workItemColumns+` FROM work_items
		WHERE lease_token = ? ORDER BY available_at, id`, token)
	if err != nil {
		return nil, fmt.Errorf("list work items leased under %s: %w", token, err)
	}
	return out, nil
}

// WorkItemDelete implements store.Queries.
func (q *queries) WorkItemDelete(ctx context.Context, id, leaseToken string) error {
	return q.leaseGuarded(ctx, "delete", id, leaseToken,
		`DELETE FROM work_items WHERE id = ? AND coalesce(lease_token, '') = ?`, id, leaseToken)
}

// WorkItemRelease implements store.Queries.
func (q *queries) WorkItemRelease(ctx context.Context, id, leaseToken string) error {
	return q.leaseGuarded(ctx, "release", id, leaseToken,
		`UPDATE work_items
		SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, claims = max(claims - 1, 0)
		WHERE id = ? AND lease_token = ?`, id, leaseToken)
}

// WorkItemExpiredMany implements store.Queries. SQLite's single writer
// already keeps two rescuers apart.
func (q *queries) WorkItemExpiredMany(ctx context.Context, p store.WorkItemExpiredParams) ([]*store.WorkItem, error) {
	if p.Limit <= 0 {
		return nil, fmt.Errorf("list expired work items: limit %d must be positive", p.Limit)
	}
	out, err := queryAll(ctx, q.w, scanWorkItem, `SELECT `+workItemColumns+` FROM work_items
		WHERE lease_expires_at IS NOT NULL AND lease_expires_at <= ?
		ORDER BY lease_expires_at, id LIMIT ?`, micros(p.Now), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("list expired work items: %w", err)
	}
	return out, nil
}

// WorkItemRequeue implements store.Queries.
func (q *queries) WorkItemRequeue(ctx context.Context, id, leaseToken string) error {
	return q.leaseGuarded(ctx, "requeue", id, leaseToken,
		`UPDATE work_items SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
		WHERE id = ? AND lease_token = ?`, id, leaseToken)
}

// leaseGuarded runs a statement guarded by a lease token; no row changed
// means the lease is no longer the caller's.
func (q *queries) leaseGuarded(ctx context.Context, verb, id, token, stmt string, args ...any) error {
	n, err := affected(q.w.ExecContext(ctx, stmt, args...))
	if err == nil && n == 0 {
		err = store.ErrStale
	}
	if err != nil {
		return fmt.Errorf("%s work item %s under lease %s: %w", verb, id, token, err)
	}
	return nil
}
