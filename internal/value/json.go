package value

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Decode parses JSON into the value model: objects become *Map in document
// order, integers stay integers (int64, or *big.Int when larger), numbers
// with a fraction or exponent become float64.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("decode JSON: unexpected data after the value at offset %d", dec.InputOffset())
	}
	return v, nil
}

// DecodeString is Decode for a string.
func DecodeString(s string) (any, error) { return Decode([]byte(s)) }

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("unexpected end of input")
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := NewMap(4)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", kt)
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				m.Set(key, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return m, nil
		case '[':
			list := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return list, nil
		}
		return nil, fmt.Errorf("unexpected delimiter %q", t)
	case json.Number:
		return ParseNumber(string(t))
	default:
		return t, nil // nil, bool, string
	}
}

// ParseNumber turns a JSON number literal into int64, *big.Int or float64.
func ParseNumber(s string) (any, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
		b, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, fmt.Errorf("bad integer %q", s)
		}
		return b, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("bad number %q: %w", s, err)
	}
	return f, nil
}

// FromGo converts ordinary Go values (as produced by encoding/json into
// interface{}, or built by hand) into the value model. Go maps have no
// order, so their keys are sorted.
func FromGo(v any) any {
	switch t := v.(type) {
	case nil, bool, string, int64, float64, *big.Int, *Map:
		return t
	case int:
		return int64(t)
	case int32:
		return int64(t)
	case uint32:
		return int64(t)
	case float32:
		return float64(t)
	case json.Number:
		n, err := ParseNumber(string(t))
		if err != nil {
			return string(t)
		}
		return n
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = FromGo(e)
		}
		return out
	case []string:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = e
		}
		return out
	case map[string]any:
		m := NewMap(len(t))
		tmp := &Map{vals: map[string]any{}}
		for k := range t {
			tmp.keys = append(tmp.keys, k)
		}
		for _, k := range tmp.SortedKeys() {
			m.Set(k, FromGo(t[k]))
		}
		return m
	}
	return fmt.Sprint(v)
}

// Encode renders v as compact JSON ({"a":1,"b":[2,3]}), keeping map order.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := encode(&buf, v, false); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// EncodePython renders v as Python's json.dumps does by default
// ({"a": 1, "b": [2, 3]}): Mistral's API returns inputs, outputs and
// results as strings in exactly that shape, and clients print them.
func EncodePython(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := encode(&buf, v, true); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MustEncode is Encode for values known to be in the model; it panics on a
// value outside the model, which is a programming error.
func MustEncode(v any) []byte {
	b, err := Encode(v)
	if err != nil {
		panic(err)
	}
	return b
}

// MarshalJSON lets a *Map be embedded in structs sent with encoding/json.
func (m *Map) MarshalJSON() ([]byte, error) { return Encode(m) }

// UnmarshalJSON decodes an object keeping its key order.
func (m *Map) UnmarshalJSON(data []byte) error {
	v, err := Decode(data)
	if err != nil {
		return err
	}
	got, ok := v.(*Map)
	if !ok {
		return fmt.Errorf("decode JSON: expected an object, got %s", TypeName(v))
	}
	*m = *got
	return nil
}

func encode(buf *bytes.Buffer, v any, python bool) error {
	switch t := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		if t {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case string:
		writeString(buf, t)
	case int64:
		buf.WriteString(strconv.FormatInt(t, 10))
	case int:
		buf.WriteString(strconv.Itoa(t))
	case *big.Int:
		buf.WriteString(t.String())
	case float64:
		buf.WriteString(FormatFloat(t))
	case []any:
		buf.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				buf.WriteByte(',')
				if python {
					buf.WriteByte(' ')
				}
			}
			if err := encode(buf, e, python); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case *Map:
		if t == nil {
			buf.WriteString("null")
			return nil
		}
		buf.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				buf.WriteByte(',')
				if python {
					buf.WriteByte(' ')
				}
			}
			writeString(buf, k)
			buf.WriteByte(':')
			if python {
				buf.WriteByte(' ')
			}
			if err := encode(buf, t.vals[k], python); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("encode JSON: %T is not a workflow value", v)
	}
	return nil
}

// FormatFloat prints a float the way Python's repr does: always with a
// fraction or an exponent, so a float never reads back as an int.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddddde±XX
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

const hexDigits = "0123456789abcdef"

func writeString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"':
				buf.WriteString(`\"`)
			case c == '\\':
				buf.WriteString(`\\`)
			case c == '\n':
				buf.WriteString(`\n`)
			case c == '\r':
				buf.WriteString(`\r`)
			case c == '\t':
				buf.WriteString(`\t`)
			case c < 0x20:
				buf.WriteString(`\u00`)
				buf.WriteByte(hexDigits[c>>4])
				buf.WriteByte(hexDigits[c&0xf])
			default:
				buf.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf.WriteString(`\ufffd`)
		} else {
			buf.WriteString(s[i : i+size])
		}
		i += size
	}
	buf.WriteByte('"')
}

// TypeName names a value's type in Python's words, for error messages that
// Mistral users recognise.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case int64, *big.Int, int:
		return "integer"
	case float64:
		return "float"
	case []any:
		return "list"
	case *Map:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
