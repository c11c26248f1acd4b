package yaql

import "sort"

// Ordering and grouping queries: orderBy/thenBy, distinct, groupBy.

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
