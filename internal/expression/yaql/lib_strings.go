package yaql

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode"

	"github.com/bora-workflow/bora/internal/value"
)

// registerStrings adds yaql's strings module, with Python str semantics
// (indexes count code points, not bytes).
func registerStrings(e *Engine) {
	e.register(
		def("str", Function, func(c *Call) (any, error) { return yaqlStr(c.Args[0]), nil }, P("value", TAny)),
		variadic(def("concat", Function, func(c *Call) (any, error) {
			var b strings.Builder
			for _, a := range c.Args {
				b.WriteString(a.(string))
			}
			return b.String(), nil
		}, P("first", TString)), P("args", TString)),
		def("toUpper", Method, strFn(pyUpper), P("string", TString)),
		def("toLower", Method, strFn(pyLower), P("string", TString)),
		def("split", Method, fnSplit(false), P("string", TString), Opt("separator", TStringN, nil), Opt("maxSplits", TIntLike, int64(-1))),
		def("rightSplit", Method, fnSplit(true), P("string", TString), Opt("separator", TStringN, nil), Opt("maxSplits", TIntLike, int64(-1))),
		def("join", Method, func(c *Call) (any, error) { return joinStrings(c, c.Args[0], c.Args[1].(string)) }, P("sequence", TIterable), P("separator", TString)),
		def("join", Method, func(c *Call) (any, error) { return joinStrings(c, c.Args[1], c.Args[0].(string)) }, P("separator", TString), P("sequence", TIterable)),
		def("trim", Method, fnStrip(true, true), P("string", TString), Opt("chars", TStringN, nil)),
		def("trimLeft", Method, fnStrip(true, false), P("string", TString), Opt("chars", TStringN, nil)),
		def("trimRight", Method, fnStrip(false, true), P("string", TString), Opt("chars", TStringN, nil)),
		def("norm", Both, func(c *Call) (any, error) {
			if c.Args[0] == nil {
				return nil, nil
			}
			s := pyStrip(c.Args[0].(string), c.Args[1], true, true)
			if s == "" {
				return nil, nil
			}
			return s, nil
		}, P("string", TStringN), Opt("chars", TStringN, nil)),
		def("isEmpty", Both, func(c *Call) (any, error) {
			if c.Args[0] == nil {
				return true, nil
			}
			s := c.Args[0].(string)
			if truthy(c.Args[1]) {
				s = pyStrip(s, c.Args[2], true, true)
			}
			return s == "", nil
		}, P("string", TStringN), Opt("trim", TBool, true), Opt("chars", TStringN, nil)),
		def("replace", Method, func(c *Call) (any, error) {
			n, _ := toInt64(c.Args[3])
			return pyReplace(c.Args[0].(string), c.Args[1].(string), c.Args[2].(string), n), nil
		}, P("string", TString), P("old", TString), P("new", TString), Opt("count", TIntLike, int64(-1))),
		def("replace", Method, func(c *Call) (any, error) {
			s := c.Args[0].(string)
			n, _ := toInt64(c.Args[2])
			c.Args[1].(*value.Map).Range(func(k string, v any) bool {
				s = pyReplace(s, yaqlStr(keyValue(k)), yaqlStr(v), n)
				return true
			})
			return s, nil
		}, P("string", TString), P("replacements", TMap), Opt("count", TIntLike, int64(-1))),
		withKwargs(variadic(def("format", Both, fnFormat, P("format", TString)), P("args", TAny))),
		def("substring", Method, fnSubstring, P("string", TString), P("start", TIntLike), Opt("length", TIntLike, int64(-1))),
		def("indexOf", Method, fnFind(false, false), P("string", TString), P("sub", TString), Opt("start", TIntLike, int64(0))),
		def("indexOf", Method, fnFind(false, true), P("string", TString), P("sub", TString), P("start", TIntLike), P("length", TIntLike)),
		def("lastIndexOf", Method, fnFind(true, false), P("string", TString), P("sub", TString), Opt("start", TIntLike, int64(0))),
		def("lastIndexOf", Method, fnFind(true, true), P("string", TString), P("sub", TString), P("start", TIntLike), P("length", TIntLike)),
		def("toCharArray", Method, func(c *Call) (any, error) {
			var out []any
			for _, r := range c.Args[0].(string) {
				out = append(out, string(r))
			}
			if out == nil {
				out = []any{}
			}
			return out, nil
		}, P("string", TString)),
		def("isString", Function, func(c *Call) (any, error) { return isString(c.Args[0]), nil }, P("arg", TAny)),
		variadic(def("startsWith", Method, func(c *Call) (any, error) {
			for _, p := range c.Args[1:] {
				if strings.HasPrefix(c.Args[0].(string), p.(string)) {
					return true, nil
				}
			}
			return false, nil
		}, P("string", TString)), P("prefixes", TString)),
		variadic(def("endsWith", Method, func(c *Call) (any, error) {
			for _, p := range c.Args[1:] {
				if strings.HasSuffix(c.Args[0].(string), p.(string)) {
					return true, nil
				}
			}
			return false, nil
		}, P("string", TString)), P("suffixes", TString)),
		def("hex", Function, func(c *Call) (any, error) {
			if !isInt(c.Args[0]) {
				return nil, errf(KindType, "'%s' object cannot be interpreted as an integer", typeName(c.Args[0]))
			}
			b := toBig(c.Args[0])
			if b.Sign() < 0 {
				return "-0x" + new(big.Int).Neg(b).Text(16), nil
			}
			return "0x" + b.Text(16), nil
		}, P("num", TNumberN)),
		withKwargs(def("characters", Function, fnCharacters)),
	)
}

