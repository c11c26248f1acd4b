package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/workflow"
)

const executionColumns = `id, workflow_id, workflow_name, workflow_namespace, description, tags,
	project_id, state, state_info, input, params, output, context, spec, task_execution_id,
	root_execution_id, runtime, version, created_at, updated_at`

var executionList = listSpec{
	table:      "executions",
	columns:    executionColumns,
	defaultKey: "created_at",
	tiebreak:   "id",
	sortable: columnSet("id", "workflow_id", "workflow_name", "workflow_namespace", "description",
		"project_id", "state", "task_execution_id", "root_execution_id", "created_at", "updated_at"),
	namespace: "workflow_namespace",
}

func scanExecution(s scanner) (*workflow.Execution, error) {
	var ex workflow.Execution
	var tags, runtime string
	var stateInfo, input, params, output, dataContext sql.NullString
	var created, updated int64
	if err := s.Scan(&ex.ID, &ex.WorkflowID, &ex.WorkflowName, &ex.WorkflowNamespace, &ex.Description, &tags,
		&ex.ProjectID, &ex.State, &stateInfo, &input, &params, &output, &dataContext, &ex.Spec, &ex.TaskExecutionID,
		&ex.RootExecutionID, &runtime, &ex.Version, &created, &updated); err != nil {
		return nil, err
	}
	var dec decoder
	ex.Tags = dec.tags(tags)
	ex.StateInfo = stateInfo.String
	ex.Input = dec.mapValue("input", input)
	ex.Params = dec.mapValue("params", params)
	ex.Output = dec.value("output", output)
	ex.Context = dec.mapValue("context", dataContext)
	dec.json("runtime", runtime, &ex.Runtime)
	ex.CreatedAt, ex.UpdatedAt = fromMicros(created), fromMicros(updated)
	if dec.err != nil {
		return nil, fmt.Errorf("execution %s: %w", ex.ID, dec.err)
	}
	return &ex, nil
}

// ExecutionInsert implements store.Queries.
func (q *queries) ExecutionInsert(ctx context.Context, ex *workflow.Execution) error {
	ex.CreatedAt, ex.UpdatedAt = stamp(ex.CreatedAt), stamp(ex.UpdatedAt)
	var enc encoder
	args := []any{ex.ID, ex.WorkflowID, ex.WorkflowName, ex.WorkflowNamespace, ex.Description, enc.tags(ex.Tags),
		ex.ProjectID, string(ex.State), nullString(ex.StateInfo), enc.mapValue(ex.Input), enc.mapValue(ex.Params),
		enc.value(ex.Output), enc.mapValue(ex.Context), ex.Spec, ex.TaskExecutionID, ex.RootExecutionID,
		enc.json(ex.Runtime), ex.Version, micros(ex.CreatedAt), micros(ex.UpdatedAt)}
	if enc.err != nil {
		return fmt.Errorf("insert execution %s: %w", ex.ID, enc.err)
	}
	_, err := q.w.ExecContext(ctx, `INSERT INTO executions (`+executionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return fmt.Errorf("insert execution %s: %w", ex.ID, mapErr(err))
	}
	return nil
}

// ExecutionGet implements store.Queries.
func (q *queries) ExecutionGet(ctx context.Context, id string) (*workflow.Execution, error) {
	ex, err := scanExecution(q.r.QueryRowContext(ctx, `SELECT `+executionColumns+` FROM executions WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("get execution %s: %w", id, mapErr(err))
	}
	return ex, nil
}

// ExecutionLock implements store.Queries. The transaction already holds
// SQLite's one write lock, so there is nothing more to take.
func (q *queries) ExecutionLock(ctx context.Context, id string) error {
	var one int
	if err := q.w.QueryRowContext(ctx, `SELECT 1 FROM executions WHERE id = ?`, id).Scan(&one); err != nil {
		return fmt.Errorf("lock execution %s: %w", id, mapErr(err))
	}
	return nil
}

// ExecutionUpdate implements store.Queries.
func (q *queries) ExecutionUpdate(ctx context.Context, ex *workflow.Execution) error {
	ex.UpdatedAt = stamp(ex.UpdatedAt)
	var enc encoder
	args := []any{ex.Description, enc.tags(ex.Tags), string(ex.State), nullString(ex.StateInfo),
		enc.mapValue(ex.Input), enc.mapValue(ex.Params), enc.value(ex.Output), enc.mapValue(ex.Context),
		enc.json(ex.Runtime), micros(ex.UpdatedAt), ex.ID, ex.Version}
	if enc.err != nil {
		return fmt.Errorf("update execution %s: %w", ex.ID, enc.err)
	}
	n, err := affected(q.w.ExecContext(ctx, `UPDATE executions
		SET description = ?, tags = ?, state = ?, state_info = ?, input = ?, params = ?, output = ?,
			context = ?, runtime = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, args...))
	if err == nil && n == 0 {
		err = q.staleOrMissing(ctx, "executions", ex.ID)
	}
	if err != nil {
		return fmt.Errorf("update execution %s at version %d: %w", ex.ID, ex.Version, err)
	}
	ex.Version++
	return nil
}

// staleOrMissing explains a guarded update that changed no row.
func (q *queries) staleOrMissing(ctx context.Context, table, id string) error {
	var one int
	err := q.w.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&one)
	if err != nil {
		return mapErr(err)
	}
	return store.ErrStale
}

// ExecutionList implements store.Queries.
func (q *queries) ExecutionList(ctx context.Context, p store.ExecutionListParams) ([]*workflow.Execution, error) {
	out, err := list(ctx, q.r, executionList, scanExecution, p.ListParams,
		filter{column: "workflow_name", value: p.WorkflowName},
		filter{column: "state", value: string(p.State)},
		filter{column: "task_execution_id", value: p.TaskExecutionID},
		filter{column: "root_execution_id", value: p.RootExecutionID})
	if err != nil {
		return nil, fmt.Errorf("list executions: %w", err)
	}
	return out, nil
}

// executionDeletes remove an execution tree's rows: first the dependants
// of the execution and of every execution whose root it is, then those
// executions. Each statement takes the id once as ?1.
var executionDeletes = []string{
	`DELETE FROM task_executions WHERE execution_id = ?1 OR execution_id IN (SELECT id FROM executions WHERE root_execution_id = ?1)`,
	`DELETE FROM action_executions WHERE execution_id = ?1 OR execution_id IN (SELECT id FROM executions WHERE root_execution_id = ?1)`,
	`DELETE FROM events WHERE execution_id = ?1 OR execution_id IN (SELECT id FROM executions WHERE root_execution_id = ?1)`,
	`DELETE FROM work_items WHERE execution_id = ?1 OR execution_id IN (SELECT id FROM executions WHERE root_execution_id = ?1)`,
	`DELETE FROM executions WHERE root_execution_id = ?1`,
}

// ExecutionDelete implements store.Queries. It must run in a transaction;
// Store wraps it in one.
func (q *queries) ExecutionDelete(ctx context.Context, id string) error {
	if err := q.ExecutionLock(ctx, id); err != nil {
		return fmt.Errorf("delete execution %s: %w", id, err)
	}
	for _, stmt := range executionDeletes {
		if _, err := q.w.ExecContext(ctx, stmt, id); err != nil {
			return fmt.Errorf("delete execution %s: %w", id, mapErr(err))
		}
	}
	if _, err := q.w.ExecContext(ctx, `DELETE FROM executions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete execution %s: %w", id, mapErr(err))
	}
	return nil
}
