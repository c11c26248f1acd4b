package jinja

import (
	"math"
	"math/bits"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/bora-workflow/bora/internal/value"
)

// opFunc is a hidden operator global; see rewrite.go.
type opFunc func(e *exec.Evaluator, va *exec.VarArgs) (*exec.Value, error)

// binary adapts a two-operand Python operator to a gonja global.
func binary(op func(st *evalState, a, b *exec.Value) (any, error)) opFunc {
	return func(e *exec.Evaluator, va *exec.VarArgs) (*exec.Value, error) {
		st := stateOf(e)
		if err := st.ctx.Err(); err != nil {
			return nil, st.raise(err)
		}
		if len(va.Args) != 2 {
			return nil, typeError("operator takes 2 operands")
		}
		r, err := op(st, va.Args[0], va.Args[1])
		if err != nil {
			return nil, st.raise(err)
		}
		return exec.AsValue(r), nil
	}
}

func (e *Engine) operators() map[string]opFunc {
	return map[string]opFunc{
		"bora op +":  binary(pyAdd),
		"bora op -":  binary(pySub),
		"bora op *":  binary(pyMul),
		"bora op /":  binary(pyTrueDiv),
		"bora op //": binary(pyFloorDiv),
		"bora op %":  binary(pyMod),
		"bora op **": binary(pyPow),
		"bora op <":  binary(compareOp("<")),
		"bora op <=": binary(compareOp("<=")),
		"bora op >":  binary(compareOp(">")),
		"bora op >=": binary(compareOp(">=")),
		"bora op ==": binary(func(_ *evalState, a, b *exec.Value) (any, error) { return pyEqual(a, b), nil }),
		"bora op !=": binary(func(_ *evalState, a, b *exec.Value) (any, error) { return !pyEqual(a, b), nil }),
		"bora op in": binary(func(_ *evalState, a, b *exec.Value) (any, error) { return pyIn(a, b) }),
		"bora op ~":  binary(pyConcat),
	}
}

func unsupported(op string, a, b *exec.Value) error {
	return typeError("unsupported operand type(s) for %s: '%s' and '%s'", op, pyTypeName(a), pyTypeName(b))
}

func bothInts(a, b *exec.Value) bool {
	ta, tb := typeOf(a), typeOf(b)
	return (ta == pyInt || ta == pyBool) && (tb == pyInt || tb == pyBool)
}

func errOverflow() error {
	return &PyError{Kind: "OverflowError", Msg: "integer result does not fit in 64 bits"}
}

func pyAdd(st *evalState, a, b *exec.Value) (any, error) {
	switch {
	case bothInts(a, b):
		x, y := asInt(a), asInt(b)
		s := x + y
		if (s > x) != (y > 0) {
			return nil, errOverflow()
		}
		return s, nil
	case isNumber(a) && isNumber(b):
		return asFloat(a) + asFloat(b), nil
	case typeOf(a) == pyStr && typeOf(b) == pyStr:
		if a.Len()+b.Len() > st.limitBytes() {
			return nil, limitError("string length", st.limitBytes())
		}
		return a.String() + b.String(), nil
	case typeOf(a) == pyList && typeOf(b) == pyList:
		out := make([]any, 0, a.Len()+b.Len())
		for _, v := range listItems(a) {
			out = append(out, v)
		}
		for _, v := range listItems(b) {
			out = append(out, v)
		}
		return out, nil
	case typeOf(a) == pyStr:
		return nil, typeError(`can only concatenate str (not "%s") to str`, pyTypeName(b))
	case typeOf(a) == pyList:
		return nil, typeError(`can only concatenate list (not "%s") to list`, pyTypeName(b))
	}
	return nil, unsupported("+", a, b)
}

func pySub(_ *evalState, a, b *exec.Value) (any, error) {
	switch {
	case bothInts(a, b):
		x, y := asInt(a), asInt(b)
		s := x - y
		if (s < x) != (y > 0) {
			return nil, errOverflow()
		}
		return s, nil
	case isNumber(a) && isNumber(b):
		return asFloat(a) - asFloat(b), nil
	}
	return nil, unsupported("-", a, b)
}