func strFn(f func(string) string) func(c *Call) (any, error) {
	return func(c *Call) (any, error) { return f(c.Args[0].(string)), nil }
}

func joinStrings(c *Call, seq any, sep string) (any, error) {
	items, err := c.st.toSlice(seq)
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(items))
	for i, v := range items {
		parts[i] = yaqlStr(v)
	}
	return strings.Join(parts, sep), nil
}

// pyStrip is Python's str.strip/lstrip/rstrip: chars nil strips whitespace.
func pyStrip(s string, chars any, left, right bool) string {
	cut := unicode.IsSpace
	if cs, ok := chars.(string); ok {
		cut = func(r rune) bool { return strings.ContainsRune(cs, r) }
	}
	if left {
		s = strings.TrimLeftFunc(s, cut)
	}
	if right {
		s = strings.TrimRightFunc(s, cut)
	}
	return s
}

func fnStrip(left, right bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) { return pyStrip(c.Args[0].(string), c.Args[1], left, right), nil }
}

// pyReplace is str.replace with Python's count (-1: all).
func pyReplace(s, old, repl string, n int64) string {
	if n < 0 {
		n = -1
	}
	if old == "" && n != 0 {
		// Python inserts repl between every character and at both ends.
		rs := []rune(s)
		var b strings.Builder
		count := int64(0)
		for i := 0; i <= len(rs); i++ {
			if n < 0 || count < n {
				b.WriteString(repl)
				count++
			}
			if i < len(rs) {
				b.WriteRune(rs[i])
			}
		}
		return b.String()
	}
	return strings.Replace(s, old, repl, int(n))
}

func fnSplit(fromRight bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		s := c.Args[0].(string)
		n, _ := toInt64(c.Args[2])
		var parts []string
		if c.Args[1] == nil {
			parts = splitWhitespace(s, int(n), fromRight)
		} else {
			sep := c.Args[1].(string)
			if sep == "" {
				return nil, errf(KindValue, "empty separator")
			}
			if fromRight && n >= 0 {
				parts = rsplit(s, sep, int(n))
			} else if n < 0 {
				parts = strings.Split(s, sep)
			} else {
				parts = strings.SplitN(s, sep, int(n)+1)
			}
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	}
}

func rsplit(s, sep string, n int) []string {
	var parts []string
	for n != 0 {
		i := strings.LastIndex(s, sep)
		if i < 0 {
			break
		}
		parts = append(parts, s[i+len(sep):])
		s = s[:i]
		n--
	}
	parts = append(parts, s)
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return parts
}

// splitWhitespace is str.split() / str.rsplit() without a separator.
func splitWhitespace(s string, n int, fromRight bool) []string {
	fields := strings.FieldsFunc(s, unicode.IsSpace)
	if n < 0 || len(fields) <= n+1 {
		return fields
	}
	if fromRight {
		// Keep the last n fields; the rest is the left part, trimmed on the left only.
		rest := s
		tail := make([]string, 0, n)
		for i := 0; i < n; i++ {
			rest = strings.TrimRightFunc(rest, unicode.IsSpace)
			j := strings.LastIndexFunc(rest, unicode.IsSpace)
			tail = append([]string{rest[j+1:]}, tail...)
			rest = rest[:j+1]
		}
		rest = strings.TrimRightFunc(rest, unicode.IsSpace)
		return append([]string{rest}, tail...)
	}
	rest := s
	head := make([]string, 0, n+1)
	for i := 0; i < n; i++ {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		j := strings.IndexFunc(rest, unicode.IsSpace)
		head = append(head, rest[:j])
		rest = rest[j:]
	}
	return append(head, strings.TrimLeftFunc(rest, unicode.IsSpace))
}

func fnSubstring(c *Call) (any, error) {
	rs := []rune(c.Args[0].(string))
	start, _ := toInt64(c.Args[1])
	length, _ := toInt64(c.Args[2])
	n := int64(len(rs))
	if length < 0 {
		length = n
	}
	if start < 0 {
		start += n
	}
	lo, hi := pySliceBounds(start, start+length, n)
	return string(rs[lo:hi]), nil
}

