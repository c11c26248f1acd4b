package yaql

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bora-workflow/bora/internal/value"
)

// fuzzSeeds are hand-picked corners; vectorSeeds adds every expression of
// the shared conformance corpus when it is present.
var fuzzSeeds = []string{
	"$.a.b[0]", "$.l.where($ > 1).select($ * 2).sum()", "let(x => 1) -> $x + 1",
	"'{0:>5}'.format(1)", "regex('(a)(b)?').search('ab', $2.value)", "dict(a => 1).set(b, 2)",
	"switch($.a = 1 => x, true => y)", "$.l.groupBy($ mod 2, $, $.sum())", "set(1, 2) + set(3)",
	"datetime(2015, 8, 29) + timespan(days => 1)", "-9223372036854775808 / -1", "'a' * 3",
	"$.l.orderBy($).thenBy(-$)", "range(10).aggregate($1 + $2)", "str([1, {a => null}])",
	"$.items.where($.status = 'ok').select($.id)", "$?.a?.b", "[1, 2][-1]", "sequence().take(5)",
}

func vectorSeeds(f *testing.F) []string {
	path := filepath.Join("..", "..", "..", "..", "shared", "conformance", "yaql", "vectors.jsonl")
	file, err := os.Open(path)
	if err != nil {
		return nil // the corpus lives outside the repository; the fixed seeds still run
	}
	defer file.Close()
	var out []string
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var v struct {
			Expr string `json:"expr"`
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			f.Fatalf("%s: %v", path, err)
		}
		if v.Expr != "" {
			out = append(out, v.Expr)
		}
	}
	return out
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range vectorSeeds(f) {
		f.Add(s)
	}
}

// FuzzParse looks for inputs that crash or stall the lexer and parser, and
// checks that a parsed tree can always be printed.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		expr, err := Parse(src)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("parsing %q took %v", src, d)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q: empty parse error", src)
			}
			return
		}
		if expr.Source() == "" && strings.TrimSpace(src) != "" {
			t.Fatalf("%q: parsed expression lost its source", src)
		}
		_ = expr.String()
	})
}

// FuzzEvaluate looks for inputs that crash the lexer, parser or evaluator
// (a panic surfaces as an "internal error") or run away: every evaluation
// has an iteration limit and a 2-second deadline.
func FuzzEvaluate(f *testing.F) {
	addSeeds(f)
	data, _ := value.DecodeString(`{"a": {"b": [1, 2]}, "l": [3, 1, 2], "s": "héllo",
		"items": [{"id": 1, "status": "ok"}, {"id": 2, "status": "error"}]}`)
	e := NewEngine(Options{IterationLimit: 1000})
	f.Fuzz(func(t *testing.T, src string) {
		expr, err := Parse(src)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		_, err = e.Evaluate(ctx, expr, data, EvalOptions{})
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("%q: %v", src, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%q ran %v, past its 2s deadline", src, d)
		}
		_ = expr.String()
	})
}
