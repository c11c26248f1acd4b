package yaql

import (
	"sort"

	"github.com/bora-workflow/bora/internal/value"
)

func registerQueries(e *Engine) {
	coll := P("collection", TIterable)
	e.register(
		def("where", Method, fnWhere, coll, L("predicate")),
		def("filter", Method, fnWhere, coll, L("predicate")),
		def("select", Method, fnSelect, coll, L("selector")),
		def("map", Method, fnSelect, coll, L("selector")),
		def("selectMany", Method, fnSelectMany, coll, L("selector")),
		def("len", Both, fnCount, coll),
		def("count", Method, fnCount, coll),
		def("first", Method, fnFirst, coll, Opt("default", TAny, noValue)),
		def("last", Method, fnLast, coll, Opt("default", TAny, noValue)),
		def("single", Method, fnSingle, coll),
		def("any", Both, fnAnyAll(true), coll, LOpt("predicate")),
		def("all", Both, fnAnyAll(false), coll, LOpt("predicate")),
		def("sum", Method, fnSum, coll, Opt("initial", TAny, noValue)),
		def("max", Method, fnCollMinMax(true), coll, Opt("initial", TAny, noValue)),
		def("min", Method, fnCollMinMax(false), coll, Opt("initial", TAny, noValue)),
		def("aggregate", Method, fnAggregate, coll, L("selector"), Opt("seed", TAny, noValue)),
		def("reduce", Method, fnAggregate, coll, L("selector"), Opt("seed", TAny, noValue)),
		def("accumulate", Method, fnAccumulate, coll, L("selector"), Opt("seed", TAny, noValue)),
		def("orderBy", Method, fnOrderBy(false), coll, L("selector")),
		def("orderByDescending", Method, fnOrderBy(true), coll, L("selector")),
		def("thenBy", Method, fnThenBy(false), P("collection", TOrdered), L("selector")),
		def("thenByDescending", Method, fnThenBy(true), P("collection", TOrdered), L("selector")),
		def("distinct", Both, fnDistinct, coll, LOpt("keySelector")),
		def("skip", Method, fnSkip, coll, P("count", TIntLike)),
		def("limit", Method, fnTake, coll, P("count", TIntLike)),
		def("take", Method, fnTake, coll, P("count", TIntLike)),
		def("skipWhile", Method, fnSkipWhile, coll, L("predicate")),
		def("takeWhile", Method, fnTakeWhile, coll, L("predicate")),
		def("reverse", Method, func(c *Call) (any, error) {
			items, err := c.st.toSlice(c.Args[0])
			if err != nil {
				return nil, err
			}
			out := make([]any, len(items))
			for i, v := range items {
				out[len(items)-1-i] = v
			}
			return seqOfSlice(out), nil
		}, coll),
		def("memorize", Method, func(c *Call) (any, error) {
			items, err := c.st.toSlice(c.Args[0])
			if err != nil {
				return nil, err
			}
			return reusableSeq(items), nil
		}, coll),
		def("enumerate", Both, fnEnumerate, coll, Opt("start", TIntLike, int64(0))),
		variadic(def("concat", Both, func(c *Call) (any, error) { return c.st.lazyConcat(c.Args...) }, coll), P("args", TIterable)),
		variadic(def("append", Both, func(c *Call) (any, error) {
			return c.st.lazyConcat(c.Args[0], append([]any{}, c.Args[1:]...))
		}, coll), P("args", TAny)),
		def("indexOf", Method, fnIndexOf(false), coll, P("item", TAny)),
		def("lastIndexOf", Method, fnIndexOf(true), coll, P("item", TAny)),
		def("indexWhere", Method, fnIndexWhere(false), coll, L("predicate")),
		def("lastIndexWhere", Method, fnIndexWhere(true), coll, L("predicate")),
		def("defaultIfEmpty", Method, func(c *Call) (any, error) {
			items, err := c.st.toSlice(c.Args[0])
			if err != nil {
				return nil, err
			}
			if len(items) == 0 {
				return c.Args[1], nil
			}
			return seqOfSlice(items), nil
		}, coll, P("default", TAny)),
		def("groupBy", Method, fnGroupBy, coll, L("keySelector"), LOpt("valueSelector"), LOpt("aggregator")),
		def("join", Method, fnJoin, coll, P("collection2", TIterable), L("predicate"), L("selector")),
		variadic(def("zip", Method, fnZip(false), coll), P("args", TIterable)),
		withKwargs(variadic(def("zipLongest", Method, fnZip(true), coll), P("args", TIterable))),
		def("range", Function, fnRange, P("stop", TIntLike)),
		def("range", Function, fnRange, P("start", TIntLike), P("stop", TIntLike), Opt("step", TIntLike, int64(1))),
		def("sequence", Function, fnSequence, Opt("start", TNumber, int64(0)), Opt("step", TNumber, int64(1))),
		def("repeat", Method, fnRepeat, P("value", TAny), Opt("times", TIntLike, int64(-1))),
		def("cycle", Method, fnCycle, coll),
		def("isIterable", Function, func(c *Call) (any, error) { return isIterable(c.Args[0]), nil }, P("value", TAny)),
		def("slice", Method, fnSlice, coll, P("length", TIntLike)),
		def("sliceWhere", Method, fnSliceWhere, coll, L("predicate")),
		def("splitAt", Method, fnSplitAt, coll, P("index", TIntLike)),
		def("splitWhere", Method, fnSplitWhere, coll, L("predicate")),
		def("mergeWith", Method, fnMergeWith, P("dict", TMap), P("another", TMap), LOpt("listMerger"), LOpt("itemMerger"), Opt("maxLevels", TIntLike, int64(0))),
		def("generate", Function, fnGenerate, P("initial", TAny), L("predicate"), L("producer"), LOpt("selector"), Opt("decycle", TBool, false)),
		def("generateMany", Function, fnGenerateMany, P("initial", TAny), L("producer"), LOpt("selector"), Opt("decycle", TBool, false), Opt("depthFirst", TBool, false)),
	)
}