// pySliceBounds clamps slice indexes like Python does (negative from the end).
func pySliceBounds(lo, hi, n int64) (int64, int64) {
	norm := func(i int64) int64 {
		if i < 0 {
			i += n
			if i < 0 {
				i = 0
			}
		}
		if i > n {
			i = n
		}
		return i
	}
	lo, hi = norm(lo), norm(hi)
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

func fnFind(last, withLength bool) func(c *Call) (any, error) {
	return func(c *Call) (any, error) {
		rs := []rune(c.Args[0].(string))
		sub := []rune(c.Args[1].(string))
		start, _ := toInt64(c.Args[2])
		n := int64(len(rs))
		end := n
		if withLength {
			length, _ := toInt64(c.Args[3])
			if start < 0 {
				start += n
			}
			if length < 0 {
				length = n - start
			}
			end = start + length
		}
		lo, hi := pySliceBounds(start, end, n)
		hay := string(rs[lo:hi])
		var i int
		if last {
			i = strings.LastIndex(hay, string(sub))
		} else {
			i = strings.Index(hay, string(sub))
		}
		if i < 0 {
			return int64(-1), nil
		}
		return lo + int64(len([]rune(hay[:i]))), nil
	}
}

func fnCharacters(c *Call) (any, error) {
	sets := map[string]string{
		"digits": "0123456789", "hexdigits": "0123456789abcdefABCDEF",
		"asciiLowercase": "abcdefghijklmnopqrstuvwxyz", "asciiUppercase": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		"octdigits": "01234567", "punctuation": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "whitespace": " \t\n\r\x0b\x0c",
	}
	sets["asciiLetters"] = sets["asciiLowercase"] + sets["asciiUppercase"]
	sets["letters"] = sets["asciiLetters"]
	sets["lowercase"] = sets["asciiLowercase"]
	sets["uppercase"] = sets["asciiUppercase"]
	sets["printable"] = sets["digits"] + sets["asciiLetters"] + sets["punctuation"] + sets["whitespace"]
	var all strings.Builder
	for _, kw := range c.Kwargs {
		chars, ok := sets[kw.Name]
		if !ok {
			return nil, errf(KindNoMatchingFunc, "characters() has no parameter %s", kw.Name)
		}
		if truthy(kw.Value) {
			all.WriteString(chars)
		}
	}
	s := NewSet()
	for _, r := range all.String() {
		s.Add(string(r))
	}
	return append([]any{}, s.items...), nil
}

// fnFormat implements the common subset of Python's str.format: {} {0}
// {name} with an optional conversion (!s !r) and format spec.
func fnFormat(c *Call) (any, error) {
	f := c.Args[0].(string)
	args := c.Args[1:]
	var b strings.Builder
	auto := 0
	for i := 0; i < len(f); i++ {
		ch := f[i]
		if ch == '}' {
			if i+1 < len(f) && f[i+1] == '}' {
				b.WriteByte('}')
				i++
				continue
			}
			return nil, errf(KindValue, "Single '}' encountered in format string")
		}
		if ch != '{' {
			b.WriteByte(ch)
			continue
		}
		if i+1 < len(f) && f[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		end := strings.IndexByte(f[i:], '}')
		if end < 0 {
			return nil, errf(KindValue, "Single '{' encountered in format string")
		}
		field := f[i+1 : i+end]
		i += end
		name, spec, _ := strings.Cut(field, ":")
		name, conv, _ := strings.Cut(name, "!")
		name, access := splitFieldName(name)
		var v any
		switch {
		case name == "":
			if auto >= len(args) {
				return nil, errf(KindIndex, "Replacement index %d out of range for positional args tuple", auto)
			}
			v = args[auto]
			auto++
		case name[0] >= '0' && name[0] <= '9':
			var idx int
			if _, err := fmt.Sscanf(name, "%d", &idx); err != nil || idx >= len(args) {
				return nil, errf(KindIndex, "Replacement index %s out of range for positional args tuple", name)
			}
			v = args[idx]
		default:
			found := false
			for _, kw := range c.Kwargs {
				if kw.Name == name {
					v, found = kw.Value, true
				}
			}
			if !found {
				return nil, errf(KindKey, "'%s'", name)
			}
		}
		v, err := formatAccess(v, access)
		if err != nil {
			return nil, err
		}
		s, err := formatValue(v, conv, spec)
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// splitFieldName splits "x[0][k]" into "x" and "[0][k]".
func splitFieldName(name string) (string, string) {
	if i := strings.IndexAny(name, "[."); i >= 0 {
		return name[:i], name[i:]
	}
	return name, ""
}

// formatAccess applies str.format's [index] lookups; attribute access
// (.attr) is refused: it is what made format() a sandbox escape in yaql.
func formatAccess(v any, access string) (any, error) {
	for access != "" {
		if access[0] == '.' {
			return nil, errf(KindValue, "attribute access in format fields is not supported")
		}
		end := strings.IndexByte(access, ']')
		if end < 0 {
			return nil, errf(KindValue, "Missing ']' in format string")
		}
		key := access[1:end]
		access = access[end+1:]
		if n, err := strconv.Atoi(key); err == nil {
			l, ok := v.([]any)
			if !ok || n < 0 || n >= len(l) {
				return nil, errf(KindIndex, "format index [%d] out of range", n)
			}
			v = l[n]
			continue
		}
		m, ok := v.(*value.Map)
		if !ok {
			return nil, errf(KindType, "%s is not subscriptable by %q", typeName(v), key)
		}
		e, ok := m.Get(key)
		if !ok {
			return nil, errf(KindKey, "'%s'", key)
		}
		v = e
	}
	return v, nil
}
