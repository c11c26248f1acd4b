package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/bora-workflow/bora/internal/store"
)

// listSpec describes how one table is listed.
type listSpec struct {
	table      string
	columns    string
	defaultKey string          // ordering when SortKey is empty
	tiebreak   string          // unique column that makes the order total
	sortable   map[string]bool // the SortKey whitelist
	namespace  string          // column ListParams.Namespace filters; "" when none
}

// filter is one "column = value" condition; an empty value means "any"
// unless always is set.
type filter struct {
	column string
	value  string
	always bool
}

// listQuery builds the SELECT for a list: filters, keyset pagination after
// the marker row, order and limit.
func listQuery(spec listSpec, p store.ListParams, filters ...filter) (string, []any, error) {
	key := spec.defaultKey
	if p.SortKey != "" {
		if !spec.sortable[p.SortKey] {
			return "", nil, fmt.Errorf("cannot sort %s by %q", spec.table, p.SortKey)
		}
		key = p.SortKey
	}
	if p.HasNamespace {
		if spec.namespace == "" {
			return "", nil, fmt.Errorf("%s have no namespace to filter by", spec.table)
		}
		// "" is a real namespace (the default one), so this filter is always kept.
		filters = append(filters, filter{column: spec.namespace, value: p.Namespace, always: true})
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	for _, f := range filters {
		if f.value == "" && !f.always {
			continue
		}
		where = append(where, f.column+" = "+arg(f.value))
	}
	for _, f := range p.Filters {
		cond, err := filterSQL(spec, f, arg)
		if err != nil {
			return "", nil, err
		}
		where = append(where, cond)
	}
	keys := key
	if key != spec.tiebreak {
		keys = key + ", " + spec.tiebreak
	}
	dir, cmp := "ASC", ">"
	if p.SortDesc {
		dir, cmp = "DESC", "<"
	}
	if p.Marker != "" {
		where = append(where, fmt.Sprintf("(%s) %s (SELECT %s FROM %s WHERE id = %s)", keys, cmp, keys, spec.table, arg(p.Marker)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM %s", spec.columns, spec.table)
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	fmt.Fprintf(&b, " ORDER BY %s %s", key, dir)
	if key != spec.tiebreak {
		fmt.Fprintf(&b, ", %s %s", spec.tiebreak, dir)
	}
	if p.Limit > 0 {
		b.WriteString(" LIMIT " + arg(p.Limit))
	}
	return b.String(), args, nil
}

// checkMarker tells an unknown marker (ErrNotFound) from the end of the
// list; it is asked only when a page came back empty.
func checkMarker(ctx context.Context, q querier, table, marker string) error {
	if marker == "" {
		return nil
	}
	var one int
	if err := q.QueryRow(ctx, "SELECT 1 FROM "+table+" WHERE id = $1", marker).Scan(&one); err != nil {
		return fmt.Errorf("marker %s: %w", marker, mapErr(err))
	}
	return nil
}

// list runs a list query end to end.
func list[T any](ctx context.Context, q querier, spec listSpec, scan func(scanner) (T, error), p store.ListParams, filters ...filter) ([]T, error) {
	query, args, err := listQuery(spec, p, filters...)
	if err != nil {
		return nil, err
	}
	out, err := queryAll(ctx, q, scan, query, args...)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		if err := checkMarker(ctx, q, spec.table, p.Marker); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func columnSet(cols ...string) map[string]bool {
	m := make(map[string]bool, len(cols))
	for _, c := range cols {
		m[c] = true
	}
	return m
}
