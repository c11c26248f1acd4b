package action

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/bora-workflow/bora/internal/value"
)

// sshMaxOutput caps what a command may print into the task result.
const sshMaxOutput = 5 << 20

// sshAction runs std.ssh and std.ssh_proxied.
type sshAction struct {
	opts StdOptions
}

func (a sshAction) definition() *Definition {
	return &Definition{
		Name:        "std.ssh",
		Class:       stdClass + "SSHAction",
		Description: "Runs cmd over SSH on host (or on each host of a list) and returns its stdout.",
		Params: []Param{
			Required("cmd"), Required("host"), Required("username"),
			Optional("password", ""),
			Optional("private_key_filename", nil),
			Optional("private_key", nil),
			Optional("return_result_on_error", false),
		},
		Run: func(ctx context.Context, input *value.Map, _ ExecutionContext) Outcome {
			return a.run(ctx, input, false)
		},
	}
}

func (a sshAction) proxiedDefinition() *Definition {
	return &Definition{
		Name:        "std.ssh_proxied",
		Class:       stdClass + "SSHProxiedAction",
		Description: "Runs cmd over SSH on host through the jump host gateway_host and returns its stdout.",
		Params: []Param{
			Required("cmd"), Required("host"), Required("username"),
			Required("private_key_filename"), Required("gateway_host"),
			Optional("gateway_username", nil),
			Optional("password", nil),
			Optional("proxy_command", nil),
			Optional("private_key", nil),
		},
		Run: func(ctx context.Context, input *value.Map, _ ExecutionContext) Outcome {
			return a.run(ctx, input, true)
		},
	}
}

// sshCommandError is a command that ran and exited non-zero.
type sshCommandError struct{ code int }

func (e *sshCommandError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func (a sshAction) run(ctx context.Context, input *value.Map, proxied bool) Outcome {
	cmd := str(get(input, "cmd"))
	hostIn := get(input, "host")
	hosts, err := strList("host", hostIn)
	if err != nil {
		return failed("%s", err.Error())
	}
	// Mistral's message shows the host list it built from a single host.
	hostsShown := make([]any, len(hosts))
	for i, h := range hosts {
		hostsShown[i] = h
	}
	fail := func(cause error) Outcome {
		msg := fmt.Sprintf("Failed to execute ssh cmd '%s' on %s", cmd, value.PyStr(hostsShown))
		// Mistral hides the cause because it may echo command output;
		// a connection or authentication cause is safe and saves the
		// operator a trip to the executor's log.
		var ce *sshCommandError
		if cause != nil && !errors.As(cause, &ce) {
			msg += ": " + cause.Error()
		}
		return Outcome{Failed: true, Result: msg}
	}
	if proxied && truthy(get(input, "proxy_command")) {
		return fail(errors.New("proxy_command is not supported; the gateway is reached directly"))
	}
	auth, err := a.authMethods(input)
	if err != nil {
		return fail(err)
	}
	withResult := !proxied && truthy(get(input, "return_result_on_error"))
	user := str(get(input, "username"))

	results := make([]any, 0, len(hosts))
	for _, host := range hosts {
		var res execResult
		if proxied {
			gwUser := str(get(input, "gateway_username"))
			if gwUser == "" {
				gwUser = user
			}
			res, err = a.execViaGateway(ctx, str(get(input, "gateway_host")), gwUser, host, user, auth, cmd)
		} else {
			res, err = a.exec(ctx, host, user, auth, cmd)
		}
		var ce *sshCommandError
		switch {
		case err != nil && !errors.As(err, &ce):
			return fail(err)
		case withResult:
			results = append(results, value.MapOf(
				"stdout", res.stdout, "stderr", res.stderr, "exit_code", int64(res.code)))
		case err != nil:
			return fail(err)
		default:
			results = append(results, res.stdout)
		}
	}
	if len(results) == 1 {
		return Outcome{Result: results[0]}
	}
	return Outcome{Result: results}
}

// authMethods builds the client credentials: a key (given inline, by
// file, or the executor user's default keys, as paramiko looks for
// them) and the password. The password also unlocks an encrypted key,
// as in Mistral.
func (a sshAction) authMethods(input *value.Map) ([]ssh.AuthMethod, error) {
	password := str(get(input, "password"))
	var signers []ssh.Signer
	switch {
	case truthy(get(input, "private_key")):
		s, err := parseKey([]byte(str(get(input, "private_key"))), password)
		if err != nil {
			return nil, fmt.Errorf("private_key: %w", err)
		}
		signers = append(signers, s)
	case truthy(get(input, "private_key_filename")):
		path, err := a.keyPath(str(get(input, "private_key_filename")))
		if err != nil {
			return nil, err
		}
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("private_key_filename: %w", err)
		}
		s, err := parseKey(pem, password)
		if err != nil {
			return nil, fmt.Errorf("private_key_filename %s: %w", path, err)
		}
		signers = append(signers, s)
	default:
		dir, err := a.keyDir()
		if err == nil {
			// The keys paramiko's look_for_keys tries.
			for _, name := range []string{"id_rsa", "id_ecdsa", "id_ed25519"} {
				pem, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					continue
				}
				if s, err := parseKey(pem, password); err == nil {
					signers = append(signers, s)
				}
			}
		}
	}
	var methods []ssh.AuthMethod
	if len(signers) > 0 {
		methods = append(methods, ssh.PublicKeys(signers...))
	}
	if password != "" {
		methods = append(methods, ssh.Password(password))
	}
	return methods, nil
}

