package yaql

// iterator pulls the elements of an iterable value, failing once more than
// the engine's iteration limit have been produced — yaql's
// limitIterators, which keeps sequence()/repeat()/cycle() from running away.
type iterator struct {
	next  func() (any, bool, error)
	st    *evalState
	count int
}

// Next returns the next element, or ok == false at the end.
func (it *iterator) Next() (any, bool, error) {
	v, ok, err := it.next()
	if err != nil || !ok {
		return nil, false, err
	}
	it.count++
	if err := it.st.step(it.count); err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// iterate returns an iterator over a list, set or lazy sequence.
func (st *evalState) iterate(v any) (*iterator, error) {
	var next func() (any, bool, error)
	switch t := v.(type) {
	case []any:
		next = seqOfSlice(t).next
	case *Set:
		next = seqOfSlice(t.ordered()).next
	case *Seq:
		if t.reusable {
			next = seqOfSlice(t.items).next
		} else {
			next = t.next
		}
	default:
		return nil, errf(KindType, "%s is not iterable", typeName(v))
	}
	return &iterator{next: next, st: st}, nil
}

// toSlice materialises an iterable; a list is returned as is.
func (st *evalState) toSlice(v any) ([]any, error) {
	if l, ok := v.([]any); ok {
		return l, nil
	}
	it, err := st.iterate(v)
	if err != nil {
		return nil, err
	}
	var out []any
	for {
		e, ok, err := it.Next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		out = append(out, e)
	}
}

// lazyMap returns a sequence applying fn to each element of an iterable.
func (st *evalState) lazyMap(v any, fn func(any) (any, error)) (*Seq, error) {
	it, err := st.iterate(v)
	if err != nil {
		return nil, err
	}
	return newSeq(func() (any, bool, error) {
		e, ok, err := it.Next()
		if err != nil || !ok {
			return nil, false, err
		}
		r, err := fn(e)
		if err != nil {
			return nil, false, err
		}
		return r, true, nil
	}), nil
}

// lazyFilter returns a sequence of the elements for which keep is true.
func (st *evalState) lazyFilter(v any, keep func(any) (bool, error)) (*Seq, error) {
	it, err := st.iterate(v)
	if err != nil {
		return nil, err
	}
	return newSeq(func() (any, bool, error) {
		for {
			e, ok, err := it.Next()
			if err != nil || !ok {
				return nil, false, err
			}
			k, err := keep(e)
			if err != nil {
				return nil, false, err
			}
			if k {
				return e, true, nil
			}
		}
	}), nil
}

// lazyConcat chains iterables lazily.
func (st *evalState) lazyConcat(vs ...any) (*Seq, error) {
	its := make([]*iterator, len(vs))
	for i, v := range vs {
		it, err := st.iterate(v)
		if err != nil {
			return nil, err
		}
		its[i] = it
	}
	i := 0
	return newSeq(func() (any, bool, error) {
		for i < len(its) {
			e, ok, err := its[i].Next()
			if err != nil {
				return nil, false, err
			}
			if ok {
				return e, true, nil
			}
			i++
		}
		return nil, false, nil
	}), nil
}