func fnWhere(c *Call) (any, error) {
	pred := c.lambdaArg(1)
	return c.st.lazyFilter(c.Args[0], func(v any) (bool, error) {
		r, err := pred.Call(v)
		return truthy(r), err
	})
}

func fnSelect(c *Call) (any, error) {
	sel := c.lambdaArg(1)
	return c.st.lazyMap(c.Args[0], func(v any) (any, error) { return sel.Call(v) })
}

func fnSelectMany(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	sel := c.lambdaArg(1)
	var out []any
	for _, it := range items {
		r, err := sel.Call(it)
		if err != nil {
			return nil, err
		}
		if isIterable(r) {
			inner, err := c.st.toSlice(r)
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
		} else {
			out = append(out, r)
		}
	}
	return seqOfSlice(out), nil
}

func fnCount(c *Call) (any, error) {
	switch t := c.Args[0].(type) {
	case []any:
		return int64(len(t)), nil
	case *Set:
		return int64(t.Len()), nil
	}
	items, err := c.st.toSlice(c.Args[0])
	return int64(len(items)), err
}

func fnFirst(c *Call) (any, error) {
	it, err := c.st.iterate(c.Args[0])
	if err != nil {
		return nil, err
	}
	v, ok, err := it.Next()
	if err != nil {
		return nil, err
	}
	if ok {
		return v, nil
	}
	if c.Args[1] != noValue {
		return c.Args[1], nil
	}
	return nil, errf(KindStopIteration, "first() of an empty collection (pass a default: first(null))")
}

func fnLast(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	if len(items) > 0 {
		return items[len(items)-1], nil
	}
	if c.Args[1] != noValue {
		return c.Args[1], nil
	}
	return nil, errf(KindStopIteration, "last() of an empty collection (pass a default: last(null))")
}

func fnSingle(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	switch len(items) {
	case 0:
		return nil, errf(KindStopIteration, "single() of an empty collection")
	case 1:
		return items[0], nil
	}
	return nil, errf(KindStopIteration, "single() of a collection with more than one element")
}

func fnAnyAll(isAny bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		it, err := c.st.iterate(c.Args[0])
		if err != nil {
			return nil, err
		}
		pred := c.lambdaArg(1)
		for {
			v, ok, err := it.Next()
			if err != nil {
				return nil, err
			}
			if !ok {
				return !isAny, nil
			}
			if pred != nil {
				if v, err = pred.Call(v); err != nil {
					return nil, err
				}
			} else if isAny {
				return true, nil // any() without a predicate: is there an element?
			}
			if truthy(v) == isAny {
				return isAny, nil
			}
		}
	}
}

