package sqlite

import (
	"time"

	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/sqlfilter"
)

// filterDialect stores times as microseconds and booleans as 0 or 1.
var filterDialect = sqlfilter.Dialect{
	Value: func(v any) any {
		switch t := v.(type) {
		case time.Time:
			return micros(t)
		case bool:
			if t {
				return 1
			}
			return 0
		}
		return v
	},
	Null: func(column string) string { return "COALESCE(" + column + ", '') = ''" },
}

// filterSQL is the condition of one list filter; only columns the table
// sorts by may be used.
func filterSQL(spec listSpec, f store.Filter, arg func(any) string) (string, error) {
	return sqlfilter.Condition(filterDialect, spec.table, spec.sortable, f, arg)
}
