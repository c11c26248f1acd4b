package yaql

import (
	"strings"

	"github.com/bora-workflow/bora/internal/value"
)

// binaryOp applies an eagerly evaluated binary operator.
func (st *evalState) binaryOp(op string, l, r any) (any, error) {
	if isTimeValue(l) || isTimeValue(r) {
		if v, ok, err := dateTimeOp(op, l, r); ok {
			return v, err
		}
	}
	switch op {
	case "=":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "<", ">", "<=", ">=":
		return compareOp(op, l, r)
	case "+":
		return st.plus(l, r)
	case "-":
		if isNumber(l) && isNumber(r) {
			return numSub(l, r), nil
		}
		if a, ok := l.(*Set); ok {
			if b, ok := r.(*Set); ok {
				return setDifference(a, b), nil
			}
		}
	case "*":
		return st.times(l, r)
	case "/":
		if isNumber(l) && isNumber(r) {
			return numDiv(l, r)
		}
	case "mod":
		if isNumber(l) && isNumber(r) {
			return numMod(l, r)
		}
	case "in":
		return st.in(l, r)
	case "=~", "!~":
		m, err := regexMatchOp(l, r)
		if err != nil {
			return nil, err
		}
		return m == (op == "=~"), nil
	}
	return nil, errf(KindNoMatchingFunc, "operator %s cannot be applied to %s and %s", op, typeName(l), typeName(r))
}

func unaryOp(op string, v any) (any, error) {
	switch op {
	case "not":
		return !truthy(v), nil
	case "-":
		if isNumber(v) {
			return numNeg(v), nil
		}
		if ts, ok := v.(TimeSpan); ok {
			return TimeSpan{-ts.us}, nil
		}
	case "+":
		if isNumber(v) {
			return v, nil
		}
		if ts, ok := v.(TimeSpan); ok {
			return ts, nil
		}
	}
	return nil, errf(KindNoMatchingFunc, "unary operator %s cannot be applied to %s", op, typeName(v))
}

func (st *evalState) plus(l, r any) (any, error) {
	switch a := l.(type) {
	case int64, float64:
		if isNumber(r) {
			return numAdd(l, r), nil
		}
	case string:
		if b, ok := r.(string); ok {
			if len(a)+len(b) > st.limit*100 {
				return nil, errf(KindLimit, "string of more than %d bytes", st.limit*100)
			}
			return a + b, nil
		}
	case *value.Map:
		if b, ok := r.(*value.Map); ok {
			if err := st.charge(a.Len() + b.Len()); err != nil {
				return nil, err
			}
			m := a.Clone()
			m.Update(b)
			return m, nil
		}
	case []any:
		if b, ok := r.([]any); ok {
			if len(a)+len(b) > st.limit {
				return nil, errf(KindLimit, "iteration limit of %d elements exceeded", st.limit)
			}
			if err := st.charge(len(a) + len(b)); err != nil {
				return nil, err
			}
			out := make([]any, 0, len(a)+len(b))
			return append(append(out, a...), b...), nil
		}
	case *Set:
		if b, ok := r.(*Set); ok {
			if err := st.charge(a.Len() + b.Len()); err != nil {
				return nil, err
			}
			return setUnion(a, b), nil
		}
	}
	if isNumber(l) && isNumber(r) {
		return numAdd(l, r), nil
	}
	if isIterable(l) && isIterable(r) {
		return st.lazyConcat(l, r)
	}
	return nil, errf(KindNoMatchingFunc, "operator + cannot be applied to %s and %s", typeName(l), typeName(r))
}

func (st *evalState) times(l, r any) (any, error) {
	if isNumber(l) && isNumber(r) {
		return numMul(l, r)
	}
	if isInt(l) || isBoolV(l) {
		l, r = r, l
	}
	n, isN := toInt64(r)
	if !isN || !(isInt(r) || isBoolV(r)) {
		return nil, errf(KindNoMatchingFunc, "operator * cannot be applied to %s and %s", typeName(l), typeName(r))
	}
	if n < 0 {
		n = 0
	}
	switch a := l.(type) {
	case string:
		if int64(len(a))*n > int64(st.limit*100) {
			return nil, errf(KindLimit, "string of more than %d bytes", st.limit*100)
		}
		return strings.Repeat(a, int(n)), nil
	case []any:
		if int64(len(a))*n > int64(st.limit) {
			return nil, errf(KindLimit, "iteration limit of %d elements exceeded", st.limit)
		}
		out := make([]any, 0, len(a)*int(n))
		for i := int64(0); i < n; i++ {
			out = append(out, a...)
		}
		return out, nil
	}
	return nil, errf(KindNoMatchingFunc, "operator * cannot be applied to %s and %s", typeName(l), typeName(r))
}

