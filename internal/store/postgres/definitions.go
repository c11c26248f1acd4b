package postgres

import (
	"context"
	"fmt"
	"time"

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
	var created, updated time.Time
	if err := s.Scan(&d.ID, &d.Name, &d.Namespace, &d.Definition, &tags, &d.Scope, &d.ProjectID, &d.WorkbookName, &created, &updated); err != nil {
		return nil, err
	}
	var dec decoder
	d.Tags = dec.tags(tags)
	d.CreatedAt, d.UpdatedAt = created.UTC(), updated.UTC()
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
	_, err := q.db.Exec(ctx, `INSERT INTO workflow_definitions (`+definitionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		def.ID, def.Name, def.Namespace, def.Definition, tags, def.Scope, def.ProjectID, def.WorkbookName,
		def.CreatedAt, def.UpdatedAt)
	if err != nil {
		return fmt.Errorf("create workflow definition %s (namespace %q): %w", def.Name, def.Namespace, mapErr(err))
	}
	return nil
}

// WorkflowDefinitionGet implements store.Queries; an id match wins over a name match.
func (q *queries) WorkflowDefinitionGet(ctx context.Context, idOrName, namespace string) (*store.WorkflowDefinition, error) {
	row := q.db.QueryRow(ctx, `SELECT `+definitionColumns+` FROM workflow_definitions
		WHERE id = $1 OR (name = $2 AND namespace = $3)
		ORDER BY id = $4 DESC LIMIT 1`, idOrName, idOrName, namespace, idOrName)
	d, err := scanDefinition(row)
	if err != nil {
		return nil, fmt.Errorf("get workflow definition %s (namespace %q): %w", idOrName, namespace, mapErr(err))
	}
	return d, nil
}

// WorkflowDefinitionList implements store.Queries.
func (q *queries) WorkflowDefinitionList(ctx context.Context, p store.ListParams) ([]*store.WorkflowDefinition, error) {
	out, err := list(ctx, q.db, definitionList, scanDefinition, p)
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
	var created time.Time
	err := q.db.QueryRow(ctx, `UPDATE workflow_definitions
		SET definition = $1, tags = $2, updated_at = $3
		WHERE name = $4 AND namespace = $5
		RETURNING id, scope, project_id, workbook_name, created_at`,
		def.Definition, tags, def.UpdatedAt, def.Name, def.Namespace,
	).Scan(&def.ID, &def.Scope, &def.ProjectID, &def.WorkbookName, &created)
	if err != nil {
		return fmt.Errorf("update workflow definition %s (namespace %q): %w", def.Name, def.Namespace, mapErr(err))
	}
	def.CreatedAt = created.UTC()
	return nil
}

// WorkflowDefinitionDelete implements store.Queries.
func (q *queries) WorkflowDefinitionDelete(ctx context.Context, idOrName, namespace string) error {
	n, err := affected(q.db.Exec(ctx, `DELETE FROM workflow_definitions
		WHERE id = (SELECT id FROM workflow_definitions
			WHERE id = $1 OR (name = $2 AND namespace = $3)
			ORDER BY id = $4 DESC LIMIT 1)`, idOrName, idOrName, namespace, idOrName))
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
	out, err := queryAll(ctx, q.db, scanDefinition, `SELECT `+definitionColumns+` FROM workflow_definitions
		WHERE workbook_name = $1 AND namespace = $2 ORDER BY name`, workbook, namespace)
	if err != nil {
		return nil, fmt.Errorf("list workflow definitions of workbook %s (namespace %q): %w", workbook, namespace, err)
	}
	return out, nil
}
