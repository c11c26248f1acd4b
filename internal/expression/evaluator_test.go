package expression

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bora-workflow/bora/internal/expression/yaql"
	"github.com/bora-workflow/bora/internal/value"
	"github.com/stretchr/testify/require"
)

// fakeHost serves task() and execution() from fixed values.
type fakeHost struct {
	tasks map[string]any
	exec  any
}

func (h *fakeHost) Task(_ context.Context, name string) (any, error) {
	if t, ok := h.tasks[name]; ok {
		return t, nil
	}
	return nil, nil
}

func (h *fakeHost) Execution(context.Context) (any, error) { return h.exec, nil }

func (h *fakeHost) Tasks(_ context.Context, wfID string, recursive bool, state string, flat bool) (any, error) {
	return []any{value.MapOf("wf", wfID, "recursive", recursive, "state", state, "flat", flat)}, nil
}

func (h *fakeHost) Executions(_ context.Context, f ExecutionsFilter) (any, error) {
	return []any{value.MapOf("id", f.ID, "root", f.RootExecutionID, "state", f.State, "from", f.FromTime, "to", f.ToTime)}, nil
}

func (h *fakeHost) Global(_ context.Context, name string) (any, error) { return "global-" + name, nil }

func newFakeHost() *fakeHost {
	return &fakeHost{
		tasks: map[string]any{
			"":      value.MapOf("name", "current", "state", "RUNNING"),
			"fetch": value.MapOf("name", "fetch", "state", "SUCCESS", "result", value.MapOf("vms", []any{"a", "b"})),
		},
		exec: value.MapOf("id", "exec-1", "input", value.MapOf("n", int64(3))),
	}
}

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := value.DecodeString(s)
	require.NoError(t, err)
	return v
}

func TestEvaluateWalksValues(t *testing.T) {
	ev := New(Options{})
	data := mustDecode(t, `{"x": 5, "name": "World", "flag": true, "l": [1, 2], "__env": {"region": "R1"}}`)
	spec := mustDecode(t, `{
		"typed": "<% $.x %>",
		"text": "Hello, <% $.name %>!",
		"py": "<% $.flag %>/<% $.nothing2 = null %>/<% $.l %>",
		"list": ["<% $.x + 1 %>", "plain", 7, null],
		"nested": {"env": "<% env().region %>"},
		"<% $.name %>": "keys stay as written, as in Mistral",
		"spaced": "  <% $.x %>"
	}`)
	before := string(value.MustEncode(spec))
	_, err := ev.Evaluate(context.Background(), spec, data, nil)
	require.Error(t, err, "$.nothing2 is a missing key: KeyError")

	spec.(*value.Map).Set("py", "<% $.flag %>/<% $.get(nothing2) %>/<% $.l %>")
	before = string(value.MustEncode(spec))
	got, err := ev.Evaluate(context.Background(), spec, data, nil)
	require.NoError(t, err)
	require.Equal(t,
		`{"typed":5,"text":"Hello, World!","py":"True/None/[1, 2]","list":[6,"plain",7,null],"nested":{"env":"R1"},"<% $.name %>":"keys stay as written, as in Mistral","spaced":"  5"}`,
		string(value.MustEncode(got)))
	require.Equal(t, before, string(value.MustEncode(spec)), "input must not be modified")
}

