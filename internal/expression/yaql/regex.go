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
	p := strings.ReplaceAll(pattern, `\Z`, `\z`)
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
