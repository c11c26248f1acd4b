package expression

import (
	"context"
	"errors"
	"math/rand/v2"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/value"
)

func TestJinjaHostFunctions(t *testing.T) {
	ev := New(Options{})
	host := newFakeHost()
	data := mustDecode(t, `{"x": "fetch", "l": [1], "__env": {"region": "R1"}}`)
	tests := []struct{ src, want string }{
		{"{{ task('fetch').result.vms }}", `["a","b"]`},
		{"{{ task(_.x).result.vms | length }}", `2`},
		{"{{ task().state }}", `"RUNNING"`},
		{"{{ task('nope') }}", `null`},
		{"{{ execution().input.n * 2 }}", `6`},
		{"{{ uuid() | length }}", `36`},
		{"{{ tasks() }}", `[{"wf":"","recursive":false,"state":"","flat":false}]`},
		{"{{ tasks(workflow_execution_id='wf1', recursive=true, state='SUCCESS', flat=true) }}", `[{"wf":"wf1","recursive":true,"state":"SUCCESS","flat":true}]`},
		{"{{ tasks('wf2', true) | first }}", `{"wf":"wf2","recursive":true,"state":"","flat":false}`},
		{"{{ global('v') }}", `"global-v"`},
		{"{{ executions(state='RUNNING', root_execution_id='r1')[0].root }}", `"r1"`},
		{"{{ env().region }}", `"R1"`},
		{"{{ _ | env }}", `{"region":"R1"}`},
		{"{{ __env.region }}", `"R1"`},
		{"{{ json_dump({'b': 1, 'a': [1]}) }}", `"{\n    \"b\": 1,\n    \"a\": [\n        1\n    ]\n}"`},
		{`{{ json_parse('{"b": 1, "a": 2}') }}`, `{"b":1,"a":2}`},
		{"{{ yaml_dump({'b': 1, 'a': ['x']}) }}", `"a:\n- x\nb: 1\n"`},
		{"{{ yaml_parse('a: 1') }}", `{"a":1}`},
		{"{{ json_pp(_.l) }}", `"[\n    1\n]"`},
		{"n={{ task('fetch').result.vms }}", `"n=['a', 'b']"`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := ev.Evaluate(context.Background(), tt.src, data, host)
			require.NoError(t, err)
			require.Equal(t, tt.want, string(value.MustEncode(got)))
		})
	}
}

func TestJinjaFunctionErrors(t *testing.T) {
	ev := New(Options{})
	for src, msg := range map[string]string{
		"{{ _.l | json_dump }}":   "json_dump() missing 1 required positional argument: 'data'",
		"{{ task('a', 'b') }}":    "task() takes 1 positional arguments but 2 were given",
		"{{ tasks(nope=1) }}":     "tasks() got an unexpected keyword argument 'nope'",
		"{{ task('x') }}":         errNoHost.Error(),
		"{{ _.a + 'x' }}":         "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
		"{{ _.missing }}":         "UndefinedError: 'dict object' has no attribute 'missing'",
		"x {{ nope }}":            "UndefinedError: 'nope' is undefined",
		"{{ 1 < 'a' }}":           "TypeError: '<' not supported between instances of 'int' and 'str'",
		"{{ _.a // 0 }}":          "ZeroDivisionError",
		"{{ range(1000000000) }}": "LimitError",
		"{{ 1 if false }}":        "no else section was defined",
		"a {{ 1 if false }}":      "no else section was defined",
		"{{ _.items }}":           "write ['items'] for the key",
	} {
		_, err := ev.Evaluate(context.Background(), src, value.MapOf("a", int64(1), "l", []any{}), nil)
		require.Error(t, err, src)
		require.Contains(t, err.Error(), msg, src)
		var ee *Error
		require.True(t, errors.As(err, &ee), src)
		require.Equal(t, src, ee.Expression)
		require.False(t, ee.Parse, src)
	}
}

func TestJinjaTypedAndRendered(t *testing.T) {
	ev := New(Options{})
	data := mustDecode(t, `{"d": {"z": 1, "a": null}, "n": 7, "f": 2.0}`)
	spec := mustDecode(t, `{
		"typed": "{{ _.d }}",
		"int": "{{ _.n // 2 }}",
		"float": "{{ _.f }}",
		"text": "d={{ _.d }} f={{ _.f }} t={{ _.n > 1 }}",
		"block": "{% for k, v in _.d.items() %}{{ k }}:{{ v }} {% endfor %}",
		"two": "{{ _.n }}{{ _.n }}",
		"yaql": "<% $.n %>",
		"plain": "{ not } {{ unclosed"
	}`)
	got, err := ev.Evaluate(context.Background(), spec, data, nil)
	require.NoError(t, err)
	require.Equal(t,
		`{"typed":{"z":1,"a":null},"int":3,"float":2.0,"text":"d={'z': 1, 'a': None} f=2.0 t=True","block":"z:1 a:None ","two":"77","yaql":7,"plain":"{ not } {{ unclosed"}`,
		string(value.MustEncode(got)))
}

