package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/value"
)

const cronTriggerColumns = `id, name, workflow_name, workflow_id, workflow_namespace, workflow_input,
	workflow_params, pattern, first_execution_time, next_execution_time, remaining_executions,
	scope, project_id, created_at, updated_at`

var cronTriggerList = listSpec{
	table:      "cron_triggers",
	columns:    cronTriggerColumns,
	defaultKey: "created_at",
	tiebreak:   "id",
	sortable: columnSet("id", "name", "workflow_name", "workflow_id", "pattern", "scope", "project_id",
		"first_execution_time", "next_execution_time", "remaining_executions", "created_at", "updated_at"),
}

func scanCronTrigger(s scanner) (*store.CronTrigger, error) {
	var t store.CronTrigger
	var input, params string
	var first sql.NullInt64
	var next, created, updated int64
	var remaining sql.NullInt64
	if err := s.Scan(&t.ID, &t.Name, &t.WorkflowName, &t.WorkflowID, &t.WorkflowNamespace, &input,
		&params, &t.Pattern, &first, &next, &remaining, &t.Scope, &t.ProjectID, &created, &updated); err != nil {
		return nil, err
	}
	var dec decoder
	t.WorkflowInput = dec.mapValue("workflow_input", sql.NullString{String: input, Valid: true})
	t.WorkflowParams = dec.mapValue("workflow_params", sql.NullString{String: params, Valid: true})
	t.FirstExecutionTime = fromMicrosPtr(first)
	t.NextExecutionTime = fromMicros(next)
	if remaining.Valid {
		n := int(remaining.Int64)
		t.RemainingExecutions = &n
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &t, dec.err
}

func intPtr(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}

// CronTriggerCreate implements store.Queries.
func (q *queries) CronTriggerCreate(ctx context.Context, t *store.CronTrigger) error {
	if t.ID == "" {
		t.ID = id.New()
	}
	var enc encoder
	input, params := variablesText(&enc, t.WorkflowInput), variablesText(&enc, t.WorkflowParams)
	if enc.err != nil {
		return fmt.Errorf("create cron trigger %s: %w", t.Name, enc.err)
	}
	fillCronTrigger(t)
	_, err := q.w.ExecContext(ctx, `INSERT INTO cron_triggers (`+cronTriggerColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Name, t.WorkflowName, t.WorkflowID, t.WorkflowNamespace, input, params, t.Pattern,
		microsPtr(t.FirstExecutionTime), micros(t.NextExecutionTime), intPtr(t.RemainingExecutions),
		t.Scope, t.ProjectID, micros(t.CreatedAt), micros(t.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create cron trigger %s: %w", t.Name, mapErr(err))
	}
	return nil
}

// fillCronTrigger normalises what a create stores, so the struct equals a later read.
func fillCronTrigger(t *store.CronTrigger) {
	if t.WorkflowInput == nil {
		t.WorkflowInput = value.NewMap(0)
	}
	if t.WorkflowParams == nil {
		t.WorkflowParams = value.NewMap(0)
	}
	t.FirstExecutionTime = stampPtr(t.FirstExecutionTime)
	t.NextExecutionTime = t.NextExecutionTime.UTC().Truncate(time.Microsecond)
	t.CreatedAt, t.UpdatedAt = stamp(t.CreatedAt), stamp(t.UpdatedAt)
}

// CronTriggerGet implements store.Queries; a name match wins over an id match.
func (q *queries) CronTriggerGet(ctx context.Context, nameOrID string) (*store.CronTrigger, error) {
	row := q.r.QueryRowContext(ctx, `SELECT `+cronTriggerColumns+` FROM cron_triggers
		WHERE name = ? OR id = ? ORDER BY name = ? DESC LIMIT 1`, nameOrID, nameOrID, nameOrID)
	t, err := scanCronTrigger(row)
	if err != nil {
		return nil, fmt.Errorf("get cron trigger %s: %w", nameOrID, mapErr(err))
	}
	return t, nil
}

// CronTriggerList implements store.Queries.
func (q *queries) CronTriggerList(ctx context.Context, p store.ListParams) ([]*store.CronTrigger, error) {
	out, err := list(ctx, q.r, cronTriggerList, scanCronTrigger, p)
	if err != nil {
		return nil, fmt.Errorf("list cron triggers: %w", err)
	}
	return out, nil
}

// CronTriggerDelete implements store.Queries.
func (q *queries) CronTriggerDelete(ctx context.Context, nameOrID string) error {
	n, err := affected(q.w.ExecContext(ctx, `DELETE FROM cron_triggers WHERE name = ? OR id = ?`, nameOrID, nameOrID))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete cron trigger %s: %w", nameOrID, err)
	}
	return nil
}

// CronTriggerClaimDue implements store.Queries. As for events, the
// transaction holds the one write lock: no row locks are needed.
func (q *queries) CronTriggerClaimDue(ctx context.Context, p store.CronTriggerClaimParams) ([]*store.CronTrigger, error) {
	if p.Limit <= 0 {
		return nil, fmt.Errorf("claim cron triggers: limit %d must be positive", p.Limit)
	}
	out, err := queryAll(ctx, q.w, scanCronTrigger, `SELECT `+cronTriggerColumns+` FROM cron_triggers
		WHERE next_execution_time <= ? ORDER BY next_execution_time, id LIMIT ?`, micros(p.Now), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("claim cron triggers due at %s: %w", p.Now.UTC().Format(time.RFC3339Nano), err)
	}
	return out, nil
}

// CronTriggerAdvance implements store.Queries.
func (q *queries) CronTriggerAdvance(ctx context.Context, p store.CronTriggerAdvanceParams) error {
	n, err := affected(q.w.ExecContext(ctx, `UPDATE cron_triggers
		SET next_execution_time = ?, remaining_executions = ?, updated_at = ?
		WHERE id = ? AND next_execution_time = ?`,
		micros(stamp(p.Next)), intPtr(p.RemainingExecutions), micros(stamp(p.UpdatedAt)), p.ID, micros(stamp(p.Prev))))
	if err == nil && n == 0 {
		err = q.staleOrMissing(ctx, "cron_triggers", p.ID)
	}
	if err != nil {
		return fmt.Errorf("advance cron trigger %s: %w", p.ID, err)
	}
	return nil
}
