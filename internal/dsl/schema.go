package dsl

import (
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strings"

	"github.com/bora-workflow/bora/internal/value"
	"go.yaml.in/yaml/v3"
)

// The checks below mirror the JSON-schema building blocks of Mistral's
// mistral/lang/types.py, so a document is valid here exactly when it is
// valid there. Each returns "" when the value fits, else what was expected.

// Expression-only strings: the whole value is one YAQL `<% %>` or Jinja
// `{{ }}` expression (trailing blanks allowed), as types.EXPRESSION says.
var (
	wholeYAQLRe  = regexp.MustCompile(`^<%.*?%>\s*$`)
	wholeJinjaRe = regexp.MustCompile(`^\{\{.*?\}\}\s*$`)
)

// isExpression reports whether v is a string that is one expression.
func isExpression(v any) bool {
	s, ok := v.(string)
	return ok && (wholeYAQLRe.MatchString(s) || wholeJinjaRe.MatchString(s))
}

// isNonEmptyString is types.NONEMPTY_STRING.
func isNonEmptyString(v any) bool {
	s, ok := v.(string)
	return ok && s != ""
}

// isNonNegativeInt is types.POSITIVE_INTEGER (which admits 0).
func isNonNegativeInt(v any) bool {
	switch n := v.(type) {
	case int64:
		return n >= 0
	case *big.Int:
		return n.Sign() >= 0
	}
	return false
}

// typeName names a value's type in the user's (YAML) terms.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case int64, *big.Int:
		return "an integer"
	case float64:
		return "a number"
	case []any:
		return "a list"
	case *value.Map:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

// describe shows a value briefly for an error message.
func describe(v any) string {
	switch t := v.(type) {
	case string:
		if len(t) > 60 {
			t = t[:57] + "..."
		}
		return fmt.Sprintf("%q", t)
	case nil, bool, int64, *big.Int, float64:
		return fmt.Sprint(v)
	}
	return typeName(v)
}

// checkNonEmptyString reports unless v is a non-empty string.
func (p *parser) checkNonEmptyString(n *yaml.Node, what string, v any) bool {
	if isNonEmptyString(v) {
		return true
	}
	p.errorf(n, "%s must be a non-empty string, not %s", what, describe(v))
	return false
}

// checkNonEmptyMap reports unless v is a mapping with at least one key
// (types.NONEMPTY_DICT).
func (p *parser) checkNonEmptyMap(n *yaml.Node, what string, v any) (*value.Map, bool) {
	m, ok := v.(*value.Map)
	if !ok {
		p.errorf(n, "%s must be a mapping, not %s", what, describe(v))
		return nil, false
	}
	if m.Len() == 0 {
		p.errorf(n, "%s must not be empty", what)
		return nil, false
	}
	return m, true
}

// checkUniqueStringList is types.UNIQUE_STRING_LIST.
func (p *parser) checkUniqueStringList(n *yaml.Node, what string, v any) ([]string, bool) {
	l, ok := v.([]any)
	if !ok {
		p.errorf(n, "%s must be a list of strings, not %s", what, describe(v))
		return nil, false
	}
	if len(l) == 0 {
		p.errorf(n, "%s must not be empty", what)
		return nil, false
	}
	out := make([]string, 0, len(l))
	seen := map[string]bool{}
	for i, item := range l {
		s, ok := item.(string)
		if !ok || s == "" {
			p.errorf(itemNode(n, i), "%s: item %d must be a non-empty string, not %s", what, i+1, describe(item))
			return nil, false
		}
		if seen[s] {
			p.errorf(itemNode(n, i), "%s: %q is listed twice", what, s)
			return nil, false
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, true
}

// checkExprOrNonNegativeInt is types.EXPRESSION_OR_POSITIVE_INTEGER.
func (p *parser) checkExprOrNonNegativeInt(n *yaml.Node, what string, v any) bool {
	if isExpression(v) || isNonNegativeInt(v) {
		return true
	}
	p.errorf(n, "%s must be an integer of 0 or more or an expression, not %s", what, describe(v))
	return false
}

// checkExprOrBool is types.EXPRESSION_OR_BOOLEAN.
func (p *parser) checkExprOrBool(n *yaml.Node, what string, v any) bool {
	if _, ok := v.(bool); ok || isExpression(v) {
		return true
	}
	p.errorf(n, "%s must be true, false or an expression, not %s", what, describe(v))
	return false
}

// checkExprOnly is types.EXPRESSION.
func (p *parser) checkExprOnly(n *yaml.Node, what string, v any) bool {
	if isExpression(v) {
		return true
	}
	p.errorf(n, "%s must be an expression (<%% ... %%> or {{ ... }}), not %s", what, describe(v))
	return false
}

// itemNode returns the i-th child of a sequence node, or n itself when the
// value did not come from a sequence node (one-line forms).
func itemNode(n *yaml.Node, i int) *yaml.Node {
	if n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i]
	}
	return n
}

// Keys Mistral accepts without a user writing them: it injects name and
// version into every workflow, task and action itself, and its base schema
// also lets nested specs (task-defaults, retry) carry a description and tags.
var (
	injectedAttrs = []string{"name", "version"}
	metaAttrs     = []string{"name", "version", "description", "tags"}
)

// checkKeys reports every key of m that is neither in allowed nor in
// silent, naming the allowed ones so the user can spot a typo.
func (p *parser) checkKeys(m *yaml.Node, where string, allowed, silent []string) {
	ok := make(map[string]bool, len(allowed)+len(silent))
	for _, a := range append(append([]string{}, allowed...), silent...) {
		ok[a] = true
	}
	for _, e := range entries(m) {
		if !ok[e.Name()] {
			p.errorf(e.Key, "%s: unknown attribute %q%s; allowed: %s", where, e.Name(), didYouMean(e.Name(), allowed), listAllowed(allowed))
		}
	}
}

// listAllowed formats attribute names for a message, sorted.
func listAllowed(allowed []string) string {
	shown := append([]string{}, allowed...)
	sort.Strings(shown)
	return strings.Join(shown, ", ")
}

// errorf records an error at node n.
func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &Error{Pos: p.pos(n), Msg: fmt.Sprintf(format, args...)})
}