func fnSum(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	acc := c.Args[1]
	for _, v := range items {
		if acc == noValue {
			acc = v
			continue
		}
		if acc, err = c.st.plus(acc, v); err != nil {
			return nil, err
		}
	}
	if acc == noValue {
		return int64(0), nil
	}
	return acc, nil
}

func fnCollMinMax(isMax bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		items, err := c.st.toSlice(c.Args[0])
		if err != nil {
			return nil, err
		}
		acc := c.Args[1]
		for _, v := range items {
			if acc == noValue {
				acc = v
				continue
			}
			gt, err := compareOp(">", v, acc)
			if err != nil {
				return nil, err
			}
			lt, err := compareOp("<", v, acc)
			if err != nil {
				return nil, err
			}
			if (isMax && gt.(bool)) || (!isMax && lt.(bool)) {
				acc = v
			}
		}
		if acc == noValue {
			return nil, errf(KindValue, "%s() of an empty collection", map[bool]string{true: "max", false: "min"}[isMax])
		}
		return acc, nil
	}
}

func fnAggregate(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	f := c.lambdaArg(1)
	acc := c.Args[2]
	for _, v := range items {
		if acc == noValue {
			acc = v
			continue
		}
		if acc, err = f.Call(acc, v); err != nil {
			return nil, err
		}
	}
	if acc == noValue {
		return nil, errf(KindType, "aggregate() of an empty collection with no seed")
	}
	return acc, nil
}

func fnAccumulate(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	f := c.lambdaArg(1)
	acc := c.Args[2]
	var out []any
	if acc != noValue {
		out = append(out, acc)
	}
	for _, v := range items {
		if acc == noValue {
			acc = v
		} else if acc, err = f.Call(acc, v); err != nil {
			return nil, err
		}
		out = append(out, acc)
	}
	return seqOfSlice(out), nil
}

// orderedSeq is the result of orderBy: it remembers its sort keys so
// thenBy can refine the order.
type orderedSeq struct {
	items []any
	keys  [][]any
	desc  []bool
}

// TOrdered accepts the result of orderBy/thenBy.
var TOrdered = Type{"ordered collection", func(v any) bool { _, ok := v.(*Seq); return ok && v.(*Seq).ordered != nil }}

func sortOrdered(o *orderedSeq) error {
	idx := make([]int, len(o.items))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	sort.SliceStable(idx, func(a, b int) bool {
		for k := range o.desc {
			x, y := o.keys[idx[a]][k], o.keys[idx[b]][k]
			lt, err := compareOp("<", x, y)
			if err != nil {
				cmpErr = err
				return false
			}
			gt, _ := compareOp(">", x, y)
			if lt.(bool) {
				return !o.desc[k]
			}
			if gt.(bool) {
				return o.desc[k]
			}
		}
		return false
	})
	items := make([]any, len(idx))
	keys := make([][]any, len(idx))
	for i, j := range idx {
		items[i], keys[i] = o.items[j], o.keys[j]
	}
	o.items, o.keys = items, keys
	return cmpErr
}

func orderedResult(o *orderedSeq) *Seq {
	s := reusableSeq(o.items)
	s.ordered = o
	return s
}

func fnOrderBy(desc bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		items, err := c.st.toSlice(c.Args[0])
		if err != nil {
			return nil, err
		}
		sel := c.lambdaArg(1)
		o := &orderedSeq{items: items, keys: make([][]any, len(items)), desc: []bool{desc}}
		for i, v := range items {
			k, err := sel.Call(v)
			if err != nil {
				return nil, err
			}
			o.keys[i] = []any{k}
		}
		if err := sortOrdered(o); err != nil {
			return nil, err
		}
		return orderedResult(o), nil
	}
}

func fnThenBy(desc bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		prev := c.Args[0].(*Seq).ordered
		sel := c.lambdaArg(1)
		o := &orderedSeq{items: prev.items, keys: make([][]any, len(prev.items)), desc: append(append([]bool{}, prev.desc...), desc)}
		for i, v := range prev.items {
			k, err := sel.Call(v)
			if err != nil {
				return nil, err
			}
			o.keys[i] = append(append([]any{}, prev.keys[i]...), k)
		}
		if err := sortOrdered(o); err != nil {
			return nil, err
		}
		return orderedResult(o), nil
	}
}

