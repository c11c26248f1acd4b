package yaql

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
)

// registerMath adds yaql's math module; arithmetic operators live in ops.go.
func registerMath(e *Engine) {
	e.register(
		def("abs", Function, func(c *Call) (any, error) {
			if numSign(c.Args[0]) < 0 {
				return numNeg(c.Args[0]), nil
			}
			return c.Args[0], nil
		}, P("op", TNumber)),
		def("int", Function, fnInt, P("value", TAny)),
		def("float", Function, fnFloat, P("value", TAny)),
		def("random", Function, func(*Call) (any, error) { return rand.Float64(), nil }),
		def("random", Function, func(c *Call) (any, error) {
			lo, hi := toBig(c.Args[0]), toBig(c.Args[1])
			span := new(big.Int).Sub(hi, lo)
			if span.Sign() < 0 {
				return nil, errf(KindValue, "empty range for random(%s, %s)", lo, hi)
			}
			span.Add(span, big.NewInt(1))
			if !span.IsInt64() {
				return nil, errf(KindValue, "random() range too large")
			}
			return normBig(new(big.Int).Add(lo, big.NewInt(rand.Int64N(span.Int64())))), nil
		}, P("from", TIntLike), P("to", TIntLike)),
		def("bitwiseAnd", Function, bitOp((*big.Int).And), P("left", TIntLike), P("right", TIntLike)),
		def("bitwiseOr", Function, bitOp((*big.Int).Or), P("left", TIntLike), P("right", TIntLike)),
		def("bitwiseXor", Function, bitOp((*big.Int).Xor), P("left", TIntLike), P("right", TIntLike)),
		def("bitwiseNot", Function, func(c *Call) (any, error) {
			return normBig(new(big.Int).Not(toBig(c.Args[0]))), nil
		}, P("arg", TIntLike)),
		def("shiftBitsLeft", Function, fnShift(true), P("value", TIntLike), P("bitsNumber", TIntLike)),
		def("shiftBitsRight", Function, fnShift(false), P("value", TIntLike), P("bitsNumber", TIntLike)),
		def("max", Function, fnMinMax(true), P("a", TAny), P("b", TAny)),
		def("min", Function, fnMinMax(false), P("a", TAny), P("b", TAny)),
		def("pow", Function, fnPow, P("a", TNumber), P("b", TNumber), Opt("c", TNumberN, nil)),
		def("sign", Function, func(c *Call) (any, error) { return int64(numSign(c.Args[0])), nil }, P("num", TNumber)),
		def("round", Function, fnRound, P("number", TNumber), Opt("ndigits", TIntLike, int64(0))),
		def("isInteger", Function, func(c *Call) (any, error) { return isInt(c.Args[0]), nil }, P("value", TAny)),
		def("isNumber", Function, func(c *Call) (any, error) { return isNumber(c.Args[0]), nil }, P("value", TAny)),
	)
}

func bitOp(op func(z, x, y *big.Int) *big.Int) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		return normBig(op(new(big.Int), toBig(c.Args[0]), toBig(c.Args[1]))), nil
	}
}

func fnShift(left bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		n, ok := toInt64(c.Args[1])
		if !ok || n < 0 {
			return nil, errf(KindValue, "negative shift count")
		}
		if n > maxIntBits {
			return nil, errf(KindLimit, "shift count %d is too large", n)
		}
		if left {
			return normBig(new(big.Int).Lsh(toBig(c.Args[0]), uint(n))), nil
		}
		return normBig(new(big.Int).Rsh(toBig(c.Args[0]), uint(n))), nil
	}
}

// fnMinMax is max(a, b)/min(a, b), using the > operator as yaql does.
func fnMinMax(isMax bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		a, b := c.Args[0], c.Args[1]
		gt, err := compareOp(">", b, a)
		if err != nil {
			return nil, err
		}
		if gt.(bool) == isMax {
			return b, nil
		}
		return a, nil
	}
}

// fnInt is Python int(): truncates floats, parses strings, null → 0.
func fnInt(c *Call) (any, error) {
	switch t := c.Args[0].(type) {
	case nil:
		return int64(0), nil
	case bool:
		if t {
			return int64(1), nil
		}
		return int64(0), nil
	case int64, *big.Int:
		return t, nil
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, errf(KindValue, "cannot convert float %s to integer", pyFloat(t))
		}
		if t > -9e18 && t < 9e18 {
			return int64(t), nil
		}
		b, _ := new(big.Float).SetFloat64(math.Trunc(t)).Int(nil)
		return normBig(b), nil
	case string:
		s := strings.ReplaceAll(strings.TrimSpace(t), "_", "")
		if b, ok := new(big.Int).SetString(s, 10); ok && s != "" && !strings.HasPrefix(s, "+-") {
			return normBig(b), nil
		}
		return nil, errf(KindValue, "invalid literal for int() with base 10: %s", pyQuote(t))
	}
	return nil, errf(KindType, "int() argument must be a string or a number, not %s", typeName(c.Args[0]))
}

