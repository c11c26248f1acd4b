package yaql

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"

	"github.com/bora-workflow/bora/internal/value"
)

// PyStr renders v the way Python's str() renders the value Mistral gets
// back from yaql: True/None, [1, 2], {'a': 1}, floats as repr. Mistral uses
// it to interpolate <% %> blocks into text.
func PyStr(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case DateTime, TimeSpan:
		return fmt.Sprint(t)
	}
	var b strings.Builder
	writeRepr(&b, v, false)
	return b.String()
}

// pyRepr is Python repr() of a value as yaql holds it internally (lists are
// tuples there, so they print as (1, 2)); yaql's str() uses it.
func pyRepr(v any) string {
	var b strings.Builder
	writeRepr(&b, v, true)
	return b.String()
}

// yaqlStr is yaql's str(): like Python str() but true/false/null are spelled
// the yaql way at the top level, and collections are reprs of internal values.
func yaqlStr(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		if t {
			return "true"
		}
		return "false"
	case string:
		return t
	case DateTime, TimeSpan:
		return fmt.Sprint(t)
	}
	return pyRepr(v)
}

func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return value.FormatFloat(f)
}

func writeRepr(b *strings.Builder, v any, internal bool) {
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
		b.WriteString(pyQuote(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case *big.Int:
		b.WriteString(t.String())
	case float64:
		b.WriteString(pyFloat(t))
	case []any:
		open, close := "[", "]"
		if internal {
			open, close = "(", ")"
		}
		b.WriteString(open)
		for i, e := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e, internal)
		}
		if internal && len(t) == 1 {
			b.WriteString(",")
		}
		b.WriteString(close)
	case *value.Map:
		b.WriteString("{")
		for i, k := range t.Keys() {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, keyValue(k), internal)
			b.WriteString(": ")
			e, _ := t.Get(k)
			writeRepr(b, e, internal)
		}
		b.WriteString("}")
	case *Set:
		if t.keysView {
			b.WriteString("KeysView(")
			writeRepr(b, t.view, internal)
			b.WriteString(")")
			return
		}
		if t.Len() == 0 {
			if internal {
				b.WriteString("frozenset()")
			} else {
				b.WriteString("set()")
			}
			return
		}
		if internal {
			b.WriteString("frozenset(")
		}
		b.WriteString("{")
		for i, e := range t.ordered() {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e, internal)
		}
		b.WriteString("}")
		if internal {
			b.WriteString(")")
		}
	case *Seq:
		switch {
		case t.viewOf != nil && t.itemsView:
			b.WriteString("ItemsView(")
			writeRepr(b, t.viewOf, internal)
			b.WriteString(")")
		case t.viewOf != nil:
			b.WriteString("ValuesView(")
			writeRepr(b, t.viewOf, internal)
			b.WriteString(")")
		default:
			fmt.Fprintf(b, "<generator object at %#x>", uintptrOf(t))
		}
	case DateTime: // inside a container Python prints the repr
		b.WriteString(pyDateTimeRepr(t))
	case TimeSpan:
		b.WriteString(pyTimeSpanRepr(t))
	case *Regex:
		fmt.Fprintf(b, "re.compile(%s)", pyQuote(t.pattern))
	default:
		fmt.Fprintf(b, "<%s>", typeName(v))
	}
}

// pyQuote is Python's repr of a str.
func pyQuote(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, "\"") {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteByte(q)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0x7f && !unicode.IsPrint(r):
			switch {
			case r <= 0xff:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r <= 0xffff:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