func fnDistinct(c *Call) (any, error) {
	sel := c.lambdaArg(1)
	seen := map[string]bool{}
	return c.st.lazyFilter(c.Args[0], func(v any) (bool, error) {
		k := v
		if sel != nil {
			var err error
			if k, err = sel.Call(v); err != nil {
				return false, err
			}
		}
		h := hashKey(k)
		if seen[h] {
			return false, nil
		}
		seen[h] = true
		return true, nil
	})
}

func fnSkip(c *Call) (any, error) {
	n, _ := toInt64(c.Args[1])
	i := int64(0)
	return c.st.lazyFilter(c.Args[0], func(any) (bool, error) { i++; return i > n, nil })
}

func fnTake(c *Call) (any, error) {
	n, _ := toInt64(c.Args[1])
	it, err := c.st.iterate(c.Args[0])
	if err != nil {
		return nil, err
	}
	i := int64(0)
	return newSeq(func() (any, bool, error) {
		if i >= n {
			return nil, false, nil
		}
		i++
		return it.Next()
	}), nil
}

func fnSkipWhile(c *Call) (any, error) {
	pred := c.lambdaArg(1)
	skipping := true
	return c.st.lazyFilter(c.Args[0], func(v any) (bool, error) {
		if !skipping {
			return true, nil
		}
		r, err := pred.Call(v)
		if err != nil {
			return false, err
		}
		skipping = truthy(r)
		return !skipping, nil
	})
}

func fnTakeWhile(c *Call) (any, error) {
	pred := c.lambdaArg(1)
	it, err := c.st.iterate(c.Args[0])
	if err != nil {
		return nil, err
	}
	done := false
	return newSeq(func() (any, bool, error) {
		if done {
			return nil, false, nil
		}
		v, ok, err := it.Next()
		if err != nil || !ok {
			return nil, false, err
		}
		r, err := pred.Call(v)
		if err != nil {
			return nil, false, err
		}
		if !truthy(r) {
			done = true
			return nil, false, nil
		}
		return v, true, nil
	}), nil
}

func fnEnumerate(c *Call) (any, error) {
	i, _ := toInt64(c.Args[1])
	i--
	return c.st.lazyMap(c.Args[0], func(v any) (any, error) { i++; return []any{i, v}, nil })
}

func fnIndexOf(last bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		items, err := c.st.toSlice(c.Args[0])
		if err != nil {
			return nil, err
		}
		res := int64(-1)
		for i, v := range items {
			if equal(v, c.Args[1]) {
				res = int64(i)
				if !last {
					break
				}
			}
		}
		return res, nil
	}
}

func fnIndexWhere(last bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		items, err := c.st.toSlice(c.Args[0])
		if err != nil {
			return nil, err
		}
		pred := c.lambdaArg(1)
		res := int64(-1)
		for i, v := range items {
			r, err := pred.Call(v)
			if err != nil {
				return nil, err
			}
			if truthy(r) {
				res = int64(i)
				if !last {
					break
				}
			}
		}
		return res, nil
	}
}

func fnGroupBy(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	keySel, valSel, agg := c.lambdaArg(1), c.lambdaArg(2), c.lambdaArg(3)
	var order []string
	keys := map[string]any{}
	groups := map[string][]any{}
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
		h := hashKey(k)
		if _, ok := groups[h]; !ok {
			order = append(order, h)
			keys[h] = k
		}
		groups[h] = append(groups[h], v)
	}
	out := make([]any, 0, len(order))
	ga := &groupAggregator{agg: agg, allowFallback: true}
	for _, h := range order {
		r, err := ga.apply(c.st, keys[h], groups[h])
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return seqOfSlice(out), nil
}

// groupAggregator reproduces yaql's GroupAggregator: the aggregator gets a
// group's value list; if that fails the way a yaql 1.1.1 style aggregator
// (which took the [key, values] pair) would, it falls back to that style.
type groupAggregator struct {
	agg           *Lambda
	failure       error
	allowFallback bool
}

func (g *groupAggregator) apply(st *evalState, key any, values []any) (any, error) {
	if g.agg == nil {
		return []any{key, values}, nil
	}
	if g.failure == nil {
		r, err := g.agg.Call(values)
		switch KindOf(err) {
		case "":
			if err != nil {
				return nil, err
			}
			rl, isList := r.([]any)
			if !(len(values) == 2 && isList && len(rl) == 2 && equal(rl[0], values[0])) {
				g.allowFallback = false
			}
			return []any{key, r}, nil
		case KindNoMatchingMethod, KindNoMatchingFunc, KindIndex:
			g.failure = err
		default:
			return nil, err
		}
	}
	if g.allowFallback {
		r, err := g.agg.Call([]any{key, values})
		if err == nil {
			if items, err := st.toSlice(r); err == nil && len(items) == 2 {
				return r, nil
			}
		}
	}
	return nil, g.failure
}

