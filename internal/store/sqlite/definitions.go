package sqlite

import (
	"context"
	"fmt"

	"github.com/bora-workflow/bora/internal/id"

	"github.com/bora-workflow/bora/internal/store"
)

const definitionColumns = `id, name, namespace, definition, tags, scope, project_id, workbook_name, created_at, updated_at`

var definitionList = listSpec{
	table:      "workflow_definitions",
	columns:    definitionColumns,
	defaultKey: "created_at",
	tiebreak:   "id",
	sortable:   columnSet("id", "name", "namespace", "scope", "project_id", "created_at", "updated_at"),
	namespace:  "namespace",
}

func scanDefinition(s scanner) (*store.WorkflowDefinition, error) {
	var d store.WorkflowDefinition
	var tags string
	var created, updated int64
	if err := s.Scan(&d.ID, &d.Name, &d.Namespace, &d.Definition, &tags, &d.Scope, &d.ProjectID, &d.WorkbookName, &created, &updated); err != nil {
		return nil, err
	}
	var dec decoder
	d.Tags = dec.tags(tags)
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &d, dec.err
}

// WorkflowDefinitionCreate implements store.Queries.
func (q *queries) WorkflowDefinitionCreate(ctx context.Context, def *store.WorkflowDefinition) error {
	if def.ID == "" {
		def.ID = id.New()
	}
	def.CreatedAt, def.UpdatedAt = stamp(def.CreatedAt), stamp(def.UpdatedAt)
	var enc encoder
	tags := enc.tags(def.Tags)
	if enc.err != nil {
		return fmt.Errorf("create workflow definition %s: %w", def.Name, enc.err)
	}
	_, err := q.w.ExecContext(ctx, `INSERT INTO workflow_definitions (`+definitionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		def.ID, def.Name, def.Namespace, def.Definition, tags, def.Scope, def.ProjectID, def.WorkbookName,
		micros(def.CreatedAt), micros(def.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create workflow definition %s (namespace %q): %w", def.Name, def.Namespace, mapErr(err))
	}
	return nil
}

// WorkflowDefinitionGet implements store.Queries; an id match wins over a name match.
func (q *queries) WorkflowDefinitionGet(ctx context.Context, idOrName, namespace string) (*store.WorkflowDefinition, error) {
	row := q.r.QueryRowContext(ctx, `SELECT `+definitionColumns+` FROM workflow_definitions
		WHERE id = ? OR (name = ? AND namespace = ?)
		ORDER BY id = ? DESC LIMIT 1`, idOrName, idOrName, namespace, idOrName)
	d, err := scanDefinition(row)
	if err != nil {
		return nil, fmt.Errorf("get workflow definition %s (namespace %q): %w", idOrName, namespace, mapErr(err))
	}
	return d, nil
}

// WorkflowDefinitionList implements store.Queries.
func (q *queries) WorkflowDefinitionList(ctx context.Context, p store.ListParams) ([]*store.WorkflowDefinition, error) {
	out, err := list(ctx, q.r, definitionList, scanDefinition, p)
	if err != nil {
		return nil, fmt.Errorf("list workflow definitions: %w", err)
	}
	return out, nil
}

// WorkflowDefinitionUpdate implements store.Queries. It fills def's id,
// scope, project, workbook and created_at from the stored row.
func (q *queries) WorkflowDefinitionUpdate(ctx context.Context, def *store.WorkflowDefinition) error {
	def.UpdatedAt = stamp(def.UpdatedAt)
	var enc encoder
	tags := enc.tags(def.Tags)
	if enc.err != nil {
		return fmt.Errorf("update workflow definition %s: %w", def.Name, enc.err)
	}
	var created int64
	err := q.w.QueryRowContext(ctx, `UPDATE workflow_definitions
		SET definition = ?, tags = ?, updated_at = ?
		WHERE name = ? AND namespace = ?
		RETURNING id, scope, project_id, workbook_name, created_at`,
		def.Definition, tags, micros(def.UpdatedAt), def.Name, def.Namespace,
	).Scan(&def.ID, &def.Scope, &def.ProjectID, &def.WorkbookName, &created)
	if err != nil {
		return fmt.Errorf("update workflow definition %s (namespace %q): %w", def.Name, def.Namespace, mapErr(err))
	}
	def.CreatedAt = fromMicros(created)
	return nil
}

// WorkflowDefinitionDelete implements store.Queries.
func (q *queries) WorkflowDefinitionDelete(ctx context.Context, idOrName, namespace string) error {
	n, err := affected(q.w.ExecContext(ctx, `DELETE FROM workflow_definitions
		WHERE id = (SELECT id FROM workflow_definitions
			WHERE id = ? OR (name = ? AND namespace = ?)
			ORDER BY id = ? DESC LIMIT 1)`, idOrName, idOrName, namespace, idOrName))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete workflow definition %s (namespace %q): %w", idOrName, namespace, err)
	}
	return nil
}

// WorkflowDefinitionListByWorkbook implements store.Queries.
func (q *queries) WorkflowDefinitionListByWorkbook(ctx context.Context, workbook, namespace string) ([]*store.WorkflowDefinition, error) {
	out, err := queryAll(ctx, q.r, scanDefinition, `SELECT `+definitionColumns+` FROM workflow_definitions
		WHERE workbook_name = ? AND namespace = ? ORDER BY name`, workbook, namespace)
	if err != nil {
		return nil, fmt.Errorf("list workflow definitions of workbook %s (namespace %q): %w", workbook, namespace, err)
	}
	return out, nil
}
