package yaql

// registerQueries adds yaql's queries module: LINQ-style methods over
// collections. Most return lazy sequences, as yaql's Python generators do.
func registerQueries(e *Engine) {
	coll := P("collection", TIterable)
	e.register(
		def("where", Method, fnWhere, coll, L("predicate")),
		def("filter", Method, fnWhere, coll, L("predicate")),
		def("select", Method, fnSelect, coll, L("selector")),
		def("map", Method, fnSelect, coll, L("selector")),
		def("selectMany", Method, fnSelectMany, coll, L("selector")),
		def("len", Both, fnCount, P("collection", TIterator)),
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
			switch t := c.Args[0].(type) {
			case []any:
				if len(t) == 0 {
					return c.Args[1], nil
				}
				return t, nil
			case *Set:
				if t.Len() == 0 {
					return c.Args[1], nil
				}
				return t, nil
			}
			items, err := c.st.toSlice(c.Args[0])
			if err != nil {
				return nil, err
			}
			if len(items) == 0 {
				return c.Args[1], nil
			}
			return reusableSeq(items), nil
		}, coll, P("default", TIterable)),
		def("groupBy", Method, fnGroupBy, coll, L("keySelector"), LOpt("valueSelector"), LOpt("aggregator")),
		def("join", Method, fnJoin, P("collection1", TIterable), P("collection2", TIterable), L("predicate"), L("selector")),
		variadic(def("zip", Method, fnZip(false), coll), P("args", TIterable)),
		withKwargs(variadic(def("zipLongest", Method, fnZip(true), coll), P("args", TIterable))),
		def("range", Function, fnRange, P("stop", TIntLike)),
		def("range", Function, fnRange, P("start", TIntLike), P("stop", TIntLike), Opt("step", TIntLike, int64(1))),
		def("sequence", Function, fnSequence, Opt("start", TIntLike, int64(0)), Opt("step", TIntLike, int64(1))),
		def("repeat", Method, fnRepeat, P("value", TAny), Opt("times", TIntLike, int64(-1))),
		def("cycle", Method, fnCycle, coll),
		def("isIterable", Function, func(c *Call) (any, error) { return isIterable(c.Args[0]), nil }, P("value", TAny)),
		def("slice", Method, fnSlice, coll, P("length", TIntLike)),
		def("sliceWhere", Method, fnSliceWhere, coll, L("predicate")),
		def("splitAt", Method, fnSplitAt, coll, P("index", TIntLike)),
		def("splitWhere", Method, fnSplitWhere, coll, L("predicate")),
		def("mergeWith", Method, fnMergeWith, P("dict", TMap), P("another", TMap), LOpt("listMerger"), LOpt("itemMerger"), Opt("maxLevels", TIntLike, int64(0))),
		def("generate", Function, fnGenerate, P("initial", TAny), L("predicate"), L("producer"), LOpt("selector"), Opt("decycle", TBoolN, false)),
		def("generateMany", Function, fnGenerateMany, P("initial", TAny), L("producer"), LOpt("selector"), Opt("decycle", TBoolN, false), Opt("depthFirst", TBoolN, false)),
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
		return nil, errf(KindType, "sum() of an empty collection needs an initial value")
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
			return nil, errf(KindType, "%s() of an empty collection needs an initial value", map[bool]string{true: "max", false: "min"}[isMax])
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
	} else if len(items) == 0 {
		return nil, errf(KindType, "accumulate() of an empty collection needs a seed")
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