// fnFloat is Python float().
func fnFloat(c *Call) (any, error) {
	switch t := c.Args[0].(type) {
	case nil:
		return 0.0, nil
	case bool, int64, *big.Int, float64:
		return toFloat(t), nil
	case string:
		s := strings.ToLower(strings.TrimSpace(t))
		switch strings.TrimLeft(s, "+-") {
		case "inf", "infinity", "nan":
			f, _ := strconv.ParseFloat(s, 64)
			return f, nil
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
		if err != nil && !strings.Contains(err.Error(), "range") {
			return nil, errf(KindValue, "could not convert string to float: %s", pyQuote(t))
		}
		return f, nil
	}
	return nil, errf(KindType, "float() argument must be a string or a number, not %s", typeName(c.Args[0]))
}

func fnPow(c *Call) (any, error) {
	a, b, m := c.Args[0], c.Args[1], c.Args[2]
	if m != nil {
		if !isInt(a) || !isInt(b) || !isInt(m) {
			return nil, errf(KindType, "pow() 3rd argument not allowed unless all arguments are integers")
		}
		if isZero(m) {
			return nil, errf(KindValue, "pow() 3rd argument cannot be 0")
		}
		if toBig(b).Sign() < 0 {
			return nil, errf(KindValue, "pow() negative exponent with modulus is not supported")
		}
		r := new(big.Int).Exp(toBig(a), toBig(b), new(big.Int).Abs(toBig(m)))
		res, _ := numMod(normBig(r), m)
		return res, nil
	}
	if isInt(a) && isInt(b) {
		e := toBig(b)
		if e.Sign() >= 0 {
			if !e.IsInt64() || toBig(a).BitLen()*int(min(e.Int64(), maxIntBits+1)) > maxIntBits {
				return nil, errf(KindLimit, "pow() result would be too large")
			}
			return normBig(new(big.Int).Exp(toBig(a), e, nil)), nil
		}
		if isZero(a) {
			return nil, errf(KindZeroDivision, "0.0 cannot be raised to a negative power")
		}
	}
	x, y := toFloat(a), toFloat(b)
	if x == 0 && y < 0 {
		return nil, errf(KindZeroDivision, "0.0 cannot be raised to a negative power")
	}
	if x < 0 && y != math.Trunc(y) {
		return nil, errf(KindValue, "negative number cannot be raised to a fractional power")
	}
	return floatPow(x, y), nil
}

// floatPow is x**y for floats. Go's math.Pow is not correctly rounded
// (10.0**100 gives 1.0000000000000002e+100), while the C library Python
// uses is, so integral exponents are computed exactly in big.Float and
// rounded once.
func floatPow(x, y float64) float64 {
	if y != math.Trunc(y) || math.Abs(y) > 4096 || math.IsInf(x, 0) || math.IsNaN(x) || x == 0 {
		return math.Pow(x, y)
	}
	n := int64(math.Abs(y))
	base := new(big.Float).SetPrec(4096).SetFloat64(x)
	acc := new(big.Float).SetPrec(4096).SetInt64(1)
	for n > 0 {
		if n&1 == 1 {
			acc.Mul(acc, base)
		}
		base.Mul(base, base)
		n >>= 1
	}
	if y < 0 {
		acc.Quo(new(big.Float).SetPrec(4096).SetInt64(1), acc)
	}
	f, _ := acc.Float64()
	return f
}

// fnRound is Python round(): banker's rounding; round(int) stays an int.
func fnRound(c *Call) (any, error) {
	n, _ := toInt64(c.Args[1])
	switch x := c.Args[0].(type) {
	case int64, *big.Int:
		if n >= 0 {
			return x, nil
		}
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(-n), nil)
		f := new(big.Float).SetInt(toBig(x))
		f.Quo(f, new(big.Float).SetInt(p))
		q, _ := f.Float64()
		r := math.RoundToEven(q)
		rb, _ := new(big.Float).SetFloat64(r).Int(nil)
		return normBig(rb.Mul(rb, p)), nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return x, nil
		}
		// Format with the requested digits: strconv rounds the exact binary
		// value half-to-even, as Python's round does.
		s := strconv.FormatFloat(x, 'f', int(max(n, 0)), 64)
		if n < 0 {
			p := math.Pow(10, float64(-n))
			return math.RoundToEven(x/p) * p, nil
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f, nil
	}
	return nil, errf(KindType, "round() needs a number")
}
