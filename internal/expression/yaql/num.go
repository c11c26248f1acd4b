package yaql

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/bora-workflow/bora/internal/value"
)

// Arithmetic with Python's rules: ints are unbounded (int64 overflowing into
// *big.Int and back), int/int is floor division, mod takes the sign of the
// divisor, and any float operand makes the result a float.

func toBig(v any) *big.Int {
	switch t := v.(type) {
	case int64:
		return big.NewInt(t)
	case *big.Int:
		return t
	case bool:
		if t {
			return big.NewInt(1)
		}
		return big.NewInt(0)
	}
	return new(big.Int)
}

func toFloat(v any) float64 {
	switch t := v.(type) {
	case int64:
		return float64(t)
	case *big.Int:
		f, _ := new(big.Float).SetInt(t).Float64()
		return f
	case float64:
		return t
	case bool:
		if t {
			return 1
		}
	}
	return 0
}

func normBig(b *big.Int) any { return value.NormalizeInt(b) }

// numCmp compares two numbers (int64, *big.Int, float64).
func numCmp(a, b any) int {
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	_, af := a.(float64)
	_, bf := b.(float64)
	if af || bf {
		x, y := toBigFloat(a), toBigFloat(b)
		if x == nil || y == nil { // NaN
			return 2
		}
		return x.Cmp(y)
	}
	return toBig(a).Cmp(toBig(b))
}

func toBigFloat(v any) *big.Float {
	if f, ok := v.(float64); ok {
		if math.IsNaN(f) {
			return nil
		}
		return new(big.Float).SetFloat64(f)
	}
	return new(big.Float).SetInt(toBig(v))
}

func numAdd(a, b any) any {
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok {
			s := x + y
			if (s > x) == (y > 0) {
				return s
			}
		}
	}
	if isFloatPair(a, b) {
		return toFloat(a) + toFloat(b)
	}
	return normBig(new(big.Int).Add(toBig(a), toBig(b)))
}

func numSub(a, b any) any {
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok {
			s := x - y
			if (s < x) == (y > 0) {
				return s
			}
		}
	}
	if isFloatPair(a, b) {
		return toFloat(a) - toFloat(b)
	}
	return normBig(new(big.Int).Sub(toBig(a), toBig(b)))
}

func numMul(a, b any) (any, error) {
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok {
			hi, lo := bits.Mul64(uint64(abs64(x)), uint64(abs64(y)))
			if hi == 0 && lo <= math.MaxInt64 && x != math.MinInt64 && y != math.MinInt64 {
				return x * y, nil
			}
		}
	}
	if isFloatPair(a, b) {
		return toFloat(a) * toFloat(b), nil
	}
	x, y := toBig(a), toBig(b)
	if x.BitLen()+y.BitLen() > maxIntBits {
		return nil, errf(KindLimit, "integer result would exceed %d bits", maxIntBits)
	}
	return normBig(new(big.Int).Mul(x, y)), nil
}

// maxIntBits caps integer size: Python ints are unbounded, but repeated
// squaring in a loop must not eat the server's memory.
const maxIntBits = 1 << 16

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func isFloatPair(a, b any) bool {
	_, af := a.(float64)
	_, bf := b.(float64)
	return af || bf
}

func isZero(v any) bool {
	switch t := v.(type) {
	case int64:
		return t == 0
	case *big.Int:
		return t.Sign() == 0
	case float64:
		return t == 0
	}
	return false
}

// numDiv is yaql's '/': floor division for two ints, true division otherwise.
func numDiv(a, b any) (any, error) {
	if isZero(b) {
		if isFloatPair(a, b) {
			return nil, errf(KindZeroDivision, "float division by zero")
		}
		return nil, errf(KindZeroDivision, "integer division or modulo by zero")
	}
	if isFloatPair(a, b) {
		return toFloat(a) / toFloat(b), nil
	}
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok && !(x == math.MinInt64 && y == -1) {
			q := x / y
			if (x%y != 0) && ((x < 0) != (y < 0)) {
				q--
			}
			return q, nil
		}
	}
	q, m := new(big.Int).DivMod(toBig(a), toBig(b), new(big.Int))
	// big.DivMod is Euclidean (m >= 0); Python floors toward -inf.
	if m.Sign() != 0 && toBig(b).Sign() < 0 {
		q.Add(q, big.NewInt(1))
	}
	return normBig(q), nil
}

// numMod is Python's %: the result has the sign of the divisor.
func numMod(a, b any) (any, error) {
	if isZero(b) {
		if isFloatPair(a, b) {
			return nil, errf(KindZeroDivision, "float modulo")
		}
		return nil, errf(KindZeroDivision, "integer division or modulo by zero")
	}
	if isFloatPair(a, b) {
		x, y := toFloat(a), toFloat(b)
		m := math.Mod(x, y)
		if m != 0 && (m < 0) != (y < 0) {
			m += y
		}
		return m, nil
	}
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok && y != -1 {
			m := x % y
			if m != 0 && (m < 0) != (y < 0) {
				m += y
			}
			return m, nil
		}
	}
	bb := toBig(b)
	m := new(big.Int).Mod(toBig(a), bb) // Euclidean, m >= 0
	if m.Sign() != 0 && bb.Sign() < 0 {
		m.Add(m, bb)
	}
	return normBig(m), nil
}

func numNeg(a any) any {
	switch t := a.(type) {
	case int64:
		if t != math.MinInt64 {
			return -t
		}
	case float64:
		return -t
	}
	return normBig(new(big.Int).Neg(toBig(a)))
}

func numSign(a any) int {
	switch t := a.(type) {
	case int64:
		switch {
		case t > 0:
			return 1
		case t < 0:
			return -1
		}
		return 0
	case *big.Int:
		return t.Sign()
	case float64:
		switch {
		case t > 0:
			return 1
		case t < 0:
			return -1
		}
	}
	return 0
}

// toInt64 returns v as an int64 when it is an integer that fits.
func toInt64(v any) (int64, bool) {
	switch t := v.(type) {
	case int64:
		return t, true
	case bool:
		if t {
			return 1, true
		}
		return 0, true
	case *big.Int:
		if t.IsInt64() {
			return t.Int64(), true
		}
	}
	return 0, false
}
