package api

import (
	"bytes"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bora-workflow/bora/internal/value"
)

// field is one key of a JSON object.
type field struct {
	key string
	val any
}

// object is a JSON object that keeps its keys in the order written, so
// resources come out in the order Mistral sends them. Values are plain Go
// values (string, bool, nil, []string, object, []object) or *value.Map and
// other values of the value model.
type object []field

// MarshalJSON writes the keys in order.
func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := o.encode(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (o object) encode(buf *bytes.Buffer) error {
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encodeJSON(buf, f.key); err != nil {
			return err
		}
		buf.WriteByte(':')
		if err := encodeJSON(buf, f.val); err != nil {
			return fmt.Errorf("field %s: %w", f.key, err)
		}
	}
	buf.WriteByte('}')
	return nil
}

// only keeps the fields named in keep (all of them when keep is empty),
// in the object's own order: Mistral's `fields` query parameter.
func (o object) only(keep []string) object {
	if len(keep) == 0 {
		return o
	}
	out := make(object, 0, len(keep))
	for _, f := range o {
		if slices.Contains(keep, f.key) {
			out = append(out, f)
		}
	}
	return out
}

// without drops the named fields.
func (o object) without(drop ...string) object {
	out := make(object, 0, len(o))
	for _, f := range o {
		if !slices.Contains(drop, f.key) {
			out = append(out, f)
		}
	}
	return out
}

// encodeJSON writes v in one pass. Objects and lists of them are written
// here; everything else is in the value model (strings, numbers, bools,
// null, *value.Map), which value.Encode writes keeping map order, integer
// typing and Python's float form, and without escaping <, > and & (the
// definitions are full of `<% %>`, which Python's json leaves alone too).
func encodeJSON(buf *bytes.Buffer, v any) error {
	switch t := v.(type) {
	case object:
		return t.encode(buf)
	case []object:
		buf.WriteByte('[')
		for i, o := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := o.encode(buf); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case []string:
		buf.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeJSON(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	}
	b, err := value.Encode(v)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// writeJSON sends v with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := encodeJSON(&buf, v); err != nil {
		// Every value rendered here is built by this package; failing to
		// encode one is a bug, and the client still deserves a JSON answer.
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"faultcode": "Server", "faultstring": "Internal Server Error", "debuginfo": null}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// timeLayout is how Mistral prints times: UTC, to the second.
const timeLayout = "2006-01-02 15:04:05"

// formatTime renders t as Mistral does, or null for the zero time.
func formatTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// formatTimePtr is formatTime for optional times.
func formatTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// jsonText renders v as the JSON-encoded string Mistral puts inside its
// JSON (execution input, task result...), spaced as Python's json.dumps.
func jsonText(v any) (string, error) {
	b, err := value.EncodePython(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// mapText is jsonText for a map that may be absent: Mistral shows "{}".
func mapText(m *value.Map) (string, error) {
	if m == nil {
		return "{}", nil
	}
	return jsonText(m)
}

// nullable renders "" as JSON null, as Mistral shows unset text columns.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// stringList renders a list that Mistral shows as [] when empty.
func stringList(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// pythonStr is Python's str() of a value: what Mistral prints for a
// workflow input default (`msg="hello"`, `items="[0, 1, 2]"`).
func pythonStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pythonRepr(v)
}

// pythonRepr is Python's repr() of a value.
func pythonRepr(v any) string {
	var b strings.Builder
	writePythonRepr(&b, v)
	return b.String()
}

func writePythonRepr(b *strings.Builder, v any) {
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
		writePythonString(b, t)
	case int64:
		fmt.Fprint(b, t)
	case *big.Int:
		b.WriteString(t.String())
	case float64:
		switch f := value.FormatFloat(t); f {
		case "NaN":
			b.WriteString("nan")
		case "Infinity":
			b.WriteString("inf")
		case "-Infinity":
			b.WriteString("-inf")
		default:
			b.WriteString(f)
		}
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			writePythonRepr(b, e)
		}
		b.WriteByte(']')
	case *value.Map:
		b.WriteByte('{')
		for i, k := range t.Keys() {
			if i > 0 {
				b.WriteString(", ")
			}
			writePythonString(b, k)
			b.WriteString(": ")
			e, _ := t.Get(k)
			writePythonRepr(b, e)
		}
		b.WriteByte('}')
	default:
		fmt.Fprint(b, t)
	}
}

// writePythonString quotes s as Python's repr does: single quotes unless
// s holds a single quote and no double quote.
func writePythonString(b *strings.Builder, s string) {
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
			fmt.Fprintf(b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
}
