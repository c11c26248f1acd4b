package expression

import (
	"context"
	"testing"

	"github.com/bora-workflow/bora/internal/value"
)

func queryData(n int) any {
	items := make([]any, n)
	for i := range items {
		items[i] = value.MapOf("id", int64(i), "status", []string{"ok", "error"}[i%2])
	}
	return value.MapOf("items", items)
}

// benchmarkEvaluate measures a whole string through Evaluator.Evaluate
// (parse cached, as when a workflow runs).
func benchmarkEvaluate(b *testing.B, src string) {
	ev := New(Options{})
	data := queryData(100)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ev.Evaluate(ctx, src, data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluateYAQLWhereSelect(b *testing.B) {
	benchmarkEvaluate(b, "<% $.items.where($.status = 'ok').select($.id) %>")
}

func BenchmarkEvaluateJinjaSelectattrMap(b *testing.B) {
	benchmarkEvaluate(b, "{{ _['items'] | selectattr('status', 'equalto', 'ok') | map(attribute='id') | list }}")
}