func fnJoin(c *Call) (any, error) {
	left, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	right, err := c.st.toSlice(c.Args[1])
	if err != nil {
		return nil, err
	}
	pred, sel := c.lambdaArg(2), c.lambdaArg(3)
	var out []any
	for _, l := range left {
		for _, r := range right {
			ok, err := pred.Call(l, r)
			if err != nil {
				return nil, err
			}
			if truthy(ok) {
				v, err := sel.Call(l, r)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
		}
	}
	return seqOfSlice(out), nil
}

func fnZip(longest bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		var fill any
		for _, kw := range c.Kwargs {
			if kw.Name != "default" {
				return nil, errf(KindNoMatchingMethod, "zipLongest() has no parameter %s", kw.Name)
			}
			fill = kw.Value
		}
		var lists [][]any
		n := -1
		for _, a := range c.Args {
			l, err := c.st.toSlice(a)
			if err != nil {
				return nil, err
			}
			lists = append(lists, l)
			if n < 0 || (!longest && len(l) < n) || (longest && len(l) > n) {
				n = len(l)
			}
		}
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			row := make([]any, len(lists))
			for j, l := range lists {
				if i < len(l) {
					row[j] = l[i]
				} else {
					row[j] = fill
				}
			}
			out = append(out, row)
		}
		return seqOfSlice(out), nil
	}
}

func fnRange(c *Call) (any, error) {
	var start, stop, step int64 = 0, 0, 1
	if len(c.Args) == 1 {
		stop, _ = toInt64(c.Args[0])
	} else {
		start, _ = toInt64(c.Args[0])
		stop, _ = toInt64(c.Args[1])
		step, _ = toInt64(c.Args[2])
	}
	if step == 0 {
		return nil, errf(KindValue, "range() arg 3 must not be zero")
	}
	i := start
	return newSeq(func() (any, bool, error) {
		if (step > 0 && i >= stop) || (step < 0 && i <= stop) {
			return nil, false, nil
		}
		v := i
		i += step
		return v, true, nil
	}), nil
}

func fnSequence(c *Call) (any, error) {
	cur, step := c.Args[0], c.Args[1]
	return newSeq(func() (any, bool, error) {
		v := cur
		cur = numAdd(cur, step)
		return v, true, nil
	}), nil
}

func fnRepeat(c *Call) (any, error) {
	n, _ := toInt64(c.Args[1])
	i := int64(0)
	return newSeq(func() (any, bool, error) {
		if n >= 0 && i >= n {
			return nil, false, nil
		}
		i++
		return c.Args[0], true, nil
	}), nil
}

func fnCycle(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	i := 0
	return newSeq(func() (any, bool, error) {
		if len(items) == 0 {
			return nil, false, nil
		}
		v := items[i%len(items)]
		i++
		return v, true, nil
	}), nil
}

func fnSlice(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	n, _ := toInt64(c.Args[1])
	if n <= 0 {
		return nil, errf(KindValue, "slice() length must be positive")
	}
	var out []any
	for i := 0; i < len(items); i += int(n) {
		out = append(out, append([]any{}, items[i:min(i+int(n), len(items))]...))
	}
	return seqOfSlice(out), nil
}

