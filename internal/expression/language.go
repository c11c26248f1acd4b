package expression

import (
	"context"
	"strings"
)

// Language is one expression syntax embedded in strings (YAQL's <% %>,
// later Jinja's {{ }}). The Evaluator asks each language in turn whether a
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
// <%.*?%> finds them: leftmost, non-greedy, and not across a newline (no
// DOTALL). Hand-written because it runs on every string of every spec.
func findYAQLBlocks(s string) []string {
	var out []string
	for i := 0; i+1 < len(s); {
		start := strings.Index(s[i:], "<%")
		if start < 0 {
			break
		}
		start += i
		rest := s[start+2:]
		end := strings.Index(rest, "%>")
		nl := strings.IndexByte(rest, '\n')
		if end < 0 {
			break
		}
		if nl >= 0 && nl < end {
			i = start + 2 + nl + 1 // this "<%" has no closing on its line
			continue
		}
		out = append(out, s[start:start+2+end+2])
		i = start + 2 + end + 2
	}
	return out
}

// ContainsExpression reports whether s holds an expression block.
func ContainsExpression(s string) bool {
	return strings.Contains(s, "<%") && len(findYAQLBlocks(s)) > 0
}
