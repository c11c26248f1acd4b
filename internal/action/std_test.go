package action_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/value"
)

func TestStandardActions(t *testing.T) {
	t.Parallel()
	reg := action.Standard()
	tests := []struct {
		name   string
		action string
		input  *value.Map
		want   action.Outcome
		inline bool
	}{
		{"noop returns None", "std.noop", value.NewMap(0), action.Outcome{}, true},
		{"echo returns its output", "std.echo", value.MapOf("output", value.MapOf("a", int64(1))), action.Outcome{Result: value.MapOf("a", int64(1))}, true},
		{"echo with a delay is not inline", "std.echo", value.MapOf("output", "x", "delay", int64(1)), action.Outcome{}, false},
		{"fail without data", "std.fail", value.NewMap(0), action.Outcome{Failed: true,
			Result: "The action raised an exception [action=Fail action, action_ex_id=, msg='Fail action expected exception.']"}, true},
		{"fail with data", "std.fail", value.MapOf("error_data", "boom"), action.Outcome{Failed: true, Result: "boom"}, true},
		{"async_noop returns no result", "std.async_noop", value.NewMap(0), action.Outcome{Async: true}, true},
		{"missing input", "std.echo", value.NewMap(0),
			action.Outcome{Failed: true, Result: "Invalid input [name=std.echo, class=mistral.actions.std_actions.EchoAction, missing=['output']]"}, true},
		{"unexpected input", "std.noop", value.MapOf("x", int64(1)),
			action.Outcome{Failed: true, Result: "Invalid input [name=std.noop, class=mistral.actions.std_actions.NoOpAction, unexpected=['x']]"}, true},
		{"unknown action", "std.nope", value.NewMap(0),
			action.Outcome{Failed: true, Result: "Failed to find action [action_name=std.nope]"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.inline, reg.CanInline(tc.action, tc.input))
			if !tc.inline {
				return // would sleep
			}
			got := reg.Run(context.Background(), tc.action, tc.input, action.ExecutionContext{})
			require.Equal(t, tc.want.Failed, got.Failed)
			require.Equal(t, tc.want.Async, got.Async)
			require.True(t, value.Equal(tc.want.Result, got.Result), "result %v", got.Result)
		})
	}
}

func TestEchoDelayHonoursCancellation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := action.Standard().Run(ctx, "std.echo", value.MapOf("output", "x", "delay", int64(60)), action.ExecutionContext{})
	require.True(t, got.Failed)
	require.Contains(t, got.Result, "interrupted")
}
