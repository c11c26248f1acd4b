package yaql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bora-workflow/bora/internal/value"
)

// registerRegex adds yaql's regex module on top of Go's RE2 (see regex.go).
func registerRegex(e *Engine) {
	e.register(
		def("regex", Function, func(c *Call) (any, error) {
			flags := ""
			if truthy(c.Args[1]) {
				flags += "i"
			}
			if truthy(c.Args[2]) {
				flags += "m"
			}
			if truthy(c.Args[3]) {
				flags += "s"
			}
			return compileRegex(c.Args[0].(string), flags)
		}, P("pattern", TString), Opt("ignoreCase", TBoolN, false), Opt("multiLine", TBoolN, false), Opt("dotAll", TBoolN, false)),
		def("matches", Method, func(c *Call) (any, error) {
			return c.Args[0].(*Regex).re.MatchString(c.Args[1].(string)), nil
		}, P("regexp", TRegex), P("string", TString)),
		def("matches", Method, func(c *Call) (any, error) {
			return regexMatchOp(c.Args[0], c.Args[1])
		}, P("string", TString), P("regexp", TString)),
		def("search", Method, fnSearch, P("regexp", TRegex), P("string", TString), LOpt("selector")),
		def("searchAll", Method, fnSearchAll, P("regexp", TRegex), P("string", TString), LOpt("selector")),
		def("split", Method, func(c *Call) (any, error) { return regexSplit(c.Args[0].(*Regex), c.Args[1].(string), c.Args[2]) },
			P("regexp", TRegex), P("string", TString), Opt("maxSplit", TIntLike, int64(0))),
		def("split", Method, func(c *Call) (any, error) { return regexSplit(c.Args[1].(*Regex), c.Args[0].(string), c.Args[2]) },
			P("string", TString), P("regexp", TRegex), Opt("maxSplit", TIntLike, int64(0))),
		def("replace", Method, func(c *Call) (any, error) {
			return regexReplace(c, c.Args[0].(*Regex), c.Args[1].(string), c.Args[2].(string), nil, c.Args[3])
		}, P("regexp", TRegex), P("string", TString), P("repl", TString), Opt("count", TIntLike, int64(0))),
		def("replace", Method, func(c *Call) (any, error) {
			return regexReplace(c, c.Args[1].(*Regex), c.Args[0].(string), c.Args[2].(string), nil, c.Args[3])
		}, P("string", TString), P("regexp", TRegex), P("repl", TString), Opt("count", TIntLike, int64(0))),
		def("replaceBy", Method, func(c *Call) (any, error) {
			return regexReplace(c, c.Args[0].(*Regex), c.Args[1].(string), "", c.lambdaArg(2), c.Args[3])
		}, P("regexp", TRegex), P("string", TString), L("repl"), Opt("count", TIntLike, int64(0))),
		def("replaceBy", Method, func(c *Call) (any, error) {
			return regexReplace(c, c.Args[1].(*Regex), c.Args[0].(string), "", c.lambdaArg(2), c.Args[3])
		}, P("string", TString), P("regexp", TRegex), L("repl"), Opt("count", TIntLike, int64(0))),
		def("escapeRegex", Function, func(c *Call) (any, error) { return pyReEscape(c.Args[0].(string)), nil }, P("string", TString)),
		def("isRegex", Function, func(c *Call) (any, error) { _, ok := c.Args[0].(*Regex); return ok, nil }, P("value", TAny)),
	)
}

// runeOffset converts a byte offset in s to Python's code point offset.
func runeOffset(s string, b int) int64 { return int64(utf8.RuneCountInString(s[:b])) }

// matchScope binds a match the way yaql's _publish_match does: $ / $1 is
// {value, start, end} of the whole match, $2… the groups, $name named groups.
func matchScope(base *scope, re *Regex, s string, loc []int) (*scope, error) {
	sc := base.child()
	rec := func(i int) any {
		if loc[2*i] < 0 {
			return value.MapOf("value", nil, "start", int64(-1), "end", int64(-1))
		}
		return value.MapOf("value", s[loc[2*i]:loc[2*i+1]], "start", runeOffset(s, loc[2*i]), "end", runeOffset(s, loc[2*i+1]))
	}
	sc.set("1", rec(0))
	for i := 1; i < len(loc)/2; i++ {
		sc.set(itoa(i+1), rec(i))
	}
	for _, name := range re.re.SubexpNames() {
		if name != "" {
			// yaql 2.0 fails on named groups here (it unpacks each group's
			// text as a (key, value) pair); match that rather than guess.
			return nil, errf(KindIndex, "named group %q cannot be published to a selector (yaql limitation)", name)
		}
	}
	return sc, nil
}