func TestHostFunctions(t *testing.T) {
	ev := New(Options{})
	host := newFakeHost()
	tests := []struct{ src, want string }{
		{"<% task(fetch).result.vms %>", `["a","b"]`},
		{"<% task().state %>", `"RUNNING"`},
		{"<% task(nope) %>", `null`},
		{"<% execution().input.n * 2 %>", `6`},
		{"<% len(uuid()) %>", `36`},
		{"<% tasks() %>", `[{"wf":"","recursive":false,"state":"","flat":false}]`},
		{"<% tasks(workflowExecutionId => wf1, recursive => true, state => SUCCESS, flat => true) %>", `[{"wf":"wf1","recursive":true,"state":"SUCCESS","flat":true}]`},
		{"<% global(x) %>", `"global-x"`},
		{"<% executions(state => RUNNING, rootExecutionId => r1).first().root %>", `"r1"`},
		{"<% json_dump({a => [1]}) %>", `"{\n    \"a\": [\n        1\n    ]\n}"`},
		{"<% json_parse('{\"b\": 1, \"a\": 2}') %>", `{"b":1,"a":2}`},
		{"<% yaml_dump({b => 1, a => [x, y]}) %>", `"a:\n- x\n- y\nb: 1\n"`},
		{`<% yaml_parse('a: 1\nb: [x, y]') %>`, `{"a":1,"b":["x","y"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := ev.Evaluate(context.Background(), tt.src, value.NewMap(0), host)
			require.NoError(t, err)
			require.Equal(t, tt.want, string(value.MustEncode(got)))
		})
	}
}

func TestTaskWithoutHost(t *testing.T) {
	_, err := New(Options{}).Evaluate(context.Background(), "<% task(x) %>", nil, nil)
	require.ErrorIs(t, err, errNoHost)
	require.Contains(t, err.Error(), "evaluate <% task(x) %>")
}

func TestErrorsNameTheExpression(t *testing.T) {
	ev := New(Options{})
	_, err := ev.Evaluate(context.Background(), "x <% $.missing %>", value.MapOf("a", int64(1)), nil)
	require.EqualError(t, err, `evaluate <% $.missing %>: key "missing" not found at position 2`)
	var ee *Error
	require.True(t, errors.As(err, &ee))
	require.False(t, ee.Parse)
	require.Equal(t, yaql.KindKey, yaql.KindOf(err))

	_, err = ev.Evaluate(context.Background(), "<% 1 + %>", nil, nil)
	require.True(t, errors.As(err, &ee))
	require.True(t, ee.Parse)
	require.True(t, strings.HasPrefix(err.Error(), "parse <% 1 + %>: syntax error"))
}

func TestValidate(t *testing.T) {
	ev := New(Options{})
	require.NoError(t, ev.Validate(mustDecode(t, `{"a": ["<% $.x.where($ > 1) %>", "text <% 1 %> <% 2 %>"], "b": 3}`)))
	err := ev.Validate(mustDecode(t, `{"a": ["ok", {"b": "<% $.x[ %>"}]}`))
	require.Error(t, err)
	require.Contains(t, err.Error(), "parse <% $.x[ %>")
	require.Error(t, ev.Validate(value.MapOf("<% ( %>", int64(1))))
}

func TestContainsExpression(t *testing.T) {
	require.True(t, ContainsExpression("<% $ %>"))
	require.True(t, ContainsExpression("a <%$.x%> b"))
	require.False(t, ContainsExpression("no expression"))
	require.False(t, ContainsExpression("<% spans\nlines %>"))
	require.False(t, ContainsExpression("50% <"))
}

func TestBlockStripsDelimiterCharacters(t *testing.T) {
	// Mistral strips '<', '%' and '>' from both ends of a block's inner text.
	require.Equal(t, "$.x", blockExpr("<%$.x%>"))
	require.Equal(t, "$.a", blockExpr("<% $.a >%>"))
}

func TestEvaluatorIsConcurrencySafe(t *testing.T) {
	ev := New(Options{CacheSize: 4})
	host := newFakeHost()
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				src := []string{"<% $.n + 1 %>", "<% task(fetch).result %>", "<% $.n * 2 %>", "n=<% $.n %>", "<% str($.n) %>", "<% [$.n] %>"}[(i+j)%6]
				_, err := ev.Evaluate(context.Background(), src, value.MapOf("n", int64(j)), host)
				if err != nil {
					t.Error(err)
					return
				}
			}
		}(i)
	}
	wg.Wait()
}

func TestParseCacheIsBounded(t *testing.T) {
	c := newParseCache[int](2)
	parse := func(s string) (int, error) { return len(s), nil }
	for _, k := range []string{"a", "bb", "ccc", "dddd"} {
		v, err := c.get(k, parse)
		require.NoError(t, err)
		require.Equal(t, len(k), v)
	}
	require.Len(t, c.items, 2)
}

func BenchmarkEvaluateDotPath(b *testing.B) {
	ev := New(Options{})
	data := value.MapOf("a", value.MapOf("b", "value"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ev.Evaluate(ctx, "<% $.a.b %>", data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluateTaskResult(b *testing.B) {
	ev := New(Options{})
	host := newFakeHost()
	data := value.MapOf("x", "fetch")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ev.Evaluate(ctx, "<% task($.x).result.vms %>", data, host); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluateQuery(b *testing.B) {
	ev := New(Options{})
	items := make([]any, 100)
	for i := range items {
		items[i] = value.MapOf("id", int64(i), "status", []string{"ok", "error"}[i%2])
	}
	data := value.MapOf("items", items)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ev.Evaluate(ctx, "<% $.items.where($.status = ok).select($.id).sum() %>", data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLimitsAreConfigurable checks each bound an operator can set fails
// the expression with a message naming the limit, and that the caller's
// own cancellation is not reported as the expression's fault.
func TestLimitsAreConfigurable(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		expr string
		want string
	}{
		{"time", Options{Timeout: 20 * time.Millisecond, IterationLimit: 1 << 40}, "<% range(0, 1000000000000).sum() %>", "evaluation exceeded its time limit of 20ms"},
		{"time in jinja", Options{Timeout: 20 * time.Millisecond}, "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "time limit"},
		{"iterations", Options{IterationLimit: 10}, "<% range(0, 11).len() %>", "iteration limit of 10 elements exceeded"},
		{"call depth", Options{MaxCallDepth: 5}, "<% def(f, f($)) -> f(1) %>", "call depth limit of 5 exceeded"},
		{"jinja output", Options{OutputLimit: 100}, "{% for i in range(1000) %}xx{% endfor %}", "output limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.opts).Evaluate(t.Context(), c.expr, value.NewMap(0), nil)
			require.Error(t, err)
			require.Contains(t, err.Error(), c.want)
		})
	}

	t.Run("the caller's cancellation is not a time limit", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := New(Options{IterationLimit: 1 << 40}).Evaluate(ctx, "<% range(0, 1000000000000).sum() %>", value.NewMap(0), nil)
		require.Error(t, err)
		require.NotContains(t, err.Error(), "time limit")
		require.ErrorIs(t, err, context.Canceled)
	})
}
