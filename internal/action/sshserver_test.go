package action_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

// sshServer is a small SSH server on loopback built with x/crypto/ssh. It
// knows a few commands instead of running a shell:
//
//	echo ARGS   prints ARGS and a newline
//	fail        prints "partial" to stdout, "bad" to stderr, exits 3
//	hang        blocks until the client goes away (and reports it started)
//	whoami      prints the user name
//
// It also forwards direct-tcpip channels, so it can serve as a jump host.
type sshServer struct {
	addr    string
	started chan string // commands as they start

	mu        sync.Mutex
	logins    []string // users that logged in
	forwarded []string // direct-tcpip targets
}

type sshUser struct {
	password string
	key      ssh.PublicKey
}

func startSSHServer(t *testing.T, users map[string]sshUser) *sshServer {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	hostKey, err := ssh.NewSignerFromKey(hostPriv)
	require.NoError(t, err)

	s := &sshServer{started: make(chan string, 16)}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if u, ok := users[c.User()]; ok && u.password != "" && u.password == string(pw) {
				return nil, nil
			}
			return nil, errors.New("bad password")
		},
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if u, ok := users[c.User()]; ok && u.key != nil && bytes.Equal(u.key.Marshal(), key.Marshal()) {
				return nil, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	cfg.AddHostKey(hostKey)

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
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serveConn(conn, cfg)
			}()
		}
	}()
	return s
}

func (s *sshServer) serveConn(conn net.Conn, cfg *ssh.ServerConfig) {
	defer func() { _ = conn.Close() }()
	sc, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		return
	}
	defer func() { _ = sc.Close() }()
	s.mu.Lock()
	s.logins = append(s.logins, sc.User())
	s.mu.Unlock()
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	defer wg.Wait()
	for nc := range chans {
		switch nc.ChannelType() {
		case "session":
			ch, creqs, err := nc.Accept()
			if err != nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serveSession(ch, creqs, sc.User())
			}()
		case "direct-tcpip":
			var p struct {
				Host       string
				Port       uint32
				OriginHost string
				OriginPort uint32
			}
			if err := ssh.Unmarshal(nc.ExtraData(), &p); err != nil {
				_ = nc.Reject(ssh.ConnectionFailed, err.Error())
				continue
			}
			target := net.JoinHostPort(p.Host, fmt.Sprint(p.Port))
			s.mu.Lock()
			s.forwarded = append(s.forwarded, target)
			s.mu.Unlock()
			up, err := net.Dial("tcp", target)
			if err != nil {
				_ = nc.Reject(ssh.ConnectionFailed, err.Error())
				continue
			}
			ch, creqs, err := nc.Accept()
			if err != nil {
				_ = up.Close()
				continue
			}
			go ssh.DiscardRequests(creqs)
			wg.Add(1)
			go func() {
				defer wg.Done()
				pipe(ch, up)
			}()
		default:
			_ = nc.Reject(ssh.UnknownChannelType, "no")
		}
	}
}

// pipe copies both ways until either side ends.
func pipe(ch ssh.Channel, conn net.Conn) {
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(ch, conn); done <- struct{}{} }()
	go func() { _, _ = io.Copy(conn, ch); done <- struct{}{} }()
	<-done
	_ = ch.Close()
	_ = conn.Close()
	<-done
}

func (s *sshServer) serveSession(ch ssh.Channel, reqs <-chan *ssh.Request, user string) {
	defer func() { _ = ch.Close() }()
	for req := range reqs {
		if req.Type != "exec" {
			_ = req.Reply(false, nil)
			continue
		}
		var p struct{ Command string }
		if err := ssh.Unmarshal(req.Payload, &p); err != nil {
			_ = req.Reply(false, nil)
			continue
		}
		_ = req.Reply(true, nil)
		select {
		case s.started <- p.Command:
		default:
		}
		code := s.exec(ch, p.Command, user)
		if code < 0 {
			return // the client went away
		}
		_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(code)}))
		return
	}
}

func (s *sshServer) exec(ch ssh.Channel, cmd, user string) int {
	name, args, _ := strings.Cut(cmd, " ")
	switch name {
	case "echo":
		_, _ = io.WriteString(ch, args+"\n")
		return 0
	case "whoami":
		_, _ = io.WriteString(ch, user+"\n")
		return 0
	case "fail":
		_, _ = io.WriteString(ch, "partial\n")
		_, _ = io.WriteString(ch.Stderr(), "bad\n")
		return 3
	case "hang":
		_, _ = io.Copy(io.Discard, ch) // returns when the client closes
		return -1
	}
	_, _ = io.WriteString(ch.Stderr(), name+": command not found\n")
	return 127
}

func (s *sshServer) loginsSeen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.logins...)
}

func (s *sshServer) forwardsSeen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.forwarded...)
}