func fnSliceWhere(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	pred := c.lambdaArg(1)
	var out []any
	var cur []any
	var prev any = noValue
	for _, v := range items {
		k, err := pred.Call(v)
		if err != nil {
			return nil, err
		}
		kb := truthy(k)
		if prev != noValue && kb != prev.(bool) && len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
		cur = append(cur, v)
		prev = kb
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return seqOfSlice(out), nil
}

func fnSplitAt(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	n, _ := toInt64(c.Args[1])
	lo, _ := pySliceBounds(n, n, int64(len(items)))
	return []any{append([]any{}, items[:lo]...), append([]any{}, items[lo:]...)}, nil
}

func fnSplitWhere(c *Call) (any, error) {
	items, err := c.st.toSlice(c.Args[0])
	if err != nil {
		return nil, err
	}
	pred := c.lambdaArg(1)
	var out []any
	cur := []any{}
	for _, v := range items {
		r, err := pred.Call(v)
		if err != nil {
			return nil, err
		}
		if truthy(r) {
			out = append(out, cur)
			cur = []any{}
			continue
		}
		cur = append(cur, v)
	}
	out = append(out, cur)
	return seqOfSlice(out), nil
}

func fnGenerate(c *Call) (any, error) {
	cur := c.Args[0]
	pred, prod, sel := c.lambdaArg(1), c.lambdaArg(2), c.lambdaArg(3)
	decycle := truthy(c.Args[4])
	seen := map[string]bool{}
	var out []any
	for {
		ok, err := pred.Call(cur)
		if err != nil {
			return nil, err
		}
		if !truthy(ok) {
			break
		}
		if decycle {
			h := hashKey(cur)
			if seen[h] {
				break
			}
			seen[h] = true
		}
		v := cur
		if sel != nil {
			if v, err = sel.Call(cur); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
		if len(out) > c.st.limit {
			return nil, errf(KindLimit, "iteration limit of %d elements exceeded", c.st.limit)
		}
		if cur, err = prod.Call(cur); err != nil {
			return nil, err
		}
	}
	return seqOfSlice(out), nil
}

func fnGenerateMany(c *Call) (any, error) {
	prod, sel := c.lambdaArg(1), c.lambdaArg(2)
	decycle, depthFirst := truthy(c.Args[3]), truthy(c.Args[4])
	queue := []any{c.Args[0]}
	seen := map[string]bool{}
	var out []any
	for len(queue) > 0 {
		var cur any
		cur, queue = queue[0], queue[1:]
		if decycle {
			h := hashKey(cur)
			if seen[h] {
				continue
			}
			seen[h] = true
		}
		v := cur
		var err error
		if sel != nil {
			if v, err = sel.Call(cur); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
		if len(out) > c.st.limit {
			return nil, errf(KindLimit, "iteration limit of %d elements exceeded", c.st.limit)
		}
		next, err := prod.Call(cur)
		if err != nil {
			return nil, err
		}
		items, err := c.st.toSlice(next)
		if err != nil {
			return nil, err
		}
		if depthFirst {
			queue = append(append([]any{}, items...), queue...)
		} else {
			queue = append(queue, items...)
		}
	}
	return seqOfSlice(out), nil
}

func fnMergeWith(c *Call) (any, error) {
	listMerger, itemMerger := c.lambdaArg(2), c.lambdaArg(3)
	maxLevels, _ := toInt64(c.Args[4])
	return c.st.mergeDicts(c.Args[0].(*value.Map), c.Args[1].(*value.Map), listMerger, itemMerger, maxLevels, 1)
}

func (st *evalState) mergeDicts(a, b *value.Map, listMerger, itemMerger *Lambda, maxLevels, level int64) (any, error) {
	out := a.Clone()
	var err error
	b.Range(func(k string, bv any) bool {
		av, ok := out.Get(k)
		if !ok {
			out.Set(k, bv)
			return true
		}
		var merged any
		merged, err = st.mergeValues(av, bv, listMerger, itemMerger, maxLevels, level)
		if err != nil {
			return false
		}
		out.Set(k, merged)
		return true
	})
	return out, err
}

func (st *evalState) mergeValues(a, b any, listMerger, itemMerger *Lambda, maxLevels, level int64) (any, error) {
	if maxLevels != 0 && level >= maxLevels {
		if itemMerger != nil {
			return itemMerger.Call(a, b)
		}
		return b, nil
	}
	am, aok := a.(*value.Map)
	bm, bok := b.(*value.Map)
	if aok && bok {
		return st.mergeDicts(am, bm, listMerger, itemMerger, maxLevels, level+1)
	}
	if isIterable(a) && isIterable(b) {
		if listMerger != nil {
			return listMerger.Call(a, b)
		}
		al, err := st.toSlice(a)
		if err != nil {
			return nil, err
		}
		bl, err := st.toSlice(b)
		if err != nil {
			return nil, err
		}
		out := append([]any{}, al...)
		seen := setOf(al)
		for _, v := range bl {
			if !seen.Has(v) {
				out = append(out, v)
				seen.Add(v)
			}
		}
		return out, nil
	}
	if itemMerger != nil {
		return itemMerger.Call(a, b)
	}
	return b, nil
}
