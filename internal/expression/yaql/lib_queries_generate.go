package yaql

// Generating queries: range, sequence, repeat, cycle, generate, generateMany.

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
