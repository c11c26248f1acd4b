package yaql

import (
	"regexp"
	"strings"
)

// Regex is a compiled regular expression (yaql's regex()). Go's RE2 syntax
// covers Python's re except backreferences and lookaround; patterns using
// those fail to compile with a clear error.
type Regex struct {
	re      *regexp.Regexp
	pattern string
}

// compileRegex translates the Python-only bits of the syntax RE2 shares.
func compileRegex(pattern string, flags string) (*Regex, error) {
	p := pythonToRE2(pattern)
	if flags != "" {
		p = "(?" + flags + ")" + p
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, errf(KindValue, "invalid regular expression %s: %v", pyQuote(pattern), err)
	}
	return &Regex{re: re, pattern: pattern}, nil
}

func asRegex(v any) (*Regex, error) {
	switch t := v.(type) {
	case *Regex:
		return t, nil
	case string:
		return compileRegex(t, "")
	}
	return nil, errf(KindNoMatchingFunc, "expected a regex or a pattern string, not %s", typeName(v))
}

// regexMatchOp is string =~ regex (re.search semantics).
func regexMatchOp(l, r any) (bool, error) {
	s, ok := l.(string)
	if !ok {
		return false, errf(KindNoMatchingFunc, "=~ needs a string on the left, not %s", typeName(l))
	}
	re, err := asRegex(r)
	if err != nil {
		return false, err
	}
	return re.re.MatchString(s), nil
}

// Python's \w, \d and \s match Unicode letters, digits and spaces in str
// patterns; RE2's are ASCII-only, so they are spelled out as Unicode classes.
var unicodeClasses = map[byte][2]string{
	'w': {`[\p{L}\p{N}_]`, `\p{L}\p{N}_`},
	'W': {`[^\p{L}\p{N}_]`, ""},
	'd': {`\p{Nd}`, `\p{Nd}`},
	'D': {`\P{Nd}`, `\P{Nd}`},
	's': {`[\s\p{Z}\x{1c}-\x{1f}\x{85}]`, `\s\p{Z}\x{1c}-\x{1f}\x{85}`},
	'S': {`[^\s\p{Z}\x{1c}-\x{1f}\x{85}]`, ""},
}

// pythonToRE2 rewrites a Python re pattern into RE2 syntax where the two
// differ but RE2 can express the same thing (\Z, Unicode classes).
func pythonToRE2(p string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			n := p[i+1]
			i++
			if n == 'Z' {
				b.WriteString(`\z`)
				continue
			}
			if repl, ok := unicodeClasses[n]; ok {
				form := repl[0]
				if inClass {
					form = repl[1]
				}
				if form != "" {
					b.WriteString(form)
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(n)
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			// A ']' right after '[' or '[^' is a literal, not the end.
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
