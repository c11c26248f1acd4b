package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

const actionColumns = `id, task_execution_id, execution_id, root_execution_id, workflow_name,
	workflow_namespace, task_name, name, description, project_id, state, state_info, input, result,
	accepted, async, target, safe_rerun, attempt, item_index, version, created_at, updated_at, last_heartbeat,
	superseded`

var actionList = listSpec{
	table:      "action_executions",
	columns:    actionColumns,
	defaultKey: "created_at",
	tiebreak:   "id",
	sortable: columnSet("id", "task_execution_id", "execution_id", "workflow_name", "workflow_namespace",
		"task_name", "name", "description", "project_id", "state", "created_at", "updated_at"),
	namespace: "workflow_namespace",
}

func scanAction(s scanner) (*workflow.ActionExecution, error) {
	var a workflow.ActionExecution
	var stateInfo, input, result sql.NullString
	var created, updated int64
	var heartbeat sql.NullInt64
	if err := s.Scan(&a.ID, &a.TaskExecutionID, &a.ExecutionID, &a.RootExecutionID, &a.WorkflowName,
		&a.WorkflowNamespace, &a.TaskName, &a.Name, &a.Description, &a.ProjectID, &a.State, &stateInfo,
		&input, &result, &a.Accepted, &a.Async, &a.Target, &a.SafeRerun, &a.Attempt, &a.Index, &a.Version,
		&created, &updated, &heartbeat, &a.Superseded); err != nil {
		return nil, err
	}
	var dec decoder
	a.StateInfo = stateInfo.String
	a.Input = dec.mapValue("input", input)
	a.Result = dec.value("result", result)
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	a.LastHeartbeat = fromMicrosPtr(heartbeat)
	if dec.err != nil {
		return nil, fmt.Errorf("action execution %s: %w", a.ID, dec.err)
	}
	return &a, nil
}

// ActionExecutionInsert implements store.Queries.
func (q *queries) ActionExecutionInsert(ctx context.Context, a *workflow.ActionExecution) error {
	a.CreatedAt, a.UpdatedAt = stamp(a.CreatedAt), stamp(a.UpdatedAt)
	a.LastHeartbeat = stampPtr(a.LastHeartbeat)
	var enc encoder
	args := []any{a.ID, a.TaskExecutionID, a.ExecutionID, a.RootExecutionID, a.WorkflowName,
		a.WorkflowNamespace, a.TaskName, a.Name, a.Description, a.ProjectID, string(a.State),
		nullString(a.StateInfo), enc.mapValue(a.Input), enc.value(a.Result), a.Accepted, a.Async, a.Target,
		a.SafeRerun, a.Attempt, a.Index, a.Version, micros(a.CreatedAt), micros(a.UpdatedAt), microsPtr(a.LastHeartbeat),
		a.Superseded}
	if enc.err != nil {
		return fmt.Errorf("insert action execution %s: %w", a.ID, enc.err)
	}
	_, err := q.w.ExecContext(ctx, `INSERT INTO action_executions (`+actionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return fmt.Errorf("insert action execution %s: %w", a.ID, mapErr(err))
	}
	return nil
}

// ActionExecutionGet implements store.Queries.
func (q *queries) ActionExecutionGet(ctx context.Context, id string) (*workflow.ActionExecution, error) {
	a, err := scanAction(q.r.QueryRowContext(ctx, `SELECT `+actionColumns+` FROM action_executions WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("get action execution %s: %w", id, mapErr(err))
	}
	return a, nil
}

// ActionExecutionUpdate implements store.Queries.
func (q *queries) ActionExecutionUpdate(ctx context.Context, a *workflow.ActionExecution) error {
	a.UpdatedAt = stamp(a.UpdatedAt)
	a.LastHeartbeat = stampPtr(a.LastHeartbeat)
	var enc encoder
	args := []any{a.Description, string(a.State), nullString(a.StateInfo), enc.mapValue(a.Input),
		enc.value(a.Result), a.Accepted, a.Async, a.Target, a.SafeRerun, a.Attempt, micros(a.UpdatedAt),
		microsPtr(a.LastHeartbeat), a.Superseded, a.ID, a.Version}
	if enc.err != nil {
		return fmt.Errorf("update action execution %s: %w", a.ID, enc.err)
	}
	n, err := affected(q.w.ExecContext(ctx, `UPDATE action_executions
		SET description = ?, state = ?, state_info = ?, input = ?, result = ?, accepted = ?, async = ?,
			target = ?, safe_rerun = ?, attempt = ?, updated_at = ?, last_heartbeat = ?, superseded = ?,
			version = version + 1
		WHERE id = ? AND version = ?`, args...))
	if err == nil && n == 0 {
		err = q.staleOrMissing(ctx, "action_executions", a.ID)
	}
	if err != nil {
		return fmt.Errorf("update action execution %s at version %d: %w", a.ID, a.Version, err)
	}
	a.Version++
	return nil
}

// ActionExecutionList implements store.Queries.
func (q *queries) ActionExecutionList(ctx context.Context, p store.ActionExecutionListParams) ([]*workflow.ActionExecution, error) {
	out, err := list(ctx, q.r, actionList, scanAction, p.ListParams,
		filter{column: "task_execution_id", value: p.TaskExecutionID},
		filter{column: "execution_id", value: p.ExecutionID},
		filter{column: "state", value: string(p.State)})
	if err != nil {
		return nil, fmt.Errorf("list action executions: %w", err)
	}
	return out, nil
}
