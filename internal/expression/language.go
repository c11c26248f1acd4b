package expression

import (
	"context"
	"regexp"
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

// yaqlBlockRE is Mistral's detector: non-greedy and single-line (no DOTALL),
// so a block cannot span lines.
var yaqlBlockRE = regexp.MustCompile(`<%.*?%>`)

// ContainsExpression reports whether s holds an expression block.
func ContainsExpression(s string) bool {
	return strings.Contains(s, "<%") && yaqlBlockRE.MatchString(s)
}
