package yaql

import (
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/bora-workflow/bora/internal/value"
)

// equal is Python ==: numbers compare by value (true == 1, 1 == 1.0),
// lists element-wise, dicts and sets ignoring order, sequences by identity.
func equal(a, b any) bool {
	if na, ok := numeric(a); ok {
		nb, ok := numeric(b)
		return ok && numCmp(na, nb) == 0
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case *value.Map:
		y, ok := b.(*value.Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.Keys() {
			xv, _ := x.Get(k)
			yv, ok := y.Get(k)
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	case DateTime:
		y, ok := b.(DateTime)
		return ok && x.t.Equal(y.t)
	case TimeSpan:
		y, ok := b.(TimeSpan)
		return ok && x.us == y.us
	case *Set:
		y, ok := b.(*Set)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, v := range x.items {
			if !y.Has(v) {
				return false
			}
		}
		return true
	}
	return a == b
}

// numeric returns v as a number when it takes part in numeric equality
// (bools count: Python's True == 1).
func numeric(v any) (any, bool) {
	switch t := v.(type) {
	case bool:
		if t {
			return int64(1), true
		}
		return int64(0), true
	case int64, *big.Int, float64:
		return v, true
	}
	return nil, false
}

// hashKey gives equal values the same string, for sets, distinct and
// groupBy. Integral floats hash like ints, as in Python.
func hashKey(v any) string {
	var b strings.Builder
	writeHashKey(&b, v)
	return b.String()
}

func writeHashKey(b *strings.Builder, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("n")
	case bool:
		if t {
			b.WriteString("i1")
		} else {
			b.WriteString("i0")
		}
	case int64:
		b.WriteString("i")
		b.WriteString(strconv.FormatInt(t, 10))
	case *big.Int:
		b.WriteString("i")
		b.WriteString(t.String())
	case float64:
		if t == math.Trunc(t) && !math.IsInf(t, 0) {
			bf, _ := new(big.Float).SetFloat64(t).Int(nil)
			b.WriteString("i")
			b.WriteString(bf.String())
			return
		}
		b.WriteString("f")
		b.WriteString(strconv.FormatFloat(t, 'g', -1, 64))
	case string:
		b.WriteString("s")
		b.WriteString(strconv.Quote(t))
	case []any:
		b.WriteString("[")
		for _, e := range t {
			writeHashKey(b, e)
			b.WriteString(",")
		}
		b.WriteString("]")
	case *value.Map:
		keys := append([]string(nil), t.Keys()...)
		sort.Strings(keys)
		b.WriteString("{")
		for _, k := range keys {
			b.WriteString(strconv.Quote(k))
			b.WriteString(":")
			e, _ := t.Get(k)
			writeHashKey(b, e)
			b.WriteString(",")
		}
		b.WriteString("}")
	case *Set:
		parts := make([]string, 0, t.Len())
		for _, e := range t.items {
			parts = append(parts, hashKey(e))
		}
		sort.Strings(parts)
		b.WriteString("<" + strings.Join(parts, ",") + ">")
	case DateTime:
		b.WriteString("t" + strconv.FormatInt(t.t.UnixMicro(), 10))
	case TimeSpan:
		b.WriteString("T" + strconv.FormatInt(t.us, 10))
	default:
		b.WriteString("p")
		b.WriteString(strconv.FormatUint(uint64(uintptrOf(v)), 16))
	}
}
