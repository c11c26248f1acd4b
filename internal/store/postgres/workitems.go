package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bora-workflow/bora/internal/id"

	"github.com/bora-workflow/bora/internal/store"
)

const workItemColumns = `id, action_execution_id, execution_id, target, payload, available_at, attempt,
	claims, lease_owner, lease_token, lease_expires_at, created_at`

func scanWorkItem(s scanner) (*store.WorkItem, error) {
	var w store.WorkItem
	var available, created time.Time
	var owner, token *string
	var expires *time.Time
	if err := s.Scan(&w.ID, &w.ActionExecutionID, &w.ExecutionID, &w.Target, &w.Payload, &available,
		&w.Attempt, &w.Claims, &owner, &token, &expires, &created); err != nil {
		return nil, err
	}
	w.AvailableAt, w.CreatedAt = available.UTC(), created.UTC()
	w.LeaseOwner, w.LeaseToken = deref(owner), deref(token)
	w.LeaseExpiresAt = utcPtr(expires)
	return &w, nil
}

// WorkItemInsert implements store.Queries.
func (q *queries) WorkItemInsert(ctx context.Context, w *store.WorkItem) error {
	if q.notify != nil {
		q.notify.work = true
	}
	w.CreatedAt = stamp(w.CreatedAt)
	if w.AvailableAt.IsZero() {
		w.AvailableAt = w.CreatedAt
	}
	w.AvailableAt = stamp(w.AvailableAt)
	w.LeaseExpiresAt = stampPtr(w.LeaseExpiresAt)
	_, err := q.db.Exec(ctx, `INSERT INTO work_items (`+workItemColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		w.ID, w.ActionExecutionID, w.ExecutionID, w.Target, w.Payload, w.AvailableAt, w.Attempt, w.Claims,
		nullString(w.LeaseOwner), nullString(w.LeaseToken), w.LeaseExpiresAt, w.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert work item %s: %w", w.ID, mapErr(err))
	}
	return nil
}

// WorkItemClaimMany implements store.Queries. The inner SELECT locks the
// chosen rows and skips those another claimer holds, so concurrent
// executors lease disjoint items without waiting. One token is drawn per
// claim: it is fresh for every item claimed, which is all the guards need.
func (q *queries) WorkItemClaimMany(ctx context.Context, p store.WorkItemClaimParams) ([]*store.WorkItem, error) {
	if p.Limit <= 0 {
		return nil, fmt.Errorf("claim work items: limit %d must be positive", p.Limit)
	}
	out, err := queryAll(ctx, q.db, scanWorkItem, `UPDATE work_items
		SET lease_owner = $1, lease_token = $2, lease_expires_at = $3, claims = claims + 1
		WHERE id IN (SELECT id FROM work_items
			WHERE target = ANY($4) AND available_at <= $5 AND lease_expires_at IS NULL
			ORDER BY available_at, id LIMIT $6
			FOR UPDATE SKIP LOCKED)
		RETURNING `+workItemColumns,
		p.Owner, cmp.Or(p.Token, id.New()), micro(p.Now.Add(p.Lease)), p.Queues(), micro(p.Now), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("claim work items of targets %q for %s: %w", p.Queues(), p.Owner, err)
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
		`UPDATE work_items SET lease_expires_at = $1 WHERE id = $2 AND lease_token = $3`,
		micro(p.Now.Add(p.Lease)), p.ID, p.LeaseToken)
}

// WorkItemListByLease implements store.Queries.
func (q *queries) WorkItemListByLease(ctx context.Context, token string) ([]*store.WorkItem, error) {
	out, err := queryAll(ctx, q.db, scanWorkItem, `SELECT `+workItemColumns+` FROM work_items
		WHERE lease_token = $1 ORDER BY available_at, id`, token)
	if err != nil {
		return nil, fmt.Errorf("list work items leased under %s: %w", token, err)
	}
	return out, nil
}

// WorkItemDelete implements store.Queries.
func (q *queries) WorkItemDelete(ctx context.Context, id, leaseToken string) error {
	return q.leaseGuarded(ctx, "delete", id, leaseToken,
		`DELETE FROM work_items WHERE id = $1 AND coalesce(lease_token, '') = $2`, id, leaseToken)
}

// WorkItemRelease implements store.Queries.
func (q *queries) WorkItemRelease(ctx context.Context, id, leaseToken string) error {
	return q.leaseGuarded(ctx, "release", id, leaseToken,
		`UPDATE work_items
		SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, claims = greatest(claims - 1, 0)
		WHERE id = $1 AND lease_token = $2`, id, leaseToken)
}

// WorkItemExpiredMany implements store.Queries. SKIP LOCKED keeps two
// rescuers from taking the same item.
func (q *queries) WorkItemExpiredMany(ctx context.Context, p store.WorkItemExpiredParams) ([]*store.WorkItem, error) {
	if p.Limit <= 0 {
		return nil, fmt.Errorf("list expired work items: limit %d must be positive", p.Limit)
	}
	out, err := queryAll(ctx, q.db, scanWorkItem, `SELECT `+workItemColumns+` FROM work_items
		WHERE lease_expires_at IS NOT NULL AND lease_expires_at <= $1
		ORDER BY lease_expires_at, id LIMIT $2
		FOR UPDATE SKIP LOCKED`, micro(p.Now), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("list expired work items: %w", err)
	}
	return out, nil
}

// WorkItemRequeue implements store.Queries.
func (q *queries) WorkItemRequeue(ctx context.Context, id, leaseToken string) error {
	return q.leaseGuarded(ctx, "requeue", id, leaseToken,
		`UPDATE work_items SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
		WHERE id = $1 AND lease_token = $2`, id, leaseToken)
}

// leaseGuarded runs a statement guarded by a lease token; no row changed
// means the lease is no longer the caller's.
func (q *queries) leaseGuarded(ctx context.Context, verb, id, token, stmt string, args ...any) error {
	n, err := affected(q.db.Exec(ctx, stmt, args...))
	if err == nil && n == 0 {
		err = store.ErrStale
	}
	if err != nil {
		return fmt.Errorf("%s work item %s under lease %s: %w", verb, id, token, err)
	}
	return nil
}
