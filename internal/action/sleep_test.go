package action_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/value"
)

func TestSleep(t *testing.T) {
	t.Parallel()
	reg := action.Standard()
	// Values Mistral reads as zero seconds return at once.
	for _, s := range []any{int64(0), int64(-5), "abc", "1.5", -0.5, nil} {
		out := runAction(t, reg, "std.sleep", value.MapOf("seconds", s))
		require.Equal(t, action.Outcome{}, out, "seconds=%v", s)
	}
	require.False(t, reg.CanInline("std.sleep", value.MapOf("seconds", int64(0))), "sleep blocks an executor, never the engine")

	t.Run("cancellation ends the wait", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		out := reg.Run(ctx, "std.sleep", value.MapOf("seconds", int64(3600)), action.ExecutionContext{})
		require.True(t, out.Failed)
		require.Equal(t, "std.sleep interrupted: context canceled", out.Result)
	})
	t.Run("a numeric string counts", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		out := reg.Run(ctx, "std.sleep", value.MapOf("seconds", " 7 "), action.ExecutionContext{})
		require.True(t, out.Failed, "7 seconds were asked for, so the cancel must interrupt them")
	})
}

func TestTestDict(t *testing.T) {
	t.Parallel()
	reg := action.Standard()
	tests := []struct {
		name       string
		input      *value.Map
		want       any
		wantFailed bool
		inline     bool
	}{
		{"defaults give an empty dict", value.NewMap(0), value.NewMap(0), false, true},
		{"size, prefix, val", value.MapOf("size", int64(3), "key_prefix", "k", "val", value.MapOf("x", int64(1))),
			value.MapOf("k0", value.MapOf("x", int64(1)), "k1", value.MapOf("x", int64(1)), "k2", value.MapOf("x", int64(1))), false, true},
		{"negative size", value.MapOf("size", int64(-2)), value.NewMap(0), false, true},
		{"size must be an integer", value.MapOf("size", "3"), "std.test_dict: size must be an integer, got string", true, true},
		{"a large dict runs on an executor", value.MapOf("size", int64(5000)), nil, false, false},
		{"an absurd size is refused", value.MapOf("size", int64(1)<<40),
			"std.test_dict: size 1099511627776 is over the limit of 1048576", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.inline, reg.CanInline("std.test_dict", tc.input))
			out := runAction(t, reg, "std.test_dict", tc.input)
			require.Equal(t, tc.wantFailed, out.Failed, "%v", out.Result)
			if tc.want != nil {
				require.True(t, value.Equal(tc.want, out.Result), "result %v", out.Result)
				if m, ok := tc.want.(*value.Map); ok {
					require.Equal(t, m.Keys(), out.Result.(*value.Map).Keys())
				}
			} else {
				require.Equal(t, 5000, out.Result.(*value.Map).Len())
			}
		})
	}
}

func TestStandardRegistersEveryAction(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{
		"std.async_noop", "std.echo", "std.email", "std.fail", "std.http", "std.javascript", "std.js",
		"std.mistral_http", "std.noop", "std.sleep", "std.ssh", "std.ssh_proxied", "std.test_dict",
	}, action.Standard().Names())
	for _, d := range action.StandardDefinitions() {
		require.NotNil(t, d.Run, d.Name)
		switch d.Name {
		case "std.http", "std.mistral_http", "std.ssh", "std.ssh_proxied", "std.email", "std.javascript", "std.js", "std.sleep":
			require.Nil(t, d.Inline, "%s talks to the outside or blocks: executors only", d.Name)
		}
	}
}

func TestMissingInputsUseMistralsMessage(t *testing.T) {
	t.Parallel()
	out := runAction(t, action.Standard(), "std.ssh_proxied", value.MapOf("cmd", "x"))
	require.Equal(t, action.Outcome{Failed: true, Result: "Invalid input [name=std.ssh_proxied, class=mistral.actions.std_actions.SSHProxiedAction, " +
		"missing=['host', 'username', 'private_key_filename', 'gateway_host']]"}, out)
}
