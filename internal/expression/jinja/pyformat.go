package jinja

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"

	"github.com/bora-workflow/bora/internal/value"
)

// percentFormat is Python's printf-style "fmt % args" (gonja would panic on
// it). A list/tuple right operand supplies several arguments, a dict
// supplies %(name)s arguments, anything else is the single argument.
func percentFormat(st *evalState, format string, arg *exec.Value) (any, error) {
	var args []*exec.Value
	var dict *exec.Dict
	switch typeOf(arg) {
	case pyList:
		args = listItems(arg)
	case pyDict:
		dict = dictOf(arg)
		args = []*exec.Value{arg}
	default:
		args = []*exec.Value{arg}
	}
	var b strings.Builder
	next := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return nil, valueError("incomplete format")
		}
		var key *string
		if format[i] == '(' {
			end := strings.IndexByte(format[i:], ')')
			if end < 0 {
				return nil, valueError("incomplete format key")
			}
			k := format[i+1 : i+end]
			key = &k
			i += end + 1
		}
		start := i
		for i < len(format) && strings.IndexByte("-+ #0123456789.", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			return nil, valueError("incomplete format")
		}
		spec, verb := format[start:i], format[i]
		if verb == '%' {
			b.WriteByte('%')
			continue
		}
		var v *exec.Value
		switch {
		case key != nil:
			if dict == nil {
				return nil, typeError("format requires a mapping")
			}
			found, ok := dictLookup(dict, exec.AsValue(*key))
			if !ok {
				return nil, &PyError{Kind: "KeyError", Msg: value.PyRepr(*key)}
			}
			v = found
		case next < len(args):
			v = args[next]
			next++
		default:
			return nil, typeError("not enough arguments for format string")
		}
		s, err := formatOne(spec, verb, v)
		if err != nil {
			return nil, err
		}
		if b.Len()+len(s) > st.limitBytes() {
			return nil, limitError("string length", st.limitBytes())
		}
		b.WriteString(s)
	}
	if dict == nil && next < len(args) {
		return nil, typeError("not all arguments converted during string formatting")
	}
	return b.String(), nil
}

// formatOne formats one conversion; Go's fmt flags and widths match
// Python's for these verbs.
func formatOne(spec string, verb byte, v *exec.Value) (string, error) {
	goVal, err := fromGonja(v)
	if err != nil {
		return "", err
	}
	switch verb {
	case 's':
		return fmt.Sprintf("%"+spec+"s", value.PyStr(goVal)), nil
	case 'r', 'a':
		return fmt.Sprintf("%"+spec+"s", value.PyRepr(goVal)), nil
	case 'd', 'i', 'u':
		if !isNumber(v) {
			return "", typeError("%%%c format: a real number is required, not %s", verb, pyTypeName(v))
		}
		n := asInt(v)
		if typeOf(v) == pyFloat {
			n = int(asFloat(v))
		}
		return fmt.Sprintf("%"+spec+"d", n), nil
	case 'f', 'F', 'e', 'E', 'g', 'G':
		if !isNumber(v) {
			return "", typeError("must be real number, not %s", pyTypeName(v))
		}
		if !strings.Contains(spec, ".") && verb != 'g' && verb != 'G' {
			spec += ".6"
		}
		return fmt.Sprintf("%"+spec+string(verb), asFloat(v)), nil
	case 'x', 'X', 'o':
		if typeOf(v) != pyInt && typeOf(v) != pyBool {
			return "", typeError("%%%c format: an integer is required, not %s", verb, pyTypeName(v))
		}
		return fmt.Sprintf("%"+spec+string(verb), asInt(v)), nil
	case 'c':
		if typeOf(v) == pyInt {
			return string(rune(asInt(v))), nil
		}
		return value.PyStr(goVal), nil
	}
	return "", valueError("unsupported format character '%c' (0x%s)", verb, strconv.FormatInt(int64(verb), 16))
}