func TestJinjaValidate(t *testing.T) {
	ev := New(Options{})
	require.NoError(t, ev.Validate(mustDecode(t, `["{{ _.x | default(1) }}", "{% if _.a %}x{% endif %}", "a {{ 1 }} b"]`)))
	for _, bad := range []string{"{{ _.x + }}", "{% if %}", "{% for x in _.l %}", "a {{ ) }}"} {
		err := ev.Validate(bad)
		require.Error(t, err, bad)
		var ee *Error
		require.True(t, errors.As(err, &ee), bad)
		require.True(t, ee.Parse, bad)
	}
	err := ev.Validate("{{ _.x }} and <% $.y %>")
	require.ErrorContains(t, err, "The line already contains an expression of type 'jinja'. Mixing expression types in a single line is not allowed.")
	// Mistral asks Jinja first: a mixed string is Jinja, its <% %> is text.
	got, err := ev.Evaluate(context.Background(), "{{ _.x }} and <% $.y %>", value.MapOf("x", int64(1)), nil)
	require.NoError(t, err)
	require.Equal(t, "1 and <% $.y %>", got)
}

func TestContainsJinjaExpression(t *testing.T) {
	require.True(t, ContainsExpression("{{ _.x }}"))
	require.True(t, ContainsExpression("a {% if x %}b{% endif %}"))
	require.True(t, ContainsExpression("a {{}} b"))
	require.False(t, ContainsExpression("{{ spans\nlines }}"))
	require.False(t, ContainsExpression("{ {x} }"))
	require.False(t, ContainsExpression("{{ unclosed"))
}

// findBlocks must find what Mistral's Jinja regexes find.
func TestFindJinjaBlocksMatchesMistralRegex(t *testing.T) {
	re := regexp.MustCompile(`{{.*?}}`)
	alphabet := []string{"{", "}", "%", "\n", "a", " ", "{{", "}}"}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		n := r.IntN(12)
		s := ""
		for j := 0; j < n; j++ {
			s += alphabet[r.IntN(len(alphabet))]
		}
		require.Equal(t, re.FindAllString(s, -1), findBlocks(s, "{{", "}}", -1), "input %q", s)
	}
}

func TestJinjaLimitsAndCancellation(t *testing.T) {
	ev := New(Options{IterationLimit: 100})
	_, err := ev.Evaluate(context.Background(), "{{ range(101) | list }}", nil, nil)
	require.ErrorContains(t, err, "LimitError")
	_, err = ev.Evaluate(context.Background(), "{{ 'ab' * 100000000 }}", nil, nil)
	require.ErrorContains(t, err, "LimitError")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = ev.Evaluate(ctx, "{% for a in range(100) %}{% for b in range(100) %}{% for c in range(100) %}{% for d in range(100) %}{{ a + b }}{% endfor %}{% endfor %}{% endfor %}{% endfor %}", nil, nil)
	require.Error(t, err)
	require.Less(t, time.Since(start), 5*time.Second)
	_, err = ev.Evaluate(context.Background(), "{% include '/etc/passwd' %}", nil, nil)
	require.Error(t, err)
}

func TestJinjaIsConcurrencySafe(t *testing.T) {
	ev := New(Options{CacheSize: 4})
	host := newFakeHost()
	srcs := []string{
		"{{ _.n + 1 }}", "{{ task('fetch').result.vms | join(',') }}", "{% for i in range(_.n % 5) %}{{ i }},{% endfor %}",
		"n={{ _.n }}", "{% set m = _.n // 2 %}{{ m }}", "{{ [_.n] | tojson }}", "{{ {'a': _.n}.items() | list }}",
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if _, err := ev.Evaluate(context.Background(), srcs[(i+j)%len(srcs)], value.MapOf("n", int64(j)), host); err != nil {
					t.Error(err)
					return
				}
			}
		}(i)
	}
	wg.Wait()
}

// The Jinja conversion of the data is shared by the strings of one
// Evaluate pass only: a later pass sees changed data.
func TestJinjaSeesDataChangesBetweenPasses(t *testing.T) {
	ev := New(Options{})
	data := value.MapOf("n", int64(1))
	spec := []any{"{{ _.n }}", "n={{ _.n }}"}
	got, err := ev.Evaluate(context.Background(), spec, data, nil)
	require.NoError(t, err)
	require.Equal(t, `[1,"n=1"]`, string(value.MustEncode(got)))
	data.Set("n", int64(2))
	got, err = ev.Evaluate(context.Background(), spec, data, nil)
	require.NoError(t, err)
	require.Equal(t, `[2,"n=2"]`, string(value.MustEncode(got)))
}
