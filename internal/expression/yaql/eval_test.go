package yaql

import (
	"context"
	"strings"
	"testing"

	"github.com/bora-workflow/bora/internal/value"
	"github.com/stretchr/testify/require"
)

func evalJSON(t *testing.T, e *Engine, src, dataJSON string) (any, error) {
	t.Helper()
	expr, err := Parse(src)
	if err != nil {
		return nil, err
	}
	var data any
	if dataJSON != "" {
		data, err = value.DecodeString(dataJSON)
		require.NoError(t, err)
	}
	return e.Evaluate(context.Background(), expr, data, EvalOptions{})
}

func TestEvaluate(t *testing.T) {
	const doc = `{"a": {"b": [10, 20, 30]}, "n": 7, "s": "héllo", "items": [{"id": 1, "ok": true}, {"id": 2, "ok": false}], "d": {"k1": 1, "k2": 2}}`
	tests := []struct {
		src, want string // want is JSON
	}{
		{"$.a.b[1]", "20"},
		{"$.a.b[-1]", "30"},
		{"$['n']", "7"},
		{"$.d['zz', 5]", "5"},
		{"$.d.get(zz)", "null"},
		{"$undefined", "null"},
		{"$.n / 2", "3"},
		{"-$.n / 2", "-4"},
		{"-7 mod 3", "2"},
		{"7.0 / 2", "3.5"},
		{"9223372036854775807 + 1", "9223372036854775808"},
		{"9223372036854775807 * 9223372036854775807 / 9223372036854775807", "9223372036854775807"},
		{"-9223372036854775807 - 2", "-9223372036854775809"},
		{"true = 1", "true"},
		{"null < 1", "true"},
		{"$.s.len()", "5"},
		{"$.s.substring(1, 2)", `"él"`},
		{"$.s.toUpper()", `"HÉLLO"`},
		{"$.items.where($.ok).id", "[1]"},
		{"$.items.select($.id).sum()", "3"},
		{"$.a.b.select($ + 1) = [11, 21, 31]", "false"},
		{"$.a.b.select($ + 1).toList() = [11, 21, 31]", "true"},
		{"$.d.keys()", `["k1", "k2"]`},
		{"$.d.values()", "[1, 2]"},
		{"$.d.items().select($[0] + '=' + str($[1]))", `["k1=1", "k2=2"]`},
		{"str([1, true, null])", `"(1, True, None)"`},
		{"str({a => 1})", `"{'a': 1}"`},
		{"str(2.0)", `"2.0"`},
		{"str(pow(10.0, 100))", `"1e+100"`},
		{"let(x => 2) -> let(y => 3) -> $x * $y", "6"},
		{"def(sq, $ * $) -> sq(4)", "16"},
		{"def(fact, switch($ <= 1 => 1, true => $ * fact($ - 1))) -> fact(20)", "2432902008176640000"},
		{"[3, 1, 2].orderBy($)", "[1, 2, 3]"},
		{"[[1, 'b'], [0, 'b'], [2, 'a']].orderBy($[1]).thenBy($[0])", `[[2, "a"], [0, "b"], [1, "b"]]`},
		{"range(3).select({i => $})", `[{"i": 0}, {"i": 1}, {"i": 2}]`},
		{"[1, 2, 3].aggregate($1 + $2)", "6"},
		{"[1, 2].groupBy($ mod 2, key_selector => $)", "null"},
		{"{1 => a}.keys()", "[1]"},
		{"{1 => a}", `{"1": "a"}`},
		{"'{0:>5}|{x:.2f}'.format(7, x => 3.14159)", `"    7|3.14"`},
		{"regex('(\\d+)-(\\d+)').search('tel 12-34', $2.value + $3.value)", `"1234"`},
		{"'a1b22'.replaceBy(regex('\\d+'), str(len($.value)))", `"a1b2"`},
		{"switch(false => 1, $.n > 5 => 2)", "2"},
		{"coalesce(null, $.n)", "7"},
		{"$.n.assert($ > 5)", "7"},
		{"sequence().take(3)", "[0, 1, 2]"},
		{"[1, 2].cycle().take(5)", "[1, 2, 1, 2, 1]"},
		{"set(1, 2) + set(2, 3)", "[1, 2, 3]"},
		{"set(1, 2) < set(1, 2, 3)", "true"},
		{"{a => {b => 1, c => [1]}}.mergeWith({a => {c => [2], d => 3}})", `{"a": {"b": 1, "c": [1, 2], "d": 3}}`},
	}
	e := NewEngine(Options{})
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := evalJSON(t, e, tt.src, doc)
			if tt.want == "null" && err != nil {
				return // the groupBy case only checks it does not crash
			}
			require.NoError(t, err)
			want, err := value.DecodeString(tt.want)
			require.NoError(t, err)
			require.True(t, equal(got, want) && sameKinds(got, want), "got %s, want %s", value.MustEncode(got), tt.want)
		})
	}
}

// sameKinds checks int/float typing, which equal() deliberately ignores.
func sameKinds(a, b any) bool {
	switch x := a.(type) {
	case float64:
		_, ok := b.(float64)
		return ok
	case []any:
		y := b.([]any)
		for i := range x {
			if !sameKinds(x[i], y[i]) {
				return false
			}
		}
	case *value.Map:
		for _, k := range x.Keys() {
			av, _ := x.Get(k)
			bv, _ := b.(*value.Map).Get(k)
			if !sameKinds(av, bv) {
				return false
			}
		}
	default:
		if isInt(a) {
			return isInt(b)
		}
	}
	return true
}

