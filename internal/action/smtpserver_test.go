package action_test

import (
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// smtpServer is a small SMTP server on loopback that records what it
// received. It offers STARTTLS when tlsConfig is set and then the AUTH
// mechanisms in authMechs, accepting user/password.
type smtpServer struct {
	addr      string
	tlsConfig *tls.Config
	authMechs string // e.g. "PLAIN LOGIN"
	user      string
	password  string

	mu   sync.Mutex
	mail []smtpMail
}

// smtpMail is one accepted message.
type smtpMail struct {
	from     string
	rcpt     []string
	data     string
	tls      bool
	authUser string
	authPass string
}

func startSMTPServer(t *testing.T, s *smtpServer) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.addr = l.Addr().String()
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = l.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serve(c)
			}()
		}
	}()
	return s
}

func (s *smtpServer) received() []smtpMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMail(nil), s.mail...)
}

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	tp := textproto.NewConn(conn)
	var cur smtpMail
	_ = tp.PrintfLine("220 bora-test ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			lines := []string{"250-bora-test"}
			if s.tlsConfig != nil && !cur.tls {
				lines = append(lines, "250-STARTTLS")
			}
			if s.authMechs != "" && (cur.tls || s.tlsConfig == nil) {
				lines = append(lines, "250-AUTH "+s.authMechs)
			}
			lines = append(lines, "250 8BITMIME")
			for _, l := range lines {
				_ = tp.PrintfLine("%s", l)
			}
		case "STARTTLS":
			_ = tp.PrintfLine("220 go ahead")
			tc := tls.Server(conn, s.tlsConfig)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn = tc
			tp = textproto.NewConn(tc)
			cur.tls = true
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			var user, pass string
			switch strings.ToUpper(mech) {
			case "PLAIN":
				if initial == "" {
					_ = tp.PrintfLine("334 ")
					initial, _ = tp.ReadLine()
				}
				raw, _ := base64.StdEncoding.DecodeString(initial)
				parts := strings.Split(string(raw), "\x00")
				if len(parts) == 3 {
					user, pass = parts[1], parts[2]
				}
			case "LOGIN":
				_ = tp.PrintfLine("334 %s", base64.StdEncoding.EncodeToString([]byte("Username:")))
				u, _ := tp.ReadLine()
				_ = tp.PrintfLine("334 %s", base64.StdEncoding.EncodeToString([]byte("Password:")))
				p, _ := tp.ReadLine()
				ub, _ := base64.StdEncoding.DecodeString(u)
				pb, _ := base64.StdEncoding.DecodeString(p)
				user, pass = string(ub), string(pb)
			}
			if user != s.user || pass != s.password {
				_ = tp.PrintfLine("535 5.7.8 authentication failed")
				continue
			}
			cur.authUser, cur.authPass = user, pass
			_ = tp.PrintfLine("235 2.7.0 ok")
		case "MAIL":
			if s.authMechs != "" && cur.authUser == "" {
				_ = tp.PrintfLine("530 5.7.0 authentication required")
				continue
			}
			cur.from = smtpPath(arg, "FROM:")
			_ = tp.PrintfLine("250 ok")
		case "RCPT":
			cur.rcpt = append(cur.rcpt, smtpPath(arg, "TO:"))
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go on")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.data = string(b)
			s.mu.Lock()
			s.mail = append(s.mail, cur)
			s.mu.Unlock()
			cur = smtpMail{tls: cur.tls, authUser: cur.authUser, authPass: cur.authPass}
			_ = tp.PrintfLine("250 queued")
		case "RSET":
			_ = tp.PrintfLine("250 ok")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("502 unknown")
		}
	}
}

// smtpPath reads the address of "FROM:<a@b> BODY=8BITMIME".
func smtpPath(arg, prefix string) string {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return ""
	}
	addr, _, _ := strings.Cut(arg[len(prefix):], " ")
	return strings.Trim(addr, "<>")
}