func fnSearch(c *Call) (any, error) {
	re, s := c.Args[0].(*Regex), c.Args[1].(string)
	loc := re.re.FindStringSubmatchIndex(s)
	if loc == nil {
		return nil, nil
	}
	sel := c.lambdaArg(2)
	if sel == nil {
		return s[loc[0]:loc[1]], nil
	}
	sc, err := matchScope(sel.scope, re, s, loc)
	if err != nil {
		return nil, err
	}
	return sel.callWithScope(sc)
}

func fnSearchAll(c *Call) (any, error) {
	re, s := c.Args[0].(*Regex), c.Args[1].(string)
	sel := c.lambdaArg(2)
	var out []any
	for _, loc := range re.re.FindAllStringSubmatchIndex(s, -1) {
		if sel == nil {
			out = append(out, s[loc[0]:loc[1]])
			continue
		}
		sc, err := matchScope(sel.scope, re, s, loc)
		if err != nil {
			return nil, err
		}
		v, err := sel.callWithScope(sc)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return seqOfSlice(out), nil
}

// regexSplit is Python's re.split: captured groups are kept between the
// pieces, maxSplit 0 means no limit.
func regexSplit(re *Regex, s string, maxSplit any) (any, error) {
	n, _ := toInt64(maxSplit)
	limit := -1
	if n > 0 {
		limit = int(n)
	}
	out := []any{}
	last := 0
	for _, loc := range re.re.FindAllStringSubmatchIndex(s, limit) {
		out = append(out, s[last:loc[0]])
		for i := 1; i < len(loc)/2; i++ {
			if loc[2*i] < 0 {
				out = append(out, nil)
			} else {
				out = append(out, s[loc[2*i]:loc[2*i+1]])
			}
		}
		last = loc[1]
	}
	return append(out, s[last:]), nil
}

// regexReplace is re.sub with a template (\1, \g<name>) or a lambda.
func regexReplace(c *Call, re *Regex, s, repl string, fn *Lambda, count any) (any, error) {
	n, _ := toInt64(count)
	if n < 0 {
		return s, nil // Python's re.sub replaces nothing for a negative count
	}
	limit := -1
	if n > 0 {
		limit = int(n)
	}
	var b strings.Builder
	last := 0
	for _, loc := range re.re.FindAllStringSubmatchIndex(s, limit) {
		b.WriteString(s[last:loc[0]])
		if fn != nil {
			sc, err := matchScope(fn.scope, re, s, loc)
			if err != nil {
				return nil, err
			}
			v, err := fn.callWithScope(sc)
			if err != nil {
				return nil, err
			}
			sv, ok := v.(string)
			if !ok {
				return nil, errf(KindType, "replaceBy() expression must return a string, not %s", typeName(v))
			}
			b.WriteString(sv)
		} else if err := expandTemplate(&b, re, repl, s, loc); err != nil {
			return nil, err
		}
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// expandTemplate expands a Python re.sub replacement template.
func expandTemplate(b *strings.Builder, re *Regex, repl, s string, loc []int) error {
	group := func(i int) error {
		if i < 0 || i >= len(loc)/2 {
			return errf(KindValue, "invalid group reference %d", i)
		}
		if loc[2*i] >= 0 {
			b.WriteString(s[loc[2*i]:loc[2*i+1]])
		}
		return nil
	}
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		if ch != '\\' {
			b.WriteByte(ch)
			continue
		}
		if i+1 >= len(repl) {
			return errf(KindValue, "bad escape (end of pattern) in replacement %s", pyQuote(repl))
		}
		nx := repl[i+1]
		switch {
		case nx >= '0' && nx <= '9':
			j := i + 1
			for j < len(repl) && j < i+3 && repl[j] >= '0' && repl[j] <= '9' {
				j++
			}
			g, _ := strconv.Atoi(repl[i+1 : j])
			if err := group(g); err != nil {
				return err
			}
			i = j - 1
		case nx == 'g' && i+2 < len(repl) && repl[i+2] == '<':
			end := strings.IndexByte(repl[i:], '>')
			if end < 0 {
				return errf(KindValue, "missing > in group reference")
			}
			name := repl[i+3 : i+end]
			g, err := strconv.Atoi(name)
			if err != nil {
				g = re.re.SubexpIndex(name)
			}
			if err := group(g); err != nil {
				return err
			}
			i += end
		default:
			if r, ok := singleEscapes[nx]; ok && nx != '\'' && nx != '"' {
				b.WriteByte(r)
			} else if (nx >= 'a' && nx <= 'z') || (nx >= 'A' && nx <= 'Z') {
				return errf(KindValue, "bad escape \\%c in replacement %s", nx, pyQuote(repl))
			} else {
				b.WriteByte('\\')
				b.WriteByte(nx)
			}
			i++
		}
	}
	return nil
}

// pyReEscape is Python 3.7+ re.escape.
func pyReEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("()[]{}?*+-|^$\\.&~# \t\n\r\v\f", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
