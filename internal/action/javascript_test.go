package action_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/value"
)

func TestJavaScript(t *testing.T) {
	t.Parallel()
	ctxDoc := value.MapOf("name", "bora", "n", int64(41), "items", []any{int64(1), int64(2), int64(3)})
	tests := []struct {
		name       string
		script     string
		context    any
		want       any
		wantFailed bool
	}{
		{"context bound to $", "return $.n + 1", ctxDoc, int64(42), false},
		{"objects keep their key order", "return {z: $.name, a: $.items.map(function (x) { return x * 2 }), f: 0.5, n: null}",
			ctxDoc, value.MapOf("z", "bora", "a", []any{int64(2), int64(4), int64(6)}, "f", 0.5, "n", nil), false},
		{"no return gives None", "var x = 1;", nil, nil, false},
		{"a function gives None", "return function () {}", nil, nil, false},
		{"no context", "return typeof $", nil, "object", false},
		{"strings and the standard library", "return [$.name.toUpperCase(), Math.max.apply(null, $.items), JSON.stringify({a: 1})]",
			ctxDoc, []any{"BORA", int64(3), `{"a":1}`}, false},
		{"a thrown Error fails with its message", "throw new Error('boom')", nil, "JavaScriptAction failed: Error: boom", true},
		{"a thrown string", "throw 'plain'", nil, "JavaScriptAction failed: plain", true},
		{"a TypeError", "return $.missing.deeper", value.NewMap(0),
			"JavaScriptAction failed: TypeError: Cannot read property 'deeper' of undefined", true},
	}
	for _, name := range []string{"std.javascript", "std.js"} {
		for _, tc := range tests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				out := runAction(t, action.Standard(), name, value.MapOf("script", tc.script, "context", tc.context))
				require.Equal(t, tc.wantFailed, out.Failed, "%v", out.Result)
				require.True(t, value.Equal(tc.want, out.Result), "result %#v", out.Result)
			})
		}
	}
	t.Run("a syntax error fails", func(t *testing.T) {
		t.Parallel()
		out := runAction(t, action.Standard(), "std.js", value.MapOf("script", "return {"))
		require.True(t, out.Failed)
		require.Contains(t, out.Result, "JavaScriptAction failed: SyntaxError")
	})
}

func TestJavaScriptBounds(t *testing.T) {
	t.Parallel()
	t.Run("a runaway loop is stopped by the time bound", func(t *testing.T) {
		t.Parallel()
		reg := action.NewStandard(action.StdOptions{JSTimeout: 100 * time.Millisecond})
		out := runAction(t, reg, "std.javascript", value.MapOf("script", "while (true) {}"))
		require.True(t, out.Failed)
		require.Equal(t, "JavaScriptAction failed: script ran over its time limit of 100ms", out.Result)
	})
	t.Run("cancellation stops the script", func(t *testing.T) {
		t.Parallel()
		// The loop never ends, so whenever the cancel lands it is the
		// cancel that stops it.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		out := action.Standard().Run(ctx, "std.js", value.MapOf("script", "for (;;) {}"), action.ExecutionContext{})
		require.True(t, out.Failed)
		require.Equal(t, "JavaScriptAction failed: cancelled: context deadline exceeded", out.Result)
	})
	t.Run("deep recursion fails the task", func(t *testing.T) {
		t.Parallel()
		out := runAction(t, action.Standard(), "std.js", value.MapOf("script", "function r(n) { return r(n + 1) + 1 } return r(0)"))
		require.True(t, out.Failed)
		require.Contains(t, out.Result, "JavaScriptAction failed: RangeError")
	})
	t.Run("one huge string is refused before it is built", func(t *testing.T) {
		t.Parallel()
		out := runAction(t, action.Standard(), "std.js", value.MapOf("script", "return 'x'.repeat(1e12).length"))
		require.True(t, out.Failed)
		require.Contains(t, out.Result, "RangeError: string of 1000000000000 characters is over the memory limit")
		out = runAction(t, action.Standard(), "std.js", value.MapOf("script", "return 'ab'.repeat(3) + '1'.padStart(3, '0')"))
		require.Equal(t, "ababab001", out.Result, "%v", out.Result)
	})
}

// TestJavaScriptMemoryBound is not parallel: the bound watches the whole
// process's heap, so it must not share the process with other tests.
func TestJavaScriptMemoryBound(t *testing.T) {
	reg := action.NewStandard(action.StdOptions{JSTimeout: time.Minute, JSMaxMemoryBytes: 32 << 20})
	out := runAction(t, reg, "std.js", value.MapOf("script",
		"var keep = []; for (;;) { keep.push(new Array(1000).fill('grow')) }"))
	require.True(t, out.Failed)
	require.Equal(t, "JavaScriptAction failed: script went over its memory limit of 33554432 bytes", out.Result)
}
