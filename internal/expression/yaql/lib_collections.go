package yaql

import (
	"github.com/bora-workflow/bora/internal/value"
)

// registerCollections adds yaql's collections module: list/dict/set
// construction and the functions that work on whole lists, dicts and sets.
func registerCollections(e *Engine) {
	e.register(
		variadic(def("list", Function, func(c *Call) (any, error) { return c.st.flattenIterators(c.Args) }), P("args", TAny)),
		def("flatten", Method, fnFlatten, P("collection", TIterable)),
		def("toList", Method, func(c *Call) (any, error) { return c.st.toSlice(c.Args[0]) }, P("collection", TIterable)),
		raw("dict", Function, fnDictRules),
		def("toDict", Method, fnToDict, P("collection", TIterable), L("keySelector"), LOpt("valueSelector")),
		def("get", Method, func(c *Call) (any, error) {
			k, err := resolveKey(c.Args[0].(*value.Map), c.Args[1])
			if err != nil {
				return nil, err
			}
			if v, ok := c.Args[0].(*value.Map).Get(k); ok {
				return v, nil
			}
			return c.Args[2], nil
		}, P("dict", TMap), P("key", TAny), Opt("default", TAny, nil)),
		def("set", Method, func(c *Call) (any, error) {
			if err := c.st.charge(c.Args[0].(*value.Map).Len()); err != nil {
				return nil, err
			}
			m := c.Args[0].(*value.Map).Clone()
			k, err := resolveKey(m, c.Args[1])
			if err != nil {
				return nil, err
			}
			m.Set(k, c.Args[2])
			return m, nil
		}, P("dict", TMap), P("key", TAny), P("value", TAny)),
		def("set", Method, func(c *Call) (any, error) {
			if err := c.st.charge(c.Args[0].(*value.Map).Len()); err != nil {
				return nil, err
			}
			m := c.Args[0].(*value.Map).Clone()
			m.Update(c.Args[1].(*value.Map))
			return m, nil
		}, P("dict", TMap), P("replacements", TMap)),
		raw("set", Method, fnDictSetRules, P("dict", TMap)),
		def("keys", Method, func(c *Call) (any, error) {
			s := NewSet()
			for _, k := range c.Args[0].(*value.Map).Keys() {
				s.Add(keyValue(k))
			}
			s.keysView, s.view = true, c.Args[0].(*value.Map)
			return s, nil
		}, P("dict", TMap)),
		def("values", Method, func(c *Call) (any, error) {
			m := c.Args[0].(*value.Map)
			out := make([]any, 0, m.Len())
			m.Range(func(_ string, v any) bool { out = append(out, v); return true })
			s := reusableSeq(out)
			s.view, s.viewOf = true, m
			return s, nil
		}, P("dict", TMap)),
		def("items", Method, func(c *Call) (any, error) {
			m := c.Args[0].(*value.Map)
			out := make([]any, 0, m.Len())
			m.Range(func(k string, v any) bool { out = append(out, []any{keyValue(k), v}); return true })
			s := reusableSeq(out)
			s.itemsView, s.viewOf = true, m
			return s, nil
		}, P("dict", TMap)),
		def("contains", Method, func(c *Call) (any, error) { return c.st.in(c.Args[1], c.Args[0]) }, P("collection", TIterable), P("value", TAny)),
		def("containsKey", Method, func(c *Call) (any, error) {
			k, err := resolveKey(c.Args[0].(*value.Map), c.Args[1])
			if err != nil {
				return nil, err
			}
			return c.Args[0].(*value.Map).Has(k), nil
		}, P("dict", TMap), P("key", TAny)),
		def("containsValue", Method, func(c *Call) (any, error) {
			found := false
			c.Args[0].(*value.Map).Range(func(_ string, v any) bool { found = equal(v, c.Args[1]); return !found })
			return found, nil
		}, P("dict", TMap), P("value", TAny)),
		def("isList", Function, func(c *Call) (any, error) { return isSequence(c.Args[0]), nil }, P("arg", TAny)),
		def("isDict", Function, func(c *Call) (any, error) { return isMap(c.Args[0]), nil }, P("arg", TAny)),
		def("isSet", Function, func(c *Call) (any, error) {
			seq, isSeq := c.Args[0].(*Seq)
			_, ok := c.Args[0].(*Set)
			return ok || (isSeq && seq.itemsView), nil // dict.items() is a set view
		}, P("arg", TAny)),
		def("len", Both, func(c *Call) (any, error) { return int64(c.Args[0].(*value.Map).Len()), nil }, P("dict", TMap)),
		def("len", Both, func(c *Call) (any, error) { return int64(len(c.Args[0].([]any))), nil }, P("sequence", TSequence)),
		def("len", Both, func(c *Call) (any, error) { return int64(c.Args[0].(*Set).Len()), nil }, P("set", TSet)),
		def("len", Both, func(c *Call) (any, error) { return int64(len([]rune(c.Args[0].(string)))), nil }, P("string", TString)),
		def("delete", Method, fnDelete, P("collection", TIterable), P("position", TIntLike), Opt("count", TIntLike, int64(1))),
		variadic(def("delete", Method, func(c *Call) (any, error) { return deleteKeys(c.st, c.Args[0].(*value.Map), c.Args[1:]) }, P("dict", TMap)), P("keys", TAny)),
		def("deleteAll", Method, func(c *Call) (any, error) {
			keys, err := c.st.toSlice(c.Args[1])
			if err != nil {
				return nil, err
			}
			return deleteKeys(c.st, c.Args[0].(*value.Map), keys)
		}, P("dict", TMap), P("keys", TIterable)),
		def("insert", Method, fnListInsert, P("collection", TSequence), P("position", TIntLike), P("value", TAny)),
		def("insert", Method, fnIterInsert, P("collection", Type{"iterable (not a set)", func(v any) bool { _, s := v.(*Set); return isIterable(v) && !s }}), P("position", TIntLike), P("value", TAny)),
		def("insertMany", Method, fnInsertMany, P("collection", TIterable), P("position", TIntLike), P("values", TIterable)),
		def("replace", Method, fnReplaceMany(false), P("collection", TIterable), P("position", TIntLike), P("value", TAny), Opt("count", TIntLike, int64(1))),
		def("replaceMany", Method, fnReplaceMany(true), P("collection", TIterable), P("position", TIntLike), P("values", TIterable), Opt("count", TIntLike, int64(1))),
		variadic(def("set", Function, func(c *Call) (any, error) {
			items, err := c.st.flattenIterators(c.Args)
			if err != nil {
				return nil, err
			}
			return setOf(items), nil
		}), P("args", TAny)),
		def("toSet", Method, func(c *Call) (any, error) {
			items, err := c.st.toSlice(c.Args[0])
			if err != nil {
				return nil, err
			}
			return setOf(items), nil
		}, P("collection", TIterable)),
		def("union", Method, func(c *Call) (any, error) { return setUnion(c.Args[0].(*Set), c.Args[1].(*Set)), nil }, P("left", TFrozenSet), P("right", TSet)),
		def("intersect", Method, func(c *Call) (any, error) { return setIntersect(c.Args[0].(*Set), c.Args[1].(*Set)), nil }, P("left", TFrozenSet), P("right", TSet)),
		def("difference", Method, func(c *Call) (any, error) { return setDifference(c.Args[0].(*Set), c.Args[1].(*Set)), nil }, P("left", TFrozenSet), P("right", TSet)),
		def("symmetricDifference", Method, func(c *Call) (any, error) {
			a, b := c.Args[0].(*Set), c.Args[1].(*Set)
			return setUnion(setDifference(a, b), setDifference(b, a)), nil
		}, P("left", TFrozenSet), P("right", TSet)),
		variadic(def("add", Method, func(c *Call) (any, error) { return setUnion(c.Args[0].(*Set), setOf(c.Args[1:])), nil }, P("set", TFrozenSet)), P("values", TAny)),
		variadic(def("remove", Method, func(c *Call) (any, error) { return setDifference(c.Args[0].(*Set), setOf(c.Args[1:])), nil }, P("set", TFrozenSet)), P("values", TAny)),
	)
}