func parseKey(pem []byte, passphrase string) (ssh.Signer, error) {
	s, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) && passphrase != "" {
		s, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(passphrase))
	}
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	return s, nil
}

// keyPath resolves private_key_filename: absolute as given, relative
// under the key directory, never climbing out of it.
func (a sshAction) keyPath(name string) (string, error) {
	if strings.Contains(name, "../") || strings.Contains(name, `..\`) {
		return "", fmt.Errorf("Private key filename must not contain '..'. Actual: %s", name)
	}
	if filepath.IsAbs(name) {
		return name, nil
	}
	dir, err := a.keyDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

func (a sshAction) keyDir() (string, error) {
	if a.opts.SSHKeyDir != "" {
		return a.opts.SSHKeyDir, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding ~/.ssh: %w", err)
	}
	return filepath.Join(home, ".ssh"), nil
}

func (a sshAction) clientConfig(user string, auth []ssh.AuthMethod) *ssh.ClientConfig {
	hk := a.opts.SSHHostKeyCallback
	if hk == nil {
		// Mistral accepts any host key (paramiko AutoAddPolicy).
		hk = ssh.InsecureIgnoreHostKey() //nolint:gosec // Mistral-compatible default, configurable
	}
	return &ssh.ClientConfig{User: user, Auth: auth, HostKeyCallback: hk, Timeout: max(a.opts.SSHConnectTimeout, 0)}
}

// sshAddr adds port 22 unless host names one ("host:2222", "[::1]:2222").
func sshAddr(host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), "22")
}

// dial opens an SSH client over TCP. The handshake is bounded by the
// connect timeout and by ctx: closing the connection is the only way to
// interrupt x/crypto/ssh.
func (a sshAction) dial(ctx context.Context, host, user string, auth []ssh.AuthMethod) (*ssh.Client, error) {
	addr := sshAddr(host)
	d := net.Dialer{Timeout: max(a.opts.SSHConnectTimeout, 0)}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, err
	}
	return a.handshake(ctx, conn, addr, user, auth)
}

func (a sshAction) handshake(ctx context.Context, conn net.Conn, addr, user string, auth []ssh.AuthMethod) (*ssh.Client, error) {
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	if t := a.opts.SSHConnectTimeout; t > 0 {
		_ = conn.SetDeadline(time.Now().Add(t))
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, a.clientConfig(user, auth))
	if err != nil {
		_ = conn.Close()
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(c, chans, reqs), nil
}

type execResult struct {
	stdout, stderr string
	code           int
}

func (a sshAction) exec(ctx context.Context, host, user string, auth []ssh.AuthMethod, cmd string) (execResult, error) {
	client, err := a.dial(ctx, host, user, auth)
	if err != nil {
		return execResult{}, err
	}
	defer func() { _ = client.Close() }()
	return runCommand(ctx, client, cmd)
}

// execViaGateway reaches host through a direct-tcpip channel of the
// gateway (what ssh -J does); Mistral runs "nc host 22" on the gateway
// instead, which needs nc there and gives the same connection.
func (a sshAction) execViaGateway(ctx context.Context, gateway, gwUser, host, user string, auth []ssh.AuthMethod, cmd string) (execResult, error) {
	gw, err := a.dial(ctx, gateway, gwUser, auth)
	if err != nil {
		return execResult{}, fmt.Errorf("gateway %s: %w", gateway, err)
	}
	defer func() { _ = gw.Close() }()
	addr := sshAddr(host)
	conn, err := gw.DialContext(ctx, "tcp", addr)
	if err != nil {
		return execResult{}, fmt.Errorf("through gateway %s: %w", gateway, err)
	}
	client, err := a.handshake(ctx, conn, addr, user, auth)
	if err != nil {
		return execResult{}, err
	}
	defer func() { _ = client.Close() }()
	return runCommand(ctx, client, cmd)
}

// runCommand runs cmd in a session; cancelling ctx closes the session.
func runCommand(ctx context.Context, client *ssh.Client, cmd string) (execResult, error) {
	sess, err := client.NewSession()
	if err != nil {
		return execResult{}, fmt.Errorf("open session: %w", err)
	}
	defer func() { _ = sess.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = client.Close() })
	defer stop()
	var stdout, stderr cappedBuffer
	stdout.limit, stderr.limit = sshMaxOutput, sshMaxOutput
	sess.Stdout, sess.Stderr = &stdout, &stderr
	err = sess.Run(cmd)
	if ctx.Err() != nil {
		return execResult{}, context.Cause(ctx)
	}
	res := execResult{stdout: stdout.String(), stderr: stderr.String()}
	if stdout.over || stderr.over {
		return res, fmt.Errorf("command output is over %d bytes", sshMaxOutput)
	}
	var exit *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return res, nil
	case errors.As(err, &exit):
		res.code = exit.ExitStatus()
		return res, &sshCommandError{code: res.code}
	case errors.As(err, &missing):
		res.code = -1
		return res, &sshCommandError{code: -1}
	}
	return res, fmt.Errorf("run command: %w", err)
}

// cappedBuffer keeps at most limit bytes and remembers that more came,
// so a chatty command cannot exhaust the executor's memory.
type cappedBuffer struct {
	bytes.Buffer
	limit int
	over  bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); len(p) > room {
		b.over = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
