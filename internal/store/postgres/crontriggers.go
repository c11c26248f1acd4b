package postgres

import (
	"context"
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
	var first *time.Time
	var next, created, updated time.Time
	var remaining *int32
	if err := s.Scan(&t.ID, &t.Name, &t.WorkflowName, &t.WorkflowID, &t.WorkflowNamespace, &input,
		&params, &t.Pattern, &first, &next, &remaining, &t.Scope, &t.ProjectID, &created, &updated); err != nil {
		return nil, err
	}
	var dec decoder
	t.WorkflowInput = dec.mapValue("workflow_input", &input)
	t.WorkflowParams = dec.mapValue("workflow_params", &params)
	t.FirstExecutionTime = utcPtr(first)
	t.NextExecutionTime = next.UTC()
	if remaining != nil {
		n := int(*remaining)
		t.RemainingExecutions = &n
	}
	t.CreatedAt, t.UpdatedAt = created.UTC(), updated.UTC()
	return &t, dec.err
}

func intPtr(n *int) *int32 {
	if n == nil {
		return nil
	}
	v := int32(*n)
	return &v
}

// CronTriggerCreate implements store.Queries.
func (q *queries) CronTriggerCreate(ctx context.Context, t *store.CronTrigger) error {
	if t.ID == "" {
		t.ID = id.New()
	}
	fillCronTrigger(t)
	var enc encoder
	input, params := variablesText(&enc, t.WorkflowInput), variablesText(&enc, t.WorkflowParams)
	if enc.err != nil {
		return fmt.Errorf("create cron trigger %s: %w", t.Name, enc.err)
	}
	_, err := q.db.Exec(ctx, `INSERT INTO cron_triggers (`+cronTriggerColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		t.ID, t.Name, t.WorkflowName, t.WorkflowID, t.WorkflowNamespace, input, params, t.Pattern,
		t.FirstExecutionTime, t.NextExecutionTime, intPtr(t.RemainingExecutions),
		t.Scope, t.ProjectID, t.CreatedAt, t.UpdatedAt)
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
	t.NextExecutionTime = micro(t.NextExecutionTime)
	t.CreatedAt, t.UpdatedAt = stamp(t.CreatedAt), stamp(t.UpdatedAt)
}

// CronTriggerGet implements store.Queries; a name match wins over an id match.
func (q *queries) CronTriggerGet(ctx context.Context, nameOrID string) (*store.CronTrigger, error) {
	row := q.db.QueryRow(ctx, `SELECT `+cronTriggerColumns+` FROM cron_triggers
		WHERE name = $1 OR id = $2 ORDER BY name = $3 DESC LIMIT 1`, nameOrID, nameOrID, nameOrID)
	t, err := scanCronTrigger(row)
	if err != nil {
		return nil, fmt.Errorf("get cron trigger %s: %w", nameOrID, mapErr(err))
	}
	return t, nil
}

// CronTriggerList implements store.Queries.
func (q *queries) CronTriggerList(ctx context.Context, p store.ListParams) ([]*store.CronTrigger, error) {
	out, err := list(ctx, q.db, cronTriggerList, scanCronTrigger, p)
	if err != nil {
		return nil, fmt.Errorf("list cron triggers: %w", err)
	}
	return out, nil
}

// CronTriggerDelete implements store.Queries.
func (q *queries) CronTriggerDelete(ctx context.Context, nameOrID string) error {
	n, err := affected(q.db.Exec(ctx, `DELETE FROM cron_triggers WHERE name = $1 OR id = $2`, nameOrID, nameOrID))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete cron trigger %s: %w", nameOrID, err)
	}
	return nil
}

// CronTriggerClaimDue implements store.Queries. The row locks are the
// claim; other engines skip the rows rather than wait for them.
func (q *queries) CronTriggerClaimDue(ctx context.Context, p store.CronTriggerClaimParams) ([]*store.CronTrigger, error) {
	if p.Limit <= 0 {
		return nil, fmt.Errorf("claim cron triggers: limit %d must be positive", p.Limit)
	}
	out, err := queryAll(ctx, q.db, scanCronTrigger, `SELECT `+cronTriggerColumns+` FROM cron_triggers
		WHERE next_execution_time <= $1 ORDER BY next_execution_time, id LIMIT $2
		FOR UPDATE SKIP LOCKED`, micro(p.Now), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("claim cron triggers due at %s: %w", p.Now.UTC().Format(time.RFC3339Nano), err)
	}
	return out, nil
}

// CronTriggerAdvance implements store.Queries.
func (q *queries) CronTriggerAdvance(ctx context.Context, p store.CronTriggerAdvanceParams) error {
	n, err := affected(q.db.Exec(ctx, `UPDATE cron_triggers
		SET next_execution_time = $1, remaining_executions = $2, updated_at = $3
		WHERE id = $4 AND next_execution_time = $5`,
		stamp(p.Next), intPtr(p.RemainingExecutions), stamp(p.UpdatedAt), p.ID, micro(p.Prev)))
	if err == nil && n == 0 {
		err = q.staleOrMissing(ctx, "cron_triggers", p.ID)
	}
	if err != nil {
		return fmt.Errorf("advance cron trigger %s: %w", p.ID, err)
	}
	return nil
}
