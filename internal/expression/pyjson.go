package expression

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/bora-workflow/bora/internal/value"
)

// pythonJSON renders v like Python's json.dumps(v, indent=indent) with the
// default ensure_ascii=True: insertion ordered keys, ", "/": " separators
// collapsed into one item per line, non-ASCII escaped as \uXXXX.
func pythonJSON(v any, indent string) (string, error) {
	var b strings.Builder
	if err := writePyJSON(&b, v, indent, 0); err != nil {
		return "", fmt.Errorf("json_dump(): %w", err)
	}
	return b.String(), nil
}

func writePyJSON(b *strings.Builder, v any, indent string, depth int) error {
	nl := func(d int) {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(indent, d))
	}
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case *big.Int:
		b.WriteString(t.String())
	case float64:
		s := value.FormatFloat(t)
		if s == "NaN" || s == "Infinity" || s == "-Infinity" {
			b.WriteString(s)
		} else {
			b.WriteString(s)
		}
	case string:
		writePyJSONString(b, t)
	case []any:
		if len(t) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(depth + 1)
			if err := writePyJSON(b, e, indent, depth+1); err != nil {
				return err
			}
		}
		nl(depth)
		b.WriteByte(']')
	case *value.Map:
		if t.Len() == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteByte('{')
		for i, k := range t.Keys() {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(depth + 1)
			writePyJSONString(b, k)
			b.WriteString(": ")
			e, _ := t.Get(k)
			if err := writePyJSON(b, e, indent, depth+1); err != nil {
				return err
			}
		}
		nl(depth)
		b.WriteByte('}')
	default:
		return fmt.Errorf("object of type %T is not JSON serializable", v)
	}
	return nil
}

func writePyJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || (r >= 0x7f && r <= 0xffff):
			if r < 0x7f {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				fmt.Fprintf(b, `\u%04x`, r)
			}
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(b, `\u%04x\u%04x`, r1, r2)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