func pyMul(st *evalState, a, b *exec.Value) (any, error) {
	switch {
	case bothInts(a, b):
		x, y := asInt(a), asInt(b)
		hi, lo := bits.Mul64(uint64(abs(x)), uint64(abs(y)))
		if hi != 0 || lo > math.MaxInt64 {
			return nil, errOverflow()
		}
		return x * y, nil
	case isNumber(a) && isNumber(b):
		return asFloat(a) * asFloat(b), nil
	case typeOf(a) == pyStr && (typeOf(b) == pyInt || typeOf(b) == pyBool):
		return repeatString(st, a.String(), asInt(b))
	case typeOf(b) == pyStr && (typeOf(a) == pyInt || typeOf(a) == pyBool):
		return repeatString(st, b.String(), asInt(a))
	case typeOf(a) == pyList && (typeOf(b) == pyInt || typeOf(b) == pyBool):
		return repeatList(st, listItems(a), asInt(b))
	case typeOf(b) == pyList && (typeOf(a) == pyInt || typeOf(a) == pyBool):
		return repeatList(st, listItems(b), asInt(a))
	case typeOf(a) == pyStr || typeOf(a) == pyList:
		return nil, typeError("can't multiply sequence by non-int of type '%s'", pyTypeName(b))
	}
	return nil, unsupported("*", a, b)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func repeatString(st *evalState, s string, n int) (any, error) {
	if n <= 0 {
		return "", nil
	}
	if len(s) > 0 && n > st.limitBytes()/len(s) {
		return nil, limitError("string length", st.limitBytes())
	}
	return strings.Repeat(s, n), nil
}

func repeatList(st *evalState, items []*exec.Value, n int) (any, error) {
	if n <= 0 {
		return []any{}, nil
	}
	if len(items) > 0 && n > st.limit()/len(items) {
		return nil, limitError("list length", st.limit())
	}
	out := make([]any, 0, n*len(items))
	for range n {
		for _, v := range items {
			out = append(out, v)
		}
	}
	return out, nil
}

func pyTrueDiv(_ *evalState, a, b *exec.Value) (any, error) {
	if !isNumber(a) || !isNumber(b) {
		return nil, unsupported("/", a, b)
	}
	if asFloat(b) == 0 {
		return nil, zeroDivision("division by zero")
	}
	return asFloat(a) / asFloat(b), nil
}

func pyFloorDiv(_ *evalState, a, b *exec.Value) (any, error) {
	switch {
	case bothInts(a, b):
		x, y := asInt(a), asInt(b)
		if y == 0 {
			return nil, zeroDivision("integer division or modulo by zero")
		}
		if x == math.MinInt64 && y == -1 {
			return nil, errOverflow()
		}
		q := x / y
		if (x%y != 0) && ((x < 0) != (y < 0)) {
			q--
		}
		return q, nil
	case isNumber(a) && isNumber(b):
		if asFloat(b) == 0 {
			return nil, zeroDivision("float floor division by zero")
		}
		return math.Floor(asFloat(a) / asFloat(b)), nil
	}
	return nil, unsupported("//", a, b)
}

func pyMod(st *evalState, a, b *exec.Value) (any, error) {
	switch {
	case typeOf(a) == pyStr:
		return percentFormat(st, a.String(), b)
	case bothInts(a, b):
		x, y := asInt(a), asInt(b)
		if y == 0 {
			return nil, zeroDivision("integer division or modulo by zero")
		}
		if y == -1 {
			return 0, nil
		}
		m := x % y
		if m != 0 && (m < 0) != (y < 0) {
			m += y
		}
		return m, nil
	case isNumber(a) && isNumber(b):
		x, y := asFloat(a), asFloat(b)
		if y == 0 {
			return nil, zeroDivision("float modulo")
		}
		m := math.Mod(x, y)
		if m != 0 && (m < 0) != (y < 0) {
			m += y
		}
		return m, nil
	}
	return nil, unsupported("%", a, b)
}

func pyPow(_ *evalState, a, b *exec.Value) (any, error) {
	switch {
	case bothInts(a, b) && asInt(b) >= 0:
		base, exp := asInt(a), asInt(b)
		switch base {
		case 0:
			if exp == 0 {
				return 1, nil
			}
			return 0, nil
		case 1:
			return 1, nil
		case -1:
			return 1 - 2*(exp%2), nil
		}
		// |base| >= 2 overflows within 63 steps, so this loop is short.
		result := 1
		for range exp {
			hi, lo := bits.Mul64(uint64(abs(result)), uint64(abs(base)))
			if hi != 0 || lo > math.MaxInt64 {
				return nil, errOverflow()
			}
			result *= base
		}
		return result, nil
	case isNumber(a) && isNumber(b):
		x, y := asFloat(a), asFloat(b)
		if x == 0 && y < 0 {
			return nil, zeroDivision("0.0 cannot be raised to a negative power")
		}
		return math.Pow(x, y), nil
	}
	return nil, unsupported("** or pow()", a, b)
}

// compareOp is Python's ordering: numbers with numbers, strings with
// strings, lists element by element; anything else is a TypeError.
func compareOp(op string) func(*evalState, *exec.Value, *exec.Value) (any, error) {
	return func(_ *evalState, a, b *exec.Value) (any, error) {
		c, err := pyCompare(op, a, b)
		if err != nil {
			return nil, err
		}
		switch op {
		case "<":
			return c < 0, nil
		case "<=":
			return c <= 0, nil
		case ">":
			return c > 0, nil
		}
		return c >= 0, nil
	}
}

func pyCompare(op string, a, b *exec.Value) (int, error) {
	switch {
	case bothInts(a, b):
		return cmp3(asInt(a), asInt(b)), nil
	case isNumber(a) && isNumber(b):
		return cmp3(asFloat(a), asFloat(b)), nil
	case typeOf(a) == pyStr && typeOf(b) == pyStr:
		return strings.Compare(a.String(), b.String()), nil
	case typeOf(a) == pyList && typeOf(b) == pyList:
		x, y := listItems(a), listItems(b)
		for i := 0; i < len(x) && i < len(y); i++ {
			if pyEqual(x[i], y[i]) {
				continue
			}
			return pyCompare(op, x[i], y[i])
		}
		return cmp3(len(x), len(y)), nil
	}
	return 0, typeError("'%s' not supported between instances of '%s' and '%s'", op, pyTypeName(a), pyTypeName(b))
}

func cmp3[T int | float64](x, y T) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// pyEqual is Python's ==: 1 == 1.0 == True, dicts ignore order.
func pyEqual(a, b *exec.Value) bool {
	ta, tb := typeOf(a), typeOf(b)
	switch {
	case isNumber(a) && isNumber(b):
		if bothInts(a, b) {
			return asInt(a) == asInt(b)
		}
		return asFloat(a) == asFloat(b)
	case ta != tb:
		return false
	case ta == pyNone:
		return true
	case ta == pyStr:
		return a.String() == b.String()
	case ta == pyList:
		x, y := listItems(a), listItems(b)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !pyEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case ta == pyDict:
		x, y := dictOf(a), dictOf(b)
		if len(x.Pairs) != len(y.Pairs) {
			return false
		}
		for _, p := range x.Pairs {
			other, ok := dictLookup(y, p.Key)
			if !ok || !pyEqual(p.Value, other) {
				return false
			}
		}
		return true
	}
	return a.EqualValueTo(b)
}

func dictLookup(d *exec.Dict, key *exec.Value) (*exec.Value, bool) {
	for _, p := range d.Pairs {
		if pyEqual(p.Key, key) {
			return p.Value, true
		}
	}
	return nil, false
}

// pyIn is Python's "in".
func pyIn(a, b *exec.Value) (any, error) {
	switch typeOf(b) {
	case pyStr:
		if typeOf(a) != pyStr {
			return nil, typeError("'in <string>' requires string as left operand, not %s", pyTypeName(a))
		}
		return strings.Contains(b.String(), a.String()), nil
	case pyList:
		for _, item := range listItems(b) {
			if pyEqual(a, item) {
				return true, nil
			}
		}
		return false, nil
	case pyDict:
		_, ok := dictLookup(dictOf(b), a)
		return ok, nil
	}
	return nil, typeError("argument of type '%s' is not iterable", pyTypeName(b))
}

func (st *evalState) limit() int {
	if st.engine == nil {
		return DefaultIterationLimit
	}
	return st.engine.limit
}

// limitBytes bounds strings an operator builds: the output limit.
func (st *evalState) limitBytes() int {
	if st.engine == nil {
		return DefaultOutputLimit
	}
	return st.engine.output
}

// pyConcat is Jinja's ~: both operands as Python str(), joined.
func pyConcat(st *evalState, a, b *exec.Value) (any, error) {
	x, err := fromGonja(a)
	if err != nil {
		return nil, err
	}
	y, err := fromGonja(b)
	if err != nil {
		return nil, err
	}
	s := value.PyStr(x) + value.PyStr(y)
	if len(s) > st.limitBytes() {
		return nil, limitError("string length", st.limitBytes())
	}
	return s, nil
}
