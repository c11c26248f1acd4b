package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

const taskColumns = `id, execution_id, root_execution_id, name, type, workflow_name, workflow_id,
	workflow_namespace, project_id, state, state_info, in_context, result, published, processed,
	runtime, version, created_at, updated_at, started_at, finished_at`

var taskList = listSpec{
	table:      "task_executions",
	columns:    taskColumns,
	defaultKey: "seq", // creation order
	tiebreak:   "seq",
	sortable: columnSet("id", "execution_id", "name", "type", "workflow_name", "workflow_id",
		"workflow_namespace", "project_id", "state", "created_at", "updated_at"),
	namespace: "workflow_namespace",
}

func scanTask(s scanner) (*workflow.Task, error) {
	var t workflow.Task
	var runtime string
	var stateInfo, inContext, result, published sql.NullString
	var created, updated int64
	var started, finished sql.NullInt64
	if err := s.Scan(&t.ID, &t.ExecutionID, &t.RootExecutionID, &t.Name, &t.Type, &t.WorkflowName, &t.WorkflowID,
		&t.WorkflowNamespace, &t.ProjectID, &t.State, &stateInfo, &inContext, &result, &published, &t.Processed,
		&runtime, &t.Version, &created, &updated, &started, &finished); err != nil {
		return nil, err
	}
	var dec decoder
	t.StateInfo = stateInfo.String
	t.InContext = dec.mapValue("in_context", inContext)
	t.Result = dec.value("result", result)
	t.Published = dec.mapValue("published", published)
	dec.json("runtime", runtime, &t.Runtime)
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	t.StartedAt, t.FinishedAt = fromMicrosPtr(started), fromMicrosPtr(finished)
	if dec.err != nil {
		return nil, fmt.Errorf("task execution %s: %w", t.ID, dec.err)
	}
	return &t, nil
}

// TaskInsert implements store.Queries.
func (q *queries) TaskInsert(ctx context.Context, t *workflow.Task) error {
	t.CreatedAt, t.UpdatedAt = stamp(t.CreatedAt), stamp(t.UpdatedAt)
	t.StartedAt, t.FinishedAt = stampPtr(t.StartedAt), stampPtr(t.FinishedAt)
	var enc encoder
	args := []any{t.ID, t.ExecutionID, t.RootExecutionID, t.Name, t.Type, t.WorkflowName, t.WorkflowID,
		t.WorkflowNamespace, t.ProjectID, string(t.State), nullString(t.StateInfo), enc.mapValue(t.InContext),
		enc.value(t.Result), enc.mapValue(t.Published), t.Processed, enc.json(t.Runtime), t.Version,
		micros(t.CreatedAt), micros(t.UpdatedAt), microsPtr(t.StartedAt), microsPtr(t.FinishedAt)}
	if enc.err != nil {
		return fmt.Errorf("insert task execution %s: %w", t.ID, enc.err)
	}
	_, err := q.w.ExecContext(ctx, `INSERT INTO task_executions (`+taskColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return fmt.Errorf("insert task execution %s: %w", t.ID, mapErr(err))
	}
	return nil
}

// TaskGet implements store.Queries.
func (q *queries) TaskGet(ctx context.Context, id string) (*workflow.Task, error) {
	t, err := scanTask(q.r.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM task_executions WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("get task execution %s: %w", id, mapErr(err))
	}
	return t, nil
}

// TaskGetByName implements store.Queries.
func (q *queries) TaskGetByName(ctx context.Context, p store.TaskGetByNameParams) (*workflow.Task, error) {
	// "?3 = ''" keeps one statement (and one plan) for both forms.
	t, err := scanTask(q.r.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM task_executions
		WHERE execution_id = ?1 AND name = ?2 AND (?3 = '' OR state = ?3)
		ORDER BY seq DESC LIMIT 1`, p.ExecutionID, p.Name, string(p.State)))
	if err != nil {
		return nil, fmt.Errorf("get task execution %s of execution %s: %w", p.Name, p.ExecutionID, mapErr(err))
	}
	return t, nil
}

// TaskUpdate implements store.Queries.
func (q *queries) TaskUpdate(ctx context.Context, t *workflow.Task) error {
	t.UpdatedAt = stamp(t.UpdatedAt)
	t.StartedAt, t.FinishedAt = stampPtr(t.StartedAt), stampPtr(t.FinishedAt)
	var enc encoder
	args := []any{string(t.State), nullString(t.StateInfo), enc.mapValue(t.InContext), enc.value(t.Result),
		enc.mapValue(t.Published), t.Processed, enc.json(t.Runtime), micros(t.UpdatedAt),
		microsPtr(t.StartedAt), microsPtr(t.FinishedAt), t.ID, t.Version}
	if enc.err != nil {
		return fmt.Errorf("update task execution %s: %w", t.ID, enc.err)
	}
	n, err := affected(q.w.ExecContext(ctx, `UPDATE task_executions
		SET state = ?, state_info = ?, in_context = ?, result = ?, published = ?, processed = ?,
			runtime = ?, updated_at = ?, started_at = ?, finished_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, args...))
	if err == nil && n == 0 {
		err = q.staleOrMissing(ctx, "task_executions", t.ID)
	}
	if err != nil {
		return fmt.Errorf("update task execution %s at version %d: %w", t.ID, t.Version, err)
	}
	t.Version++
	return nil
}

// TaskList implements store.Queries.
func (q *queries) TaskList(ctx context.Context, p store.TaskListParams) ([]*workflow.Task, error) {
	out, err := list(ctx, q.r, taskList, scanTask, p.ListParams,
		filter{column: "execution_id", value: p.ExecutionID},
		filter{column: "state", value: string(p.State)},
		filter{column: "name", value: p.Name})
	if err != nil {
		return nil, fmt.Errorf("list task executions: %w", err)
	}
	return out, nil
}