func isBoolV(v any) bool { _, ok := v.(bool); return ok }

func (st *evalState) in(l, r any) (any, error) {
	switch c := r.(type) {
	case string:
		if s, ok := l.(string); ok {
			return strings.Contains(c, s), nil
		}
		return nil, errf(KindNoMatchingFunc, "'in <string>' requires a string on the left, not %s", typeName(l))
	case *Set:
		return c.Has(l), nil
	case []any, *Seq:
		it, err := st.iterate(c)
		if err != nil {
			return nil, err
		}
		for {
			e, ok, err := it.Next()
			if err != nil {
				return nil, err
			}
			if !ok {
				return false, nil
			}
			if equal(e, l) {
				return true, nil
			}
		}
	}
	return nil, errf(KindNoMatchingFunc, "operator in cannot be applied to %s and %s (use containsKey() for dicts)", typeName(l), typeName(r))
}

// compareOp implements < > <= >= : numbers with numbers, strings with
// strings, sets by inclusion; null is smaller than everything.
func compareOp(op string, l, r any) (any, error) {
	if l != nil && r != nil && (isTimeValue(l) || isTimeValue(r)) {
		if v, ok, err := dateTimeOp(op, l, r); ok {
			return v, err
		}
	}
	var c int
	switch {
	case l == nil && r == nil:
		c = 0
	case l == nil:
		c = -1
	case r == nil:
		c = 1
	case isNumber(l) && isNumber(r):
		c = numCmp(l, r)
		if c == 2 { // NaN: every ordering comparison is false
			return false, nil
		}
	default:
		ls, lok := l.(string)
		rs, rok := r.(string)
		if lok && rok {
			c = strings.Compare(ls, rs)
			break
		}
		a, aok := l.(*Set)
		b, bok := r.(*Set)
		if aok && bok {
			return setCompare(op, a, b), nil
		}
		return nil, errf(KindNoMatchingFunc, "operator %s cannot compare %s with %s", op, typeName(l), typeName(r))
	}
	switch op {
	case "<":
		return c < 0, nil
	case ">":
		return c > 0, nil
	case "<=":
		return c <= 0, nil
	}
	return c >= 0, nil
}

func isSubset(a, b *Set) bool {
	for _, v := range a.items {
		if !b.Has(v) {
			return false
		}
	}
	return true
}

func setCompare(op string, a, b *Set) bool {
	switch op {
	case "<":
		return a.Len() < b.Len() && isSubset(a, b)
	case "<=":
		return isSubset(a, b)
	case ">":
		return b.Len() < a.Len() && isSubset(b, a)
	}
	return isSubset(b, a)
}

func setUnion(a, b *Set) *Set {
	c := a.clone()
	for _, v := range b.ordered() {
		c.Add(v)
	}
	return c
}

func setDifference(a, b *Set) *Set {
	c := NewSet()
	for _, v := range a.ordered() {
		if !b.Has(v) {
			c.Add(v)
		}
	}
	return c
}

func setIntersect(a, b *Set) *Set {
	c := NewSet()
	for _, v := range a.ordered() {
		if b.Has(v) {
			c.Add(v)
		}
	}
	return c
}

// index is target[args...]: list by int (negative from the end), dict by
// key, dict[key, default].
func (st *evalState) index(target any, args []any) (any, error) {
	switch t := target.(type) {
	case []any:
		if len(args) == 1 {
			i, ok := toInt64(args[0])
			if !ok {
				break
			}
			n := int64(len(t))
			if i < 0 {
				i += n
			}
			if i < 0 || i >= n {
				return nil, errf(KindIndex, "list index %v out of range (length %d)", args[0], n)
			}
			return t[i], nil
		}
	case *value.Map:
		if len(args) == 1 || len(args) == 2 {
			k, err := resolveKey(t, args[0])
			if err != nil {
				return nil, err
			}
			v, ok := t.Get(k)
			if ok {
				return v, nil
			}
			if len(args) == 2 {
				return args[1], nil
			}
			return nil, errf(KindKey, "key %s not found", pyRepr(args[0]))
		}
	}
	return nil, errf(KindNoMatchingFunc, "cannot index %s with %d argument(s)", typeName(target), len(args))
}

func isTimeValue(v any) bool {
	switch v.(type) {
	case DateTime, TimeSpan:
		return true
	}
	return false
}
