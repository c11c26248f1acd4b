package yaql

// Queries that cut or combine collections: skip/take, slices, splits, zip, join.

func fnSkip(c *Call) (any, error) {
	n, _ := toInt64(c.Args[1])
	if n < 0 {
		return nil, errf(KindValue, "skip() count must be a non-negative integer, not %d", n)
	}
	i := int64(0)
	return c.st.lazyFilter(c.Args[0], func(any) (bool, error) { i++; return i > n, nil })
}

func fnTake(c *Call) (any, error) {
	n, _ := toInt64(c.Args[1])
	if n < 0 {
		return nil, errf(KindValue, "take()/limit() count must be a non-negative integer, not %d", n)
	}
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
	start, end := 0, 0
	for ; end < len(items); end++ {
		r, err := pred.Call(items[end])
		if err != nil {
			return nil, err
		}
		if truthy(r) {
			out = append(out, append([]any{}, items[start:end]...))
			start = end + 1
		}
	}
	if start != end {
		out = append(out, append([]any{}, items[start:end]...))
	}
	return seqOfSlice(out), nil
}
