package expression

import (
	"context"
	"strings"
)

// Language is one expression syntax embedded in strings (YAQL's <% %>,
// Jinja's {{ }} and {% %}). The Evaluator asks each language in turn whether a
// string holds its expressions.
type Language interface {
	// Name is the language's name in errors ("yaql", "jinja").
	Name() string
	// Contains reports whether s holds at least one expression block.
	Contains(s string) bool
	// Evaluate evaluates every block of s against data: one block that is the
	// whole string gives its typed value, otherwise the blocks are replaced
	// by their Python str() inside the text.
	Evaluate(ctx context.Context, s string, data any, host Host) (any, error)
	// Validate syntax-checks the blocks of s.
	Validate(s string) error
}

// findYAQLBlocks returns the <% %> blocks of s the way Mistral's regex
// <%.*?%> finds them.
func findYAQLBlocks(s string) []string { return findBlocks(s, "<%", "%>", -1) }

// findBlocks returns the open…close blocks of s the way a Python regex
// open.*?close finds them: leftmost, non-greedy, and not across a newline
// (no DOTALL); at most max of them (-1: all). Hand-written because it runs
// on every string of every spec.
func findBlocks(s, open, close string, max int) []string {
	var out []string
	for i := 0; i+1 < len(s) && len(out) != max; {
		start := strings.Index(s[i:], open)
		if start < 0 {
			break
		}
		start += i
		rest := s[start+len(open):]
		end := strings.Index(rest, close)
		nl := strings.IndexByte(rest, '\n')
		if end < 0 {
			break
		}
		if nl >= 0 && nl < end {
			i = start + len(open) + nl + 1 // this opening has no closing on its line
			continue
		}
		out = append(out, s[start:start+len(open)+end+len(close)])
		i = start + len(open) + end + len(close)
	}
	return out
}

// containsYAQL reports whether s holds a <% %> block.
func containsYAQL(s string) bool {
	return strings.Contains(s, "<%") && len(findYAQLBlocks(s)) > 0
}

// containsJinja reports whether s holds a {{ }} or {% %} block.
func containsJinja(s string) bool {
	return strings.Contains(s, "{{") && len(findBlocks(s, "{{", "}}", 1)) > 0 ||
		strings.Contains(s, "{%") && len(findBlocks(s, "{%", "%}", 1)) > 0
}

// ContainsExpression reports whether s holds an expression block of any
// language (<% %>, {{ }}, {% %}).
func ContainsExpression(s string) bool { return containsYAQL(s) || containsJinja(s) }
