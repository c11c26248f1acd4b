package action_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/value"
)

// parsedMail is a received message taken apart.
type parsedMail struct {
	header mail.Header
	text   string
	html   string
}

func parseMail(t *testing.T, data string) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	require.NoError(t, err)
	out := parsedMail{header: msg.Header}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	if mt == "text/plain" {
		out.text = decodePart(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
		return out
	}
	require.Equal(t, "multipart/alternative", mt)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		body := decodePart(t, p.Header.Get("Content-Transfer-Encoding"), p)
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			out.html = body
		} else {
			out.text = body
		}
	}
	return out
}

func decodePart(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	require.Equal(t, "base64", cte)
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	dec, err := decodeBase64Lines(string(b))
	require.NoError(t, err)
	return dec
}

func decodeBase64Lines(s string) (string, error) {
	b, err := io.ReadAll(base64Decoder(strings.NewReader(strings.Join(strings.Fields(s), ""))))
	return string(b), err
}

// tlsFixture borrows httptest's certificate (valid for 127.0.0.1) for
// the SMTP server's STARTTLS, and a client config trusting it.
func tlsFixture(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	hs := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(hs.Close)
	pool := x509.NewCertPool()
	pool.AddCert(hs.Certificate())
	return &tls.Config{Certificates: hs.TLS.Certificates, MinVersion: tls.VersionTLS12},
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

func TestEmailPlain(t *testing.T) {
	t.Parallel()
	srv := startSMTPServer(t, &smtpServer{})
	out := runAction(t, action.Standard(), "std.email", value.MapOf(
		"from_addr", "bora@example.test",
		"to_addrs", []any{"ann@example.test", "al@example.test"},
		"cc_addrs", []any{"cat@example.test"},
		"bcc_addrs", []any{"hidden@example.test"},
		"reply_to", []any{"desk@example.test"},
		"subject", "Build ✓ done",
		"body", "All green.\nSee you.",
		"smtp_server", srv.addr,
	))
	require.Equal(t, action.Outcome{}, out)
	got := srv.received()
	require.Len(t, got, 1)
	m := got[0]
	require.Equal(t, "bora@example.test", m.from)
	require.Equal(t, []string{"cat@example.test", "hidden@example.test", "ann@example.test", "al@example.test"}, m.rcpt,
		"Mistral's order: cc, bcc, to")
	require.False(t, m.tls)
	p := parseMail(t, m.data)
	subject, err := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, "Build ✓ done", subject)
	require.Equal(t, "bora@example.test", p.header.Get("From"))
	require.Equal(t, "ann@example.test, al@example.test", p.header.Get("To"))
	require.Equal(t, "cat@example.test", p.header.Get("Cc"))
	require.Equal(t, "desk@example.test", p.header.Get("Reply-To"))
	require.Empty(t, p.header.Get("Bcc"), "bcc must not show")
	require.NotContains(t, m.data, "hidden@")
	require.Equal(t, "All green.\nSee you.", p.text)
}

func TestEmailHTMLAndDefaults(t *testing.T) {
	t.Parallel()
	srv := startSMTPServer(t, &smtpServer{})
	t.Run("html_body makes a multipart/alternative", func(t *testing.T) {
		out := runAction(t, action.Standard(), "std.email", value.MapOf(
			"from_addr", "bora@example.test", "to_addrs", []any{"ann@example.test"},
			"body", "plain words", "html_body", "<b>bold words</b>", "smtp_server", srv.addr))
		require.False(t, out.Failed, "%v", out.Result)
		p := parseMail(t, srv.received()[0].data)
		require.Equal(t, "plain words", p.text)
		require.Equal(t, "<b>bold words</b>", p.html)
	})
	t.Run("a single address string and Mistral's defaults", func(t *testing.T) {
		out := runAction(t, action.Standard(), "std.email", value.MapOf(
			"from_addr", "bora@example.test", "to_addrs", "solo@example.test", "smtp_server", srv.addr))
		require.False(t, out.Failed, "%v", out.Result)
		got := srv.received()
		m := got[len(got)-1]
		require.Equal(t, []string{"solo@example.test"}, m.rcpt)
		p := parseMail(t, m.data)
		require.Equal(t, "<No subject>", p.header.Get("Subject"))
		require.Equal(t, "<No body>", p.text)
	})
}

func TestEmailAuth(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := tlsFixture(t)
	tests := []struct {
		name     string
		mechs    string
		password string
		opts     action.StdOptions
		wantErr  string
	}{
		{"STARTTLS then AUTH PLAIN as the sender", "PLAIN LOGIN", "pw", action.StdOptions{SMTPTLSConfig: clientTLS}, ""},
		{"AUTH LOGIN when it is all the server offers", "LOGIN", "pw", action.StdOptions{SMTPTLSConfig: clientTLS}, ""},
		{"wrong password", "PLAIN", "nope", action.StdOptions{SMTPTLSConfig: clientTLS}, "535"},
		{"an untrusted certificate", "PLAIN", "pw", action.StdOptions{}, "certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startSMTPServer(t, &smtpServer{tlsConfig: serverTLS, authMechs: tc.mechs,
				user: "bora@example.test", password: "pw"})
			out := runAction(t, action.NewStandard(tc.opts), "std.email", value.MapOf(
				"from_addr", "bora@example.test", "to_addrs", []any{"ann@example.test"},
				"smtp_server", srv.addr, "smtp_password", tc.password))
			if tc.wantErr != "" {
				require.True(t, out.Failed)
				require.Contains(t, out.Result, "Failed to send an email message: ")
				require.Contains(t, out.Result, tc.wantErr)
				require.Empty(t, srv.received())
				return
			}
			require.False(t, out.Failed, "%v", out.Result)
			got := srv.received()
			require.Len(t, got, 1)
			require.True(t, got[0].tls)
			require.Equal(t, "bora@example.test", got[0].authUser)
			require.Equal(t, "pw", got[0].authPass)
		})
	}
}

func TestEmailFailures(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := l.Addr().String()
	require.NoError(t, l.Close())
	srv := startSMTPServer(t, &smtpServer{})
	tests := []struct {
		name  string
		input *value.Map
		want  string
	}{
		{"connection refused", value.MapOf("from_addr", "a@example.test", "to_addrs", []any{"b@example.test"},
			"smtp_server", closed), "connection refused"},
		{"header injection", value.MapOf("from_addr", "a@example.test", "to_addrs", []any{"b@example.test\r\nBcc: x@evil.test"},
			"smtp_server", srv.addr), "contains a line break"},
		{"no recipients", value.MapOf("from_addr", "a@example.test", "to_addrs", []any{}, "smtp_server", srv.addr), "no recipients"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := runAction(t, action.Standard(), "std.email", tc.input)
			require.True(t, out.Failed)
			require.Contains(t, out.Result, "Failed to send an email message: ")
			require.Contains(t, out.Result, tc.want)
		})
	}
	require.Empty(t, srv.received())
}

func TestEmailCancellation(t *testing.T) {
	t.Parallel()
	// A server that accepts and never greets: only cancellation ends the
	// exchange.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	held := make(chan net.Conn, 1)
	go func() {
		c := <-accepted
		cancel()
		held <- c
	}()
	out := action.Standard().Run(ctx, "std.email", value.MapOf("from_addr", "a@example.test",
		"to_addrs", []any{"b@example.test"}, "smtp_server", l.Addr().String()), action.ExecutionContext{})
	require.True(t, out.Failed)
	require.Contains(t, out.Result, "context canceled")
	_ = (<-held).Close()
}

func base64Decoder(r io.Reader) io.Reader { return base64.NewDecoder(base64.StdEncoding, r) }