// flattenIterators is list()/set() argument handling: lazy sequences among
// the arguments are expanded, lists are kept as single elements.
func (st *evalState) flattenIterators(args []any) ([]any, error) {
	out := []any{}
	for _, a := range args {
		if s, ok := a.(*Seq); ok {
			items, err := st.toSlice(s)
			if err != nil {
				return nil, err
			}
			inner, err := st.flattenIterators(items)
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

func fnFlatten(c *Call) (any, error) {
	var out []any
	var rec func(v any) error
	rec = func(v any) error {
		items, err := c.st.toSlice(v)
		if err != nil {
			return err
		}
		for _, e := range items {
			if isIterable(e) {
				if err := rec(e); err != nil {
					return err
				}
				continue
			}
			out = append(out, e)
		}
		return nil
	}
	if err := rec(c.Args[0]); err != nil {
		return nil, err
	}
	return seqOfSlice(out), nil
}

func fnDictRules(c *Call) (any, error) {
	if len(c.Raw) == 1 && !c.Raw[0].IsNamed() {
		items, err := c.Raw[0].Value()
		if err != nil {
			return nil, err
		}
		if !isIterable(items) {
			return nil, errf(KindNoMatchingFunc, "dict() takes key => value pairs or one collection of pairs, not %s", typeName(items))
		}
		c.Args = []any{items}
		return fnDictItems(c)
	}
	m := value.NewMap(len(c.Raw))
	for _, a := range c.Raw {
		if !a.IsNamed() {
			return nil, errf(KindNoMatchingFunc, "dict() takes key => value pairs or one collection of pairs")
		}
		k, err := a.Key()
		if err != nil {
			return nil, err
		}
		v, err := a.Value()
		if err != nil {
			return nil, err
		}
		key, err := resolveKey(m, k)
		if err != nil {
			return nil, err
		}
		m.Set(key, v)
	}
	return m, nil
}

func fnDictSetRules(c *Call) (any, error) {
	if err := c.st.charge(c.Args[0].(*value.Map).Len()); err != nil {
		return nil, err
	}
	m := c.Args[0].(*value.Map).Clone()
	for _, a := range c.Raw {
		if !a.IsNamed() {
			return nil, errf(KindNoMatchingMethod, "set() on a dict takes (key, value), a dict, or key => value pairs")
		}
		k, err := a.Key()
		if err != nil {
			return nil, err
		}
		v, err := a.Value()
		if err != nil {
			return nil, err
		}
		key, err := resolveKey(m, k)
		if err != nil {
			return nil, err
		}
		m.Set(key, v)
	}
	return m, nil
}

func fnDictItems(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	m := value.NewMap(len(items))
	for _, it := range items {
		var pair []any
		switch t := it.(type) {
		case string:
			for _, r := range t {
				pair = append(pair, string(r))
			}
		case *value.Map: // Python iterates a dict's keys
			for _, k := range t.Keys() {
				pair = append(pair, keyValue(k))
			}
		default:
			if !isIterable(it) {
				return nil, errf(KindType, "dict() needs pairs of (key, value), got %s", pyRepr(it))
			}
			if pair, err = c.st.toSlice(it); err != nil {
				return nil, err
			}
		}
		if len(pair) < 2 {
			return nil, errf(KindStopIteration, "dict() needs pairs of (key, value), got %s", pyRepr(it))
		}
		k, err := resolveKey(m, pair[0])
		if err != nil {
			return nil, err
		}
		m.Set(k, pair[1])
	}
	return m, nil
}

func fnToDict(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	keySel, valSel := c.lambdaArg(1), c.lambdaArg(2)
	m := value.NewMap(len(items))
	for _, it := range items {
		k, err := keySel.Call(it)
		if err != nil {
			return nil, err
		}
		v := it
		if valSel != nil {
			if v, err = valSel.Call(it); err != nil {
				return nil, err
			}
		}
		key, err := resolveKey(m, k)
		if err != nil {
			return nil, err
		}
		m.Set(key, v)
	}
	return m, nil
}

func deleteKeys(st *evalState, d *value.Map, keys []any) (any, error) {
	if err := st.charge(d.Len()); err != nil {
		return nil, err
	}
	m := d.Clone()
	for _, k := range keys {
		key, err := resolveKey(m, k)
		if err != nil {
			return nil, err
		}
		m.Delete(key)
	}
	return m, nil
}

func fnDelete(c *Call) (any, error) {
	pos, _ := toInt64(c.Args[1])
	count, _ := toInt64(c.Args[2])
	i := int64(-1)
	return c.st.lazyFilter(c.Args[0], func(any) (bool, error) {
		i++
		return i < pos || (count >= 0 && i >= pos+count), nil
	})
}

func fnListInsert(c *Call) (any, error) {
	l := c.Args[0].([]any)
	if err := c.st.charge(len(l)); err != nil {
		return nil, err
	}
	pos, _ := toInt64(c.Args[1])
	n := int64(len(l))
	if pos < 0 {
		pos += n
		if pos < 0 {
			pos = 0
		}
	}
	if pos > n {
		pos = n
	}
	out := make([]any, 0, n+1)
	out = append(out, l[:pos]...)
	out = append(out, c.Args[2])
	return append(out, l[pos:]...), nil
}

func fnIterInsert(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	pos, _ := toInt64(c.Args[1])
	var out []any
	for i, t := range items {
		if int64(i) == pos {
			out = append(out, c.Args[2])
		}
		out = append(out, t)
	}
	if pos > int64(len(items))-1 {
		out = append(out, c.Args[2])
	}
	return seqOfSlice(out), nil
}

func fnInsertMany(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	values, err := c.st.toSlice(c.Args[2])
	if err != nil {
		return nil, err
	}
	pos, _ := toInt64(c.Args[1])
	var out []any
	if pos < 0 {
		out = append(out, values...)
	}
	for i, t := range items {
		if int64(i) == pos {
			out = append(out, values...)
		}
		out = append(out, t)
	}
	if pos > int64(len(items))-1 {
		out = append(out, values...)
	}
	return seqOfSlice(out), nil
}

func fnReplaceMany(many bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		items, err := c.st.toSlice(c.Args[0])
		if err != nil {
			return nil, err
		}
		pos, _ := toInt64(c.Args[1])
		count, _ := toInt64(c.Args[3])
		repl := []any{c.Args[2]}
		if many {
			if repl, err = c.st.toSlice(c.Args[2]); err != nil {
				return nil, err
			}
		}
		var out []any
		yielded := false
		for i, t := range items {
			ii := int64(i)
			if (ii >= pos && ii < pos+count) || (count < 0 && ii >= pos) {
				if !yielded {
					yielded = true
					out = append(out, repl...)
				}
				continue
			}
			out = append(out, t)
		}
		return seqOfSlice(out), nil
	}
}
