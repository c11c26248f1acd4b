package action_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/value"
)

// clientKey is a fresh key pair: its public half for the server, its
// private half as PEM (encrypted when passphrase is set).
func clientKey(t *testing.T, passphrase string) (ssh.PublicKey, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	sshPub, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte(passphrase))
	}
	require.NoError(t, err)
	return sshPub, string(pem.EncodeToMemory(block))
}

func TestSSH(t *testing.T) {
	t.Parallel()
	alicePub, alicePEM := clientKey(t, "")
	bobPub, bobPEM := clientKey(t, "unlock")
	srv := startSSHServer(t, map[string]sshUser{
		"alice": {password: "secret", key: alicePub},
		"bob":   {key: bobPub},
	})
	keyDir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(keyDir, "alice_key"), []byte(alicePEM), 0o600))
	reg := action.NewStandard(action.StdOptions{SSHKeyDir: keyDir})
	failMsg := "Failed to execute ssh cmd 'fail' on ['" + srv.addr + "']"

	tests := []struct {
		name       string
		input      *value.Map
		wantFailed bool
		want       any    // exact result, when set
		contains   string // for failures whose cause varies
	}{
		{"password auth", value.MapOf("cmd", "echo hello", "username", "alice", "password", "secret"),
			false, "hello\n", ""},
		{"inline private key", value.MapOf("cmd", "whoami", "username", "alice", "private_key", alicePEM),
			false, "alice\n", ""},
		{"key file under the key directory", value.MapOf("cmd", "whoami", "username", "alice", "private_key_filename", "alice_key"),
			false, "alice\n", ""},
		{"absolute key file", value.MapOf("cmd", "whoami", "username", "alice",
			"private_key_filename", filepath.Join(keyDir, "alice_key")), false, "alice\n", ""},
		{"encrypted key unlocked by password", value.MapOf("cmd", "whoami", "username", "bob",
			"private_key", bobPEM, "password", "unlock"), false, "bob\n", ""},
		{"failing command", value.MapOf("cmd", "fail", "username", "alice", "password", "secret"),
			true, failMsg, ""},
		{"failing command with return_result_on_error", value.MapOf("cmd", "fail", "username", "alice",
			"password", "secret", "return_result_on_error", true),
			false, value.MapOf("stdout", "partial\n", "stderr", "bad\n", "exit_code", int64(3)), ""},
		{"return_result_on_error on success", value.MapOf("cmd", "echo ok", "username", "alice",
			"password", "secret", "return_result_on_error", true),
			false, value.MapOf("stdout", "ok\n", "stderr", "", "exit_code", int64(0)), ""},
		{"wrong password", value.MapOf("cmd", "echo x", "username", "alice", "password", "wrong"),
			true, nil, "unable to authenticate"},
		{"unknown key", value.MapOf("cmd", "echo x", "username", "bob", "private_key", alicePEM),
			true, nil, "unable to authenticate"},
		{"key file outside the key directory", value.MapOf("cmd", "echo x", "username", "alice",
			"private_key_filename", "../etc/key"), true, nil, "Private key filename must not contain '..'. Actual: ../etc/key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := tc.input.Clone()
			in.Set("host", srv.addr)
			out := runAction(t, reg, "std.ssh", in)
			require.Equal(t, tc.wantFailed, out.Failed, "%v", out.Result)
			if tc.want != nil {
				require.True(t, value.Equal(tc.want, out.Result), "result %v", out.Result)
			}
			if tc.contains != "" {
				require.Contains(t, out.Result, tc.contains)
			}
		})
	}

	t.Run("a list of hosts gives a list of results", func(t *testing.T) {
		t.Parallel()
		out := runAction(t, reg, "std.ssh", value.MapOf("cmd", "echo hi", "host", []any{srv.addr, srv.addr},
			"username", "alice", "password", "secret"))
		require.False(t, out.Failed, "%v", out.Result)
		require.Equal(t, []any{"hi\n", "hi\n"}, out.Result)
	})
}

func TestSSHConnectionRefused(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	out := runAction(t, action.Standard(), "std.ssh", value.MapOf("cmd", "echo x", "host", addr, "username", "u", "password", "p"))
	require.True(t, out.Failed)
	require.Contains(t, out.Result, "Failed to execute ssh cmd 'echo x' on ['"+addr+"']")
	require.Contains(t, out.Result, "connection refused")
}

func TestSSHCancellation(t *testing.T) {
	t.Parallel()
	srv := startSSHServer(t, map[string]sshUser{"alice": {password: "secret"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-srv.started // the command runs: now stop it
		cancel()
	}()
	out := action.Standard().Run(ctx, "std.ssh", value.MapOf("cmd", "hang", "host", srv.addr,
		"username", "alice", "password", "secret"), action.ExecutionContext{})
	require.True(t, out.Failed)
	require.Contains(t, out.Result, "context canceled")
}

func TestSSHProxied(t *testing.T) {
	t.Parallel()
	pub, privPEM := clientKey(t, "")
	target := startSSHServer(t, map[string]sshUser{"alice": {key: pub}})
	gateway := startSSHServer(t, map[string]sshUser{"jump": {key: pub}, "alice": {key: pub}})
	keyDir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(keyDir, "id"), []byte(privPEM), 0o600))
	reg := action.NewStandard(action.StdOptions{SSHKeyDir: keyDir})

	t.Run("through the gateway as gateway_username", func(t *testing.T) {
		out := runAction(t, reg, "std.ssh_proxied", value.MapOf("cmd", "whoami", "host", target.addr,
			"username", "alice", "private_key_filename", "id", "gateway_host", gateway.addr, "gateway_username", "jump"))
		require.False(t, out.Failed, "%v", out.Result)
		require.Equal(t, "alice\n", out.Result)
		require.Equal(t, []string{"jump"}, gateway.loginsSeen())
		require.Equal(t, []string{target.addr}, gateway.forwardsSeen())
		require.Equal(t, []string{"alice"}, target.loginsSeen())
	})
	t.Run("a failing command through the gateway", func(t *testing.T) {
		out := runAction(t, reg, "std.ssh_proxied", value.MapOf("cmd", "fail", "host", target.addr,
			"username", "alice", "private_key_filename", "id", "gateway_host", gateway.addr))
		require.True(t, out.Failed)
		require.Equal(t, "Failed to execute ssh cmd 'fail' on ['"+target.addr+"']", out.Result)
	})
	t.Run("gateway refuses the key", func(t *testing.T) {
		_, otherPEM := clientKey(t, "")
		out := runAction(t, reg, "std.ssh_proxied", value.MapOf("cmd", "whoami", "host", target.addr,
			"username", "alice", "private_key_filename", nil, "private_key", otherPEM, "gateway_host", gateway.addr))
		require.True(t, out.Failed)
		require.Contains(t, out.Result, "gateway "+gateway.addr)
		require.Contains(t, out.Result, "unable to authenticate")
	})
	t.Run("proxy_command is refused", func(t *testing.T) {
		out := runAction(t, reg, "std.ssh_proxied", value.MapOf("cmd", "whoami", "host", target.addr,
			"username", "alice", "private_key_filename", "id", "gateway_host", gateway.addr, "proxy_command", "nc %h %p"))
		require.True(t, out.Failed)
		require.Contains(t, out.Result, "proxy_command is not supported")
	})
}
