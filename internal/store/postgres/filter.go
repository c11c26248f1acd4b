package postgres

import (
	"time"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/sqlfilter"
)

// filterDialect stores times in UTC to the microsecond.
var filterDialect = sqlfilter.Dialect{
	Value: func(v any) any {
		if t, ok := v.(time.Time); ok {
			return micro(t)
		}
		return v
	},
	Null: func(column string) string { return "COALESCE(" + column + "::text, '') = ''" },
}

// filterSQL is the condition of one list filter; only columns the table
// sorts by may be used.
func filterSQL(spec listSpec, f store.Filter, arg func(any) string) (string, error) {
	return sqlfilter.Condition(filterDialect, spec.table, spec.sortable, f, arg)
}
