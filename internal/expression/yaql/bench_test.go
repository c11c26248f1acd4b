package yaql

import (
	"context"
	"testing"

	"github.com/bora-workflow/bora/internal/value"
)

// benchQuery is the typical Mistral query of the benchmarks.
const benchQuery = "$.items.where($.status = 'ok').select($.id)"

func benchItems(n int) any {
	items := make([]any, n)
	for i := range items {
		items[i] = value.MapOf("id", int64(i), "status", []string{"ok", "error"}[i%2])
	}
	return value.MapOf("items", items)
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate evaluates the parsed query over 100 items.
func BenchmarkEvaluate(b *testing.B) {
	expr, err := Parse(benchQuery)
	if err != nil {
		b.Fatal(err)
	}
	e := NewEngine(Options{})
	data := benchItems(100)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, expr, data, EvalOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