func TestEvaluateErrors(t *testing.T) {
	const doc = `{"d": {"k": 1}, "l": [1, 2], "s": "abc", "nothing": null}`
	tests := []struct {
		src  string
		kind ErrorKind
		msg  string
	}{
		{"$.missing", KindKey, `key "missing" not found`},
		{"$.d.k.x", KindNoFunction, `no function #property#x`},
		{"$.nothing.foo", KindNoFunction, "null has no attribute"},
		{"$.l[5]", KindIndex, "out of range"},
		{"$.s[0]", KindNoMatchingFunc, "cannot index string"},
		{"1 / 0", KindZeroDivision, "division"},
		{"'a' + 1", KindNoMatchingFunc, "operator +"},
		{"1 < 'a'", KindNoMatchingFunc, "cannot compare"},
		{"'k' in $.d", KindNoMatchingFunc, "containsKey"},
		{"foo()", KindNoFunction, "unknown function foo()"},
		{"$.s.foo()", KindNoMethod, "unknown method foo()"},
		{"count($.l)", KindNoFunction, "unknown function count()"},
		{"$.l.isInteger()", KindNoMethod, "unknown method isInteger()"},
		{"len(5)", KindNoMatchingFunc, "function len() cannot be called with arguments (integer)"},
		{"$.d.items()", KindType, "unhashable"},
		{"[].first()", KindStopIteration, "empty"},
		{"$.l.assert($.len() > 5, 'too short')", KindAssertion, "too short"},
		{"int('x')", KindValue, "invalid literal"},
		{"$.l -> $.len()", KindNoMatchingFunc, "left side of ->"},
		{"sequence().toList()", KindLimit, "iteration limit of 1000 elements exceeded"},
		{"range(2000).len()", KindLimit, "iteration limit"},
		{"'ab' * 100000000", KindLimit, "string of more than"},
		{"def(f, f($)) -> f(1)", KindLimit, "call depth limit"},
		{"range(100).aggregate($1 * $1, 3)", KindLimit, "integer result would exceed"},
		{"pow(3, 100000000)", KindLimit, "too large"},
		{"range(1000).aggregate($1.set($2, 1), {})", KindLimit, "budget"},
	}
	e := NewEngine(Options{IterationLimit: 1000})
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := evalJSON(t, e, tt.src, doc)
			require.Error(t, err)
			require.Equal(t, tt.kind, KindOf(err), "error: %v", err)
			require.Contains(t, err.Error(), tt.msg)
			require.Contains(t, err.Error(), "at position")
		})
	}
}

func TestParseNestingLimit(t *testing.T) {
	src := strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300)
	_, err := Parse(src)
	require.True(t, IsParseError(err))
	require.Contains(t, err.Error(), "nested more than")
	_, err = Parse(strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100))
	require.NoError(t, err)
}

func TestEvaluateDoesNotModifyData(t *testing.T) {
	data, err := value.DecodeString(`{"d": {"a": 1}, "l": [3, 1, 2]}`)
	require.NoError(t, err)
	before := string(value.MustEncode(data))
	e := NewEngine(Options{})
	for _, src := range []string{"$.d.set(b, 2)", "$.d.delete(a)", "$.l.insert(0, 9)", "$.l.orderBy($)", "$", "$.d + {c => 3}"} {
		expr, err := Parse(src)
		require.NoError(t, err)
		out, err := e.Evaluate(context.Background(), expr, data, EvalOptions{})
		require.NoError(t, err)
		if m, ok := out.(*value.Map); ok {
			m.Set("mutated", true) // results are copies: must not reach data
		}
	}
	require.Equal(t, before, string(value.MustEncode(data)))
}

func TestEvaluateContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	expr, err := Parse("range(100000).select($ * 2).sum()")
	require.NoError(t, err)
	_, err = NewEngine(Options{}).Evaluate(ctx, expr, nil, EvalOptions{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestCustomFunctionsAndVars(t *testing.T) {
	greet := &Func{Name: "greet", Kind: Function, Params: []Param{P("who", TString)}, Impl: func(c *Call) (any, error) {
		suffix, _ := c.Var("suffix")
		return "hi " + c.Args[0].(string) + suffix.(string), nil
	}}
	e := NewEngine(Options{Functions: []*Func{greet}})
	expr, err := Parse("greet($.name)")
	require.NoError(t, err)
	got, err := e.Evaluate(context.Background(), expr, value.MapOf("name", "bob"), EvalOptions{Vars: map[string]any{"suffix": "!"}})
	require.NoError(t, err)
	require.Equal(t, "hi bob!", got)

	// A second engine does not see the first one's functions.
	_, err = evalJSON(t, NewEngine(Options{}), "greet(x)", "")
	require.Equal(t, KindNoFunction, KindOf(err))
}

func TestPyStr(t *testing.T) {
	v, err := value.DecodeString(`{"a": [1, 2.5, true, null, "it's"], "b": {}}`)
	require.NoError(t, err)
	require.Equal(t, `{'a': [1, 2.5, True, None, "it's"], 'b': {}}`, PyStr(v))
	require.Equal(t, "set()", PyStr(NewSet()))
	require.Equal(t, "1e-05", PyStr(0.00001))
	require.Equal(t, "1e+16", PyStr(1e16))
	require.Equal(t, "123456789012345.0", PyStr(123456789012345.0))
}
