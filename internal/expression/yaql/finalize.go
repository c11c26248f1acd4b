package yaql

import (
	"github.com/bora-workflow/bora/internal/value"
)

// finalize converts an evaluation result to the value model, as Mistral's
// output conversion does: sequences and sets become lists, dicts get
// string keys. Containers are always copied so callers can never mutate the
// data the expression read.
func (st *evalState) finalize(v any) (any, error) { return st.convertOutput(v, false) }

// convertOutput is finalize; with keepSets, sets stay *Set (for rendering
// them the way Python prints the set Mistral returns).
func (st *evalState) convertOutput(v any, keepSets bool) (any, error) {
	switch t := v.(type) {
	case nil, bool, string, int64, float64:
		return v, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			f, err := st.convertOutput(e, keepSets)
			if err != nil {
				return nil, err
			}
			out[i] = f
		}
		return out, nil
	case *Set:
		// Mistral keeps sets as Python sets, which cannot hold the lists
		// and dicts that output conversion makes of tuples and FrozenDicts.
		for _, e := range t.items {
			switch e.(type) {
			case []any, *value.Map, *Set, *Seq:
				return nil, errf(KindType, "unhashable type: '%s' (a set in the result cannot contain lists or dicts)", typeName(e))
			}
		}
		if keepSets {
			return t, nil
		}
		return st.convertOutput(append([]any(nil), t.ordered()...), false)
	case *Seq:
		if t.itemsView && len(t.items) > 0 {
			return nil, errf(KindType, "unhashable type: 'list' (dict.items() cannot be the result; use .select() or .toList())")
		}
		items, err := st.toSlice(t)
		if err != nil {
			return nil, err
		}
		return st.convertOutput(items, keepSets)
	case *value.Map:
		m := value.NewMap(t.Len())
		var err error
		t.Range(func(k string, e any) bool {
			var f any
			f, err = st.convertOutput(e, keepSets)
			if err != nil {
				return false
			}
			var key string
			if key, err = outputKey(k); err != nil {
				return false
			}
			m.Set(key, f)
			return true
		})
		if err != nil {
			return nil, err
		}
		return m, nil
	case DateTime:
		if keepSets { // rendered as text later, by Python str() rules
			return v, nil
		}
		// Mistral stores results as JSON, where oslo's to_primitive writes
		// datetimes in this ISO form.
		return v.(DateTime).t.Format("2006-01-02T15:04:05.000000"), nil
	case TimeSpan:
		if keepSets {
			return v, nil
		}
		return v.(TimeSpan).String(), nil
	case *contextValue:
		return nil, errf(KindType, "the result is a context (from let/with/def); use -> to evaluate an expression in it")
	case *Lambda, *Regex:
		return nil, errf(KindType, "the result is a %s, which is not data", typeName(v))
	}
	if isInt(v) {
		return v, nil
	}
	return nil, errf(KindType, "the result is a %s, which is not data", typeName(v))
}
