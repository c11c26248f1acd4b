package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/bora-workflow/bora/internal/id"
	"github.com/bora-workflow/bora/internal/store"
)

const workbookColumns = `id, name, namespace, definition, tags, scope, project_id, created_at, updated_at`

var workbookList = listSpec{
	table:      "workbooks",
	columns:    workbookColumns,
	defaultKey: "created_at",
	tiebreak:   "id",
	sortable:   columnSet("id", "name", "namespace", "scope", "project_id", "created_at", "updated_at"),
	namespace:  "namespace",
}

func scanWorkbook(s scanner) (*store.Workbook, error) {
	var wb store.Workbook
	var tags string
	var created, updated time.Time
	if err := s.Scan(&wb.ID, &wb.Name, &wb.Namespace, &wb.Definition, &tags, &wb.Scope, &wb.ProjectID, &created, &updated); err != nil {
		return nil, err
	}
	var dec decoder
	wb.Tags = dec.tags(tags)
	wb.CreatedAt, wb.UpdatedAt = created.UTC(), updated.UTC()
	return &wb, dec.err
}

// WorkbookCreate implements store.Queries.
func (q *queries) WorkbookCreate(ctx context.Context, wb *store.Workbook) error {
	if wb.ID == "" {
		wb.ID = id.New()
	}
	wb.CreatedAt, wb.UpdatedAt = stamp(wb.CreatedAt), stamp(wb.UpdatedAt)
	var enc encoder
	tags := enc.tags(wb.Tags)
	if enc.err != nil {
		return fmt.Errorf("create workbook %s: %w", wb.Name, enc.err)
	}
	_, err := q.db.Exec(ctx, `INSERT INTO workbooks (`+workbookColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		wb.ID, wb.Name, wb.Namespace, wb.Definition, tags, wb.Scope, wb.ProjectID,
		wb.CreatedAt, wb.UpdatedAt)
	if err != nil {
		return fmt.Errorf("create workbook %s (namespace %q): %w", wb.Name, wb.Namespace, mapErr(err))
	}
	return nil
}

// WorkbookGet implements store.Queries.
func (q *queries) WorkbookGet(ctx context.Context, name, namespace string) (*store.Workbook, error) {
	row := q.db.QueryRow(ctx, `SELECT `+workbookColumns+` FROM workbooks
		WHERE name = $1 AND namespace = $2`, name, namespace)
	wb, err := scanWorkbook(row)
	if err != nil {
		return nil, fmt.Errorf("get workbook %s (namespace %q): %w", name, namespace, mapErr(err))
	}
	return wb, nil
}

// WorkbookList implements store.Queries.
func (q *queries) WorkbookList(ctx context.Context, p store.ListParams) ([]*store.Workbook, error) {
	out, err := list(ctx, q.db, workbookList, scanWorkbook, p)
	if err != nil {
		return nil, fmt.Errorf("list workbooks: %w", err)
	}
	return out, nil
}

// WorkbookUpdate implements store.Queries.
func (q *queries) WorkbookUpdate(ctx context.Context, wb *store.Workbook) error {
	wb.UpdatedAt = stamp(wb.UpdatedAt)
	var enc encoder
	tags := enc.tags(wb.Tags)
	if enc.err != nil {
		return fmt.Errorf("update workbook %s: %w", wb.Name, enc.err)
	}
	var created time.Time
	err := q.db.QueryRow(ctx, `UPDATE workbooks
		SET definition = $1, tags = $2, updated_at = $3
		WHERE name = $4 AND namespace = $5
		RETURNING id, scope, project_id, created_at`,
		wb.Definition, tags, wb.UpdatedAt, wb.Name, wb.Namespace,
	).Scan(&wb.ID, &wb.Scope, &wb.ProjectID, &created)
	if err != nil {
		return fmt.Errorf("update workbook %s (namespace %q): %w", wb.Name, wb.Namespace, mapErr(err))
	}
	wb.CreatedAt = created.UTC()
	return nil
}

// WorkbookDelete implements store.Queries.
func (q *queries) WorkbookDelete(ctx context.Context, name, namespace string) error {
	n, err := affected(q.db.Exec(ctx, `DELETE FROM workbooks WHERE name = $1 AND namespace = $2`, name, namespace))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete workbook %s (namespace %q): %w", name, namespace, err)
	}
	return nil
}
