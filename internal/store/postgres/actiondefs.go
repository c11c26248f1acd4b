package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
)

const actionDefColumns = `id, name, namespace, definition, input, description, tags, is_system,
	workbook_name, scope, project_id, created_at, updated_at`

var actionDefList = listSpec{
	table:      "action_definitions",
	columns:    actionDefColumns,
	defaultKey: "created_at",
	tiebreak:   "id",
	sortable: columnSet("id", "name", "namespace", "input", "description", "is_system",
		"workbook_name", "scope", "project_id", "created_at", "updated_at"),
	namespace: "namespace",
}

func scanActionDef(s scanner) (*store.ActionDefinition, error) {
	var a store.ActionDefinition
	var tags string
	var created, updated time.Time
	if err := s.Scan(&a.ID, &a.Name, &a.Namespace, &a.Definition, &a.Input, &a.Description, &tags, &a.IsSystem,
		&a.WorkbookName, &a.Scope, &a.ProjectID, &created, &updated); err != nil {
		return nil, err
	}
	var dec decoder
	a.Tags = dec.tags(tags)
	a.CreatedAt, a.UpdatedAt = created.UTC(), updated.UTC()
	return &a, dec.err
}

// ActionDefinitionCreate implements store.Queries.
func (q *queries) ActionDefinitionCreate(ctx context.Context, a *store.ActionDefinition) error {
	if a.ID == "" {
		a.ID = id.New()
	}
	a.CreatedAt, a.UpdatedAt = stamp(a.CreatedAt), stamp(a.UpdatedAt)
	var enc encoder
	tags := enc.tags(a.Tags)
	if enc.err != nil {
		return fmt.Errorf("create action definition %s: %w", a.Name, enc.err)
	}
	_, err := q.db.Exec(ctx, `INSERT INTO action_definitions (`+actionDefColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.Name, a.Namespace, a.Definition, a.Input, a.Description, tags, a.IsSystem,
		a.WorkbookName, a.Scope, a.ProjectID, a.CreatedAt, a.UpdatedAt)
	if err != nil {
		return fmt.Errorf("create action definition %s (namespace %q): %w", a.Name, a.Namespace, mapErr(err))
	}
	return nil
}

// ActionDefinitionGet implements store.Queries; an id match wins over a name match.
func (q *queries) ActionDefinitionGet(ctx context.Context, idOrName, namespace string) (*store.ActionDefinition, error) {
	row := q.db.QueryRow(ctx, `SELECT `+actionDefColumns+` FROM action_definitions
		WHERE id = $1 OR (name = $2 AND namespace = $3)
		ORDER BY id = $4 DESC LIMIT 1`, idOrName, idOrName, namespace, idOrName)
	a, err := scanActionDef(row)
	if err != nil {
		return nil, fmt.Errorf("get action definition %s (namespace %q): %w", idOrName, namespace, mapErr(err))
	}
	return a, nil
}

// ActionDefinitionList implements store.Queries.
func (q *queries) ActionDefinitionList(ctx context.Context, p store.ActionDefinitionListParams) ([]*store.ActionDefinition, error) {
	out, err := list(ctx, q.db, actionDefList, scanActionDef, p.ListParams,
		filter{column: "workbook_name", value: p.WorkbookName})
	if err != nil {
		return nil, fmt.Errorf("list action definitions: %w", err)
	}
	return out, nil
}

// ActionDefinitionUpdate implements store.Queries.
func (q *queries) ActionDefinitionUpdate(ctx context.Context, a *store.ActionDefinition) error {
	a.UpdatedAt = stamp(a.UpdatedAt)
	var enc encoder
	tags := enc.tags(a.Tags)
	if enc.err != nil {
		return fmt.Errorf("update action definition %s: %w", a.Name, enc.err)
	}
	var created time.Time
	err := q.db.QueryRow(ctx, `UPDATE action_definitions
		SET definition = $1, input = $2, description = $3, tags = $4, is_system = $5, workbook_name = $6,
			scope = $7, updated_at = $8
		WHERE name = $9 AND namespace = $10
		RETURNING id, project_id, created_at`,
		a.Definition, a.Input, a.Description, tags, a.IsSystem, a.WorkbookName,
		a.Scope, a.UpdatedAt, a.Name, a.Namespace,
	).Scan(&a.ID, &a.ProjectID, &created)
	if err != nil {
		return fmt.Errorf("update action definition %s (namespace %q): %w", a.Name, a.Namespace, mapErr(err))
	}
	a.CreatedAt = created.UTC()
	return nil
}

// ActionDefinitionDelete implements store.Queries.
func (q *queries) ActionDefinitionDelete(ctx context.Context, idOrName, namespace string) error {
	n, err := affected(q.db.Exec(ctx, `DELETE FROM action_definitions
		WHERE id = (SELECT id FROM action_definitions
			WHERE id = $1 OR (name = $2 AND namespace = $3)
			ORDER BY id = $4 DESC LIMIT 1)`, idOrName, idOrName, namespace, idOrName))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete action definition %s (namespace %q): %w", idOrName, namespace, err)
	}
	return nil
}
