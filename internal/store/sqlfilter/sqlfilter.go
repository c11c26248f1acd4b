// Package sqlfilter turns a list filter (store.Filter) into a SQL
// condition. Both drivers share it; what differs between them — how a
// value is stored and how an unset column is tested — is their Dialect.
package sqlfilter

import (
	"fmt"
	"strings"

	"github.com/bora-workflow/bora/internal/store"
)

// Dialect is what a driver's SQL needs of a filter.
type Dialect struct {
	// Value converts a filter value to the form its column holds
	// (times, booleans).
	Value func(v any) any
	// Null is the condition that a text column is unset (NULL or "").
	Null func(column string) string
}

// comparisons are the SQL of the operators that compare with one value.
var comparisons = map[store.FilterOp]string{
	store.FilterEq: "=", store.FilterNeq: "<>",
	store.FilterGt: ">", store.FilterGte: ">=", store.FilterLt: "<", store.FilterLte: "<=",
}

// likeEscaper escapes LIKE's wildcards, so has:50% looks for "50%".
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// Condition is the SQL of one filter on a table whose filterable columns
// are allowed; arg adds a value and returns its placeholder.
func Condition(d Dialect, table string, allowed map[string]bool, f store.Filter, arg func(any) string) (string, error) {
	if !allowed[f.Column] {
		return "", fmt.Errorf("cannot filter %s by %q", table, f.Column)
	}
	if err := f.Check(); err != nil {
		return "", err
	}
	switch f.Op {
	case store.FilterIn, store.FilterNin:
		marks := make([]string, len(f.Values))
		for i, v := range f.Values {
			marks[i] = arg(d.Value(v))
		}
		not := ""
		if f.Op == store.FilterNin {
			not = "NOT "
		}
		return fmt.Sprintf("%s %sIN (%s)", f.Column, not, strings.Join(marks, ", ")), nil
	case store.FilterHas:
		return fmt.Sprintf(`%s LIKE %s ESCAPE '\'`, f.Column, arg("%"+likeEscaper.Replace(f.Values[0].(string))+"%")), nil
	case store.FilterNull:
		return d.Null(f.Column), nil
	}
	return fmt.Sprintf("%s %s %s", f.Column, comparisons[f.Op], arg(d.Value(f.Values[0]))), nil
}
