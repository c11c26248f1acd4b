package action_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/value"
)

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		masker action.Masker
		action string
		input  *value.Map
		want   *value.Map
	}{
		{"http credentials", action.Masker{}, "std.http",
			value.MapOf("url", "https://bot:hunter2@api.example.test/x?q=1", "auth", "alice:s3cret",
				"cookies", value.MapOf("sid", "abc"),
				"headers", value.MapOf("Authorization", "Bearer t", "x-auth-token", "t2", "Accept", "text/plain"),
				"params", value.MapOf("api_key", "k", "page", int64(2))),
			value.MapOf("url", "https://bot:***@api.example.test/x?q=1", "auth", "alice:***",
				"cookies", "***",
				"headers", value.MapOf("Authorization", "***", "x-auth-token", "***", "Accept", "text/plain"),
				"params", value.MapOf("api_key", "***", "page", int64(2)))},
		{"operator's sensitive headers", action.Masker{SensitiveHeaders: []string{"X-Vault-Token", "X-Signature"}}, "std.mistral_http",
			value.MapOf("url", "http://h/", "headers", value.MapOf("x-signature", "sig", "X-Trace", "1")),
			value.MapOf("url", "http://h/", "headers", value.MapOf("x-signature", "***", "X-Trace", "1"))},
		{"ssh", action.Masker{}, "std.ssh",
			value.MapOf("cmd", "ls", "host", "h", "username", "u", "password", "pw", "private_key", "-----BEGIN",
				"private_key_filename", "id_rsa"),
			value.MapOf("cmd", "ls", "host", "h", "username", "u", "password", "***", "private_key", "***",
				"private_key_filename", "id_rsa")},
		{"email", action.Masker{}, "std.email",
			value.MapOf("from_addr", "a@b", "smtp_password", "pw", "smtp_server", "s"),
			value.MapOf("from_addr", "a@b", "smtp_password", "***", "smtp_server", "s")},
		{"custom action, nested", action.Masker{}, "my.deploy",
			value.MapOf("target", value.MapOf("db_password", "x", "host", "h"), "tokens", []any{"a"}, "empty_secret", nil),
			value.MapOf("target", value.MapOf("db_password", "***", "host", "h"), "tokens", "***", "empty_secret", nil)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			before := value.DeepCopy(tc.input)
			got := tc.masker.Mask(tc.action, tc.input)
			require.Equal(t, string(value.MustEncode(tc.want)), string(value.MustEncode(got)))
			require.True(t, value.Equal(before, tc.input), "the action's own input must stay intact")
		})
	}
	require.Equal(t, "***", value.PyStr(field(t, action.Mask("std.ssh", value.MapOf("password", "x")), "password")))
}
