package store

import "fmt"

// FilterOp is a comparison of a list filter, named as Mistral's REST API
// names them (`?state=in:ERROR,SUCCESS`).
type FilterOp string

// The filter operators.
const (
	FilterEq  FilterOp = "eq"
	FilterNeq FilterOp = "neq"
	FilterIn  FilterOp = "in"
	FilterNin FilterOp = "nin"
	FilterGt  FilterOp = "gt"
	FilterGte FilterOp = "gte"
	FilterLt  FilterOp = "lt"
	FilterLte FilterOp = "lte"
	// FilterHas matches text columns containing the value.
	FilterHas FilterOp = "has"
	// FilterNull matches rows where a text column is unset (NULL or "");
	// it takes no value (Mistral's `nulls=`).
	FilterNull FilterOp = "null"
)

// Filter is one condition of a list: Column Op Values. Column is one of
// the columns the table may be sorted by; each value is a string, an
// int64, a bool or a time.Time, as the column holds. In and Nin take one
// value or more, Null none, the others exactly one.
type Filter struct {
	Column string
	Op     FilterOp
	Values []any
}

// Check reports a filter that cannot be built (the wrong number of values,
// an unknown operator).
func (f Filter) Check() error {
	switch f.Op {
	case FilterIn, FilterNin:
		if len(f.Values) == 0 {
			return fmt.Errorf("filter %s %s: no values", f.Column, f.Op)
		}
	case FilterNull:
		if len(f.Values) != 0 {
			return fmt.Errorf("filter %s %s: takes no value", f.Column, f.Op)
		}
	case FilterEq, FilterNeq, FilterGt, FilterGte, FilterLt, FilterLte, FilterHas:
		if len(f.Values) != 1 {
			return fmt.Errorf("filter %s %s: takes one value, not %d", f.Column, f.Op, len(f.Values))
		}
		if _, isText := f.Values[0].(string); f.Op == FilterHas && !isText {
			return fmt.Errorf("filter %s %s: the value must be text", f.Column, f.Op)
		}
	default:
		return fmt.Errorf("filter %s: unknown operator %q", f.Column, f.Op)
	}
	return nil
}
