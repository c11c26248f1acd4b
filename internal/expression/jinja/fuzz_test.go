package jinja

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bora-workflow/bora/internal/value"
)

// FuzzRender looks for templates that crash gonja or bora's wrapping (a
// recovered panic surfaces as an "internal error") or run away.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"{{ _.x + 1 }}", "{% for i in _.l if i > 1 %}{{ i }} {% endfor %}", "{{ '%s-%d' % ('a', 1) }}",
		"{{ _.d.items() | list }}", "{% set y = -7 // 2 %}{{ y }}", "{{ _['d']['k'] ~ none }}",
	} {
		f.Add(s)
	}
	if file, err := os.Open("../../../../shared/conformance/jinja/vectors.jsonl"); err == nil {
		sc := bufio.NewScanner(file)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var v struct {
				Template string `json:"template"`
			}
			if json.Unmarshal(sc.Bytes(), &v) == nil {
				f.Add(v.Template)
			}
		}
		file.Close()
	}
	data, _ := value.DecodeString(`{"x": 5, "s": "héllo", "l": [3, 1, 2], "d": {"k": "v", "n": null}}`)
	e := NewEngine(Options{IterationLimit: 1000, OutputLimit: 1 << 16})
	f.Fuzz(func(t *testing.T, src string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		if x, err := ParseExpression(src); err == nil {
			if _, err := e.Evaluate(ctx, x, data, EvalOptions{}); err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatalf("expression %q: %v", src, err)
			}
		}
		if tmpl, err := ParseTemplate(src); err == nil {
			if _, err := e.Render(ctx, tmpl, data, EvalOptions{}); err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatalf("template %q: %v", src, err)
			}
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%q ran %v, past its 2s deadline", src, d)
		}
	})
}
