package sqlite

import (
	"fmt"
	"strings"
	"time"

	"github.com/bora-workflow/bora/internal/store"
)

// comparisons are the SQL of the operators that compare with one value.
var comparisons = map[store.FilterOp]string{
	store.FilterEq: "=", store.FilterNeq: "<>",
	store.FilterGt: ">", store.FilterGte: ">=", store.FilterLt: "<", store.FilterLte: "<=",
}

// likeEscaper escapes LIKE's wildcards, so has:50% looks for "50%".
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// filterSQL is the condition of one list filter; arg adds a value and
// returns its placeholder. Only columns the table sorts by may be used.
func filterSQL(spec listSpec, f store.Filter, arg func(any) string) (string, error) {
	if !spec.sortable[f.Column] {
		return "", fmt.Errorf("cannot filter %s by %q", spec.table, f.Column)
	}
	if err := f.Check(); err != nil {
		return "", err
	}
	switch f.Op {
	case store.FilterIn, store.FilterNin:
		marks := make([]string, len(f.Values))
		for i, v := range f.Values {
			marks[i] = arg(filterValue(v))
		}
		not := ""
		if f.Op == store.FilterNin {
			not = "NOT "
		}
		return fmt.Sprintf("%s %sIN (%s)", f.Column, not, strings.Join(marks, ", ")), nil
	case store.FilterHas:
		return fmt.Sprintf(`%s LIKE %s ESCAPE '\'`, f.Column, arg("%"+likeEscaper.Replace(f.Values[0].(string))+"%")), nil
	case store.FilterNull:
		return nullSQL(f.Column), nil
	}
	return fmt.Sprintf("%s %s %s", f.Column, comparisons[f.Op], arg(filterValue(f.Values[0]))), nil
}

// filterValue is a filter value as the columns hold it: times as
// microseconds, booleans as 0 or 1.
func filterValue(v any) any {
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
}

// nullSQL matches an unset text column.
func nullSQL(column string) string { return "COALESCE(" + column + ", '') = ''" }
