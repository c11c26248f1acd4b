package sqlite

import (
	"context"
	"fmt"

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
	var created, updated int64
	if err := s.Scan(&wb.ID, &wb.Name, &wb.Namespace, &wb.Definition, &tags, &wb.Scope, &wb.ProjectID, &created, &updated); err != nil {
		return nil, err
	}
	var dec decoder
	wb.Tags = dec.tags(tags)
	wb.CreatedAt, wb.UpdatedAt = fromMicros(created), fromMicros(updated)
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
	_, err := q.w.ExecContext(ctx, `INSERT INTO workbooks (`+workbookColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		wb.ID, wb.Name, wb.Namespace, wb.Definition, tags, wb.Scope, wb.ProjectID,
		micros(wb.CreatedAt), micros(wb.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create workbook %s (namespace %q): %w", wb.Name, wb.Namespace, mapErr(err))
	}
	return nil
}

// WorkbookGet implements store.Queries.
func (q *queries) WorkbookGet(ctx context.Context, name, namespace string) (*store.Workbook, error) {
	row := q.r.QueryRowContext(ctx, `SELECT `+workbookColumns+` FROM workbooks
		WHERE name = ? AND namespace = ?`, name, namespace)
	wb, err := scanWorkbook(row)
	if err != nil {
		return nil, fmt.Errorf("get workbook %s (namespace %q): %w", name, namespace, mapErr(err))
	}
	return wb, nil
}

// WorkbookList implements store.Queries.
func (q *queries) WorkbookList(ctx context.Context, p store.ListParams) ([]*store.Workbook, error) {
	out, err := list(ctx, q.r, workbookList, scanWorkbook, p)
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
	var created int64
	err := q.w.QueryRowContext(ctx, `UPDATE workbooks
		SET definition = ?, tags = ?, updated_at = ?
		WHERE name = ? AND namespace = ?
		RETURNING id, scope, project_id, created_at`,
		wb.Definition, tags, micros(wb.UpdatedAt), wb.Name, wb.Namespace,
	).Scan(&wb.ID, &wb.Scope, &wb.ProjectID, &created)
	if err != nil {
		return fmt.Errorf("update workbook %s (namespace %q): %w", wb.Name, wb.Namespace, mapErr(err))
	}
	wb.CreatedAt = fromMicros(created)
	return nil
}

// WorkbookDelete implements store.Queries.
func (q *queries) WorkbookDelete(ctx context.Context, name, namespace string) error {
	n, err := affected(q.w.ExecContext(ctx, `DELETE FROM workbooks WHERE name = ? AND namespace = ?`, name, namespace))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete workbook %s (namespace %q): %w", name, namespace, err)
	}
	return nil
}
