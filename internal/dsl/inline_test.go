package dsl

import (
	"testing"

	"github.com/bora-workflow/bora/internal/value"
	"github.com/stretchr/testify/require"
)

// TestParseCommand pins parseCommand to what Mistral 15's
// _parse_cmd_and_input returns; the expected values were produced by
// running Mistral's regular expressions in Python on the same strings
// (as was a differential run over all 1419 such strings of the corpus).
func TestParseCommand(t *testing.T) {
	tests := []struct {
		in     string
		name   string
		params *value.Map
	}{
		{"std.noop", "std.noop", nil},
		{`std.echo output="a=1" n=-1 x=abc y=[1, 2] z=[3]`, "std.echo", value.MapOf("output", "a=1", "y", "[1, 2] z=[3]")},
		{`fail msg='x y'`, "fail", value.MapOf("msg", "x y")},
		{"a  b=1", "a", value.MapOf("b", int64(1))},
		{"x=1", "x=1", nil},
		{"<% $.a %> p=1", "<% $.a %>", value.MapOf("p", int64(1))},
		{"{{ _.a }} p={{ _.b }}", "{{ _.a }} p={{ _.b }}", value.MapOf("p", "{{ _.b }}")},
		{`std.http url="http://x?a=b&c=d" headers={"a": 1}`, "std.http", value.MapOf("url", "http://x?a=b&c=d")},
		{"fail(msg=<% $.x %>)", "fail", value.MapOf("msg", "<% $.x %>")},
		{"cmd p=007 q=12.5 r=true s=null t=false", "cmd", value.MapOf("p", "007", "q", int64(12), "r", true, "s", nil, "t", false)},
		{"a b=<% $.x %><% $.y %>", "a", value.MapOf("b", "<% $.x %>")},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			name, params, err := parseCommand(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.name, name)
			require.True(t, value.Equal(tt.params.Clone(), params.Clone()), "params: got %v", params)
		})
	}
	_, _, err := parseCommand("(x) y=1")
	require.ErrorContains(t, err, "cannot find an action, workflow or task name")
}
