package yaql

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bora-workflow/bora/internal/value"
)

// FuzzEvaluate looks for inputs that crash the lexer, parser or evaluator
// (a panic surfaces as an "internal error") or run away.
func FuzzEvaluate(f *testing.F) {
	for _, seed := range []string{
		"$.a.b[0]", "$.l.where($ > 1).select($ * 2).sum()", "let(x => 1) -> $x + 1",
		"'{0:>5}'.format(1)", "regex('(a)(b)?').search('ab', $2.value)", "dict(a => 1).set(b, 2)",
		"switch($.a = 1 => x, true => y)", "$.l.groupBy($ mod 2, $, $.sum())", "set(1, 2) + set(3)",
		"datetime(2015, 8, 29) + timespan(days => 1)", "-9223372036854775808 / -1", "'a' * 3",
		"$.l.orderBy($).thenBy(-$)", "range(10).aggregate($1 + $2)", "str([1, {a => null}])",
	} {
		f.Add(seed)
	}
	data, _ := value.DecodeString(`{"a": {"b": [1, 2]}, "l": [3, 1, 2], "s": "héllo"}`)
	e := NewEngine(Options{IterationLimit: 1000})
	f.Fuzz(func(t *testing.T, src string) {
		expr, err := Parse(src)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err = e.Evaluate(ctx, expr, data, EvalOptions{})
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("%q: %v", src, err)
		}
		_ = expr.String()
	})
}
