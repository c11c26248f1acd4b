package yaql

import (
	"math/big"
	"strconv"

	"github.com/bora-workflow/bora/internal/value"
)

// Set is YAQL's (frozen) set: insertion ordered, elements compared with
// Python equality (1, 1.0 and true are the same element).
type Set struct {
	items []any
	index map[string]int
	// order caches the iteration order (see setorder.go); Add resets it.
	order []any
	// keysView marks dict.keys(), which iterates in the dict's order; view
	// is the dict it was taken from.
	keysView bool
	view     *value.Map
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{index: map[string]int{}} }

// Add inserts v unless an equal element is present.
func (s *Set) Add(v any) {
	k := hashKey(v)
	if _, ok := s.index[k]; ok {
		return
	}
	s.index[k] = len(s.items)
	s.items = append(s.items, v)
	s.order = nil
}

// Has reports whether an element equal to v is present.
func (s *Set) Has(v any) bool {
	_, ok := s.index[hashKey(v)]
	return ok
}

// Len is the number of elements.
func (s *Set) Len() int { return len(s.items) }

// Items returns the elements in Python's iteration order; the caller must
// not modify it.
func (s *Set) Items() []any { return s.ordered() }

func (s *Set) clone() *Set {
	c := NewSet()
	for _, v := range s.ordered() {
		c.Add(v)
	}
	return c
}

func setOf(items []any) *Set {
	s := NewSet()
	for _, v := range items {
		s.Add(v)
	}
	return s
}

// Seq is a lazy, single-pass sequence — what Python generators are in yaql.
// Like a generator it is not equal to a list with the same elements.
type Seq struct {
	next func() (any, bool, error)
	// items, when set, makes the sequence re-iterable (dict views,
	// memorize()): each iteration starts again from the first item.
	items    []any
	reusable bool
	// itemsView marks dict.items(): Mistral's output conversion turns it
	// into a set of lists and fails, so a final result of it is an error.
	itemsView bool
	// view marks dict.values(): iterable but not an iterator, so
	// generator-only functions such as len() do not apply.
	view bool
	// ordered is set on orderBy results so thenBy can refine them.
	ordered *orderedSeq
	// viewOf is the dict behind a values() or items() view.
	viewOf *value.Map
}

// reusableSeq is a sequence over items that can be iterated many times.
func reusableSeq(items []any) *Seq { return &Seq{items: items, reusable: true} }

func newSeq(next func() (any, bool, error)) *Seq { return &Seq{next: next} }

// seqOfSlice wraps a materialised slice as a lazy sequence.
func seqOfSlice(items []any) *Seq {
	i := 0
	return newSeq(func() (any, bool, error) {
		if i >= len(items) {
			return nil, false, nil
		}
		i++
		return items[i-1], true, nil
	})
}

// Lambda is an unevaluated argument (a predicate or selector): it is
// evaluated per call with $ / $1, $2… bound to the call's arguments.
type Lambda struct {
	body  node
	scope *scope
	st    *evalState
}

// Call evaluates the lambda with positional arguments bound to $1, $2, …
func (l *Lambda) Call(args ...any) (any, error) {
	if err := l.st.enter(); err != nil {
		return nil, err
	}
	defer l.st.leave()
	s := &scope{parent: l.scope, vars: make([]binding, len(args))}
	for i, a := range args {
		s.vars[i] = binding{argName(i), a}
	}
	return l.st.eval(l.body, s)
}

// callWithScope evaluates the lambda body in the given scope (used by ->).
func (l *Lambda) callWithScope(s *scope) (any, error) { return l.st.eval(l.body, s) }

// contextValue is what let(), with(), def() and unpack() return: a scope
// that the -> operator evaluates its right side in.
type contextValue struct{ s *scope }

func itoa(i int) string { return strconv.Itoa(i) }

// isNumber is yaql's Number type: int or float, but not bool.
func isNumber(v any) bool {
	switch v.(type) {
	case int64, *big.Int, float64:
		return true
	}
	return false
}

func isInt(v any) bool {
	switch v.(type) {
	case int64, *big.Int:
		return true
	}
	return false
}

func isString(v any) bool { _, ok := v.(string); return ok }

func isMap(v any) bool { _, ok := v.(*value.Map); return ok }

// isIterable is yaql's Iterable type: any collection except strings and dicts.
func isIterable(v any) bool {
	switch v.(type) {
	case []any, *Set, *Seq:
		return true
	}
	return false
}

// isSequence is yaql's Sequence type (tuples/lists, not sets or generators).
func isSequence(v any) bool { _, ok := v.([]any); return ok }

// truthy is Python truthiness.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case int64:
		return t != 0
	case *big.Int:
		return t.Sign() != 0
	case float64:
		return t != 0
	case []any:
		return len(t) > 0
	case *value.Map:
		return t.Len() > 0
	case *Set:
		return t.Len() > 0
	}
	return true
}

// typeName names a value's type for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case int64, *big.Int:
		return "integer"
	case float64:
		return "float"
	case []any:
		return "list"
	case *value.Map:
		return "dict"
	case *Set:
		return "set"
	case *Seq:
		return "sequence"
	case *Lambda:
		return "lambda"
	case *Regex:
		return "regex"
	case *contextValue:
		return "context"
	case DateTime:
		return "datetime"
	case TimeSpan:
		return "timespan"
	}
	return "object"
}

// argNames are the names of lambda arguments $1, $2, …
var argNames = [...]string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}

func argName(i int) string {
	if i < len(argNames) {
		return argNames[i]
	}
	return strconv.Itoa(i + 1)
}
