package action

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/bora-workflow/bora/internal/value"
)

// emailAction runs std.email.
type emailAction struct {
	opts StdOptions
}

func (a emailAction) definition() *Definition {
	return &Definition{
		Name:        "std.email",
		Class:       stdClass + "SendEmailAction",
		Description: "Sends an email through smtp_server and returns None.",
		Params: []Param{
			Required("from_addr"), Required("to_addrs"), Required("smtp_server"),
			Optional("reply_to", nil),
			Optional("cc_addrs", nil),
			Optional("bcc_addrs", nil),
			Optional("smtp_password", nil),
			Optional("subject", nil),
			Optional("body", nil),
			Optional("html_body", nil),
		},
		Run: func(ctx context.Context, input *value.Map, _ ExecutionContext) Outcome {
			if err := a.send(ctx, input); err != nil {
				return failed("Failed to send an email message: %s", err.Error())
			}
			return Outcome{}
		},
	}
}

// email is std.email's input, read and checked.
type email struct {
	from                 string
	to, cc, bcc, replyTo []string
	subject, body, html  string
	server, password     string
	hasPassword          bool
}

func readEmail(input *value.Map) (*email, error) {
	e := &email{
		from:    str(get(input, "from_addr")),
		server:  str(get(input, "smtp_server")),
		subject: str(get(input, "subject")),
		body:    str(get(input, "body")),
		html:    str(get(input, "html_body")),
	}
	var err error
	for _, f := range []struct {
		name string
		dst  *[]string
	}{{"to_addrs", &e.to}, {"cc_addrs", &e.cc}, {"bcc_addrs", &e.bcc}, {"reply_to", &e.replyTo}} {
		if *f.dst, err = strList(f.name, get(input, f.name)); err != nil {
			return nil, err
		}
	}
	// Mistral's defaults for an empty subject or body.
	if e.subject == "" {
		e.subject = "<No subject>"
	}
	if e.body == "" {
		e.body = "<No body>"
	}
	if pw := get(input, "smtp_password"); pw != nil {
		e.password, e.hasPassword = str(pw), true
	}
	// Addresses go into headers and SMTP commands verbatim: a line break
	// would let a workflow input inject headers or commands.
	for _, list := range [][]string{{e.from}, e.to, e.cc, e.bcc, e.replyTo} {
		for _, addr := range list {
			if strings.ContainsAny(addr, "\r\n") {
				return nil, fmt.Errorf("address %q contains a line break", addr)
			}
		}
	}
	if len(e.to)+len(e.cc)+len(e.bcc) == 0 {
		return nil, errors.New("no recipients")
	}
	return e, nil
}

// message renders the email as Python's email package does for Mistral:
// a UTF-8 text part, or a multipart/alternative with text and HTML.
// Bcc recipients get the mail but no header.
func (e *email) message() ([]byte, error) {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("MIME-Version", "1.0")
	h("Date", time.Now().Format(time.RFC1123Z))
	h("Subject", mime.BEncoding.Encode("utf-8", e.subject))
	h("From", e.from)
	if len(e.replyTo) > 0 {
		h("Reply-To", strings.Join(e.replyTo, ", "))
	}
	h("To", strings.Join(e.to, ", "))
	if len(e.cc) > 0 {
		h("Cc", strings.Join(e.cc, ", "))
	}
	if e.html == "" {
		h("Content-Type", `text/plain; charset="utf-8"`)
		h("Content-Transfer-Encoding", "base64")
		b.WriteString("\r\n")
		writeBase64(&b, e.body)
		return b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	h("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	for _, part := range []struct{ kind, text string }{{"plain", e.body}, {"html", e.html}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {fmt.Sprintf(`text/%s; charset="utf-8"`, part.kind)},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, fmt.Errorf("mime part: %w", err)
		}
		var pb bytes.Buffer
		writeBase64(&pb, part.text)
		if _, err := w.Write(pb.Bytes()); err != nil {
			return nil, fmt.Errorf("mime part: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("mime: %w", err)
	}
	return b.Bytes(), nil
}

// writeBase64 writes s in base64 lines of 76 characters (RFC 2045).
func writeBase64(b *bytes.Buffer, s string) {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
}

// smtpAddr is smtplib's host[:port], port 25 by default.
func smtpAddr(server string) (addr, host string) {
	if h, _, err := net.SplitHostPort(server); err == nil {
		return server, h
	}
	host = strings.Trim(server, "[]")
	return net.JoinHostPort(host, "25"), host
}

func (a emailAction) send(ctx context.Context, input *value.Map) error {
	e, err := readEmail(input)
	if err != nil {
		return err
	}
	msg, err := e.message()
	if err != nil {
		return err
	}
	addr, host := smtpAddr(e.server)
	d := net.Dialer{}
	if t := a.opts.SMTPTimeout; t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return err
	}
	// net/smtp has no context: the deadline bounds the whole exchange,
	// and cancelling the action closes the connection under it.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	err = a.exchange(conn, host, e, msg)
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

func (a emailAction) exchange(conn net.Conn, host string, e *email, msg []byte) error {
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		_ = conn.Close()
		return err
	}
	defer func() { _ = c.Close() }()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if e.hasPassword {
		// As Mistral does (RFC 2487): STARTTLS, then log in as the sender.
		cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		if a.opts.SMTPTLSConfig != nil {
			cfg = a.opts.SMTPTLSConfig.Clone()
			if cfg.ServerName == "" {
				cfg.ServerName = host
			}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
		if err := c.Auth(pickAuth(c, e.from, e.password, host)); err != nil {
			return fmt.Errorf("login: %w", err)
		}
	}
	if err := c.Mail(e.from); err != nil {
		return err
	}
	// Mistral's order: cc, bcc, to.
	for _, list := range [][]string{e.cc, e.bcc, e.to} {
		for _, rcpt := range list {
			if err := c.Rcpt(rcpt); err != nil {
				return err
			}
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// pickAuth chooses the mechanism as smtplib's login does: CRAM-MD5,
// then PLAIN, then LOGIN, among those the server offers.
func pickAuth(c *smtp.Client, user, password, host string) smtp.Auth {
	_, offered := c.Extension("AUTH")
	mechs := strings.Fields(strings.ToUpper(offered))
	has := func(m string) bool {
		for _, x := range mechs {
			if x == m {
				return true
			}
		}
		return false
	}
	switch {
	case has("CRAM-MD5"):
		return smtp.CRAMMD5Auth(user, password)
	case has("PLAIN") || !has("LOGIN"):
		return smtp.PlainAuth("", user, password, host)
	}
	return loginAuth{user: user, password: password}
}

// loginAuth is the AUTH LOGIN mechanism, which net/smtp lacks and many
// servers still require.
type loginAuth struct{ user, password string }

func (l loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS {
		return "", nil, errors.New("refusing AUTH LOGIN without TLS")
	}
	return "LOGIN", nil, nil
}

func (l loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(fromServer))) {
	case "username:":
		return []byte(l.user), nil
	case "password:":
		return []byte(l.password), nil
	}
	return nil, fmt.Errorf("unexpected AUTH LOGIN challenge %q", fromServer)
}
