package jinja

import (
	"context"
	"testing"

	"github.com/bora-workflow/bora/internal/value"
)

// benchQuery is the Jinja equivalent of YAQL's
// $.items.where($.status = 'ok').select($.id).
const benchQuery = " _['items'] | selectattr('status', 'equalto', 'ok') | map(attribute='id') | list "

func benchItems(n int) any {
	items := make([]any, n)
	for i := range items {
		items[i] = value.MapOf("id", int64(i), "status", []string{"ok", "error"}[i%2])
	}
	return value.MapOf("items", items)
}

func BenchmarkParseExpression(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseExpression(benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate evaluates the parsed query over 100 items (the data is
// converted to gonja's values on every evaluation, as in production).
func BenchmarkEvaluate(b *testing.B) {
	x, err := ParseExpression(benchQuery)
	if err != nil {
		b.Fatal(err)
	}
	e := NewEngine(Options{})
	data := benchItems(100)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, x, data, EvalOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderTemplate(b *testing.B) {
	t, err := ParseTemplate("ok: {% for i in _['items'] if i.status == 'ok' %}{{ i.id }},{% endfor %}")
	if err != nil {
		b.Fatal(err)
	}
	e := NewEngine(Options{})
	data := benchItems(100)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Render(ctx, t, data, EvalOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
