package value

import (
	"math/big"
	"strconv"
	"strings"
)

// PyStr renders v as Python's str() does: a string as itself, None, True,
// 2.0, [1, 'a'], {'k': None}. Mistral puts str() of values into mixed-text
// expressions and into error messages, so users see exactly these forms.
func PyStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b strings.Builder
	writePyRepr(&b, v)
	return b.String()
}

// PyRepr renders v as Python's repr() does; strings get quotes.
func PyRepr(v any) string {
	var b strings.Builder
	writePyRepr(&b, v)
	return b.String()
}

func writePyRepr(b *strings.Builder, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if t {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case string:
		writePyStringRepr(b, t)
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case int:
		b.WriteString(strconv.Itoa(t))
	case *big.Int:
		b.WriteString(t.String())
	case float64:
		s := FormatFloat(t)
		switch s {
		case "NaN":
			s = "nan"
		case "Infinity":
			s = "inf"
		case "-Infinity":
			s = "-inf"
		}
		b.WriteString(s)
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			writePyRepr(b, e)
		}
		b.WriteByte(']')
	case *Map:
		b.WriteByte('{')
		for i, k := range t.Keys() {
			if i > 0 {
				b.WriteString(", ")
			}
			writePyStringRepr(b, k)
			b.WriteString(": ")
			writePyRepr(b, t.vals[k])
		}
		b.WriteByte('}')
	default:
		b.WriteString("<unknown>")
	}
}

// writePyStringRepr quotes like Python: single quotes unless the string
// holds a single quote and no double quote.
func writePyStringRepr(b *strings.Builder, s string) {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[r>>4])
			b.WriteByte(hexDigits[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
}

// MergeDicts deep-merges right into left (Mistral's utils.merge_dicts with
// overwrite): nested dicts merge key by key, anything else in right
// replaces. left is changed and returned; a nil left starts a new map.
func MergeDicts(left, right *Map) *Map {
	if left == nil {
		left = NewMap(right.Len())
	}
	right.Range(func(k string, rv any) bool {
		lv, ok := left.Get(k)
		lm, lIsMap := lv.(*Map)
		rm, rIsMap := rv.(*Map)
		if ok && lIsMap && rIsMap {
			left.Set(k, MergeDicts(lm.Clone(), rm))
		} else {
			left.Set(k, rv)
		}
		return true
	})
	return left
}
