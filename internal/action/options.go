package action

import (
	"crypto/tls"
	"time"

	"golang.org/x/crypto/ssh"
)

// Defaults for StdOptions fields left at their zero value. They follow
// Mistral's [action_std_http] defaults where Mistral has one.
const (
	DefaultHTTPTimeout          = 60 * time.Second
	DefaultHTTPMaxResponseBytes = 5 << 20
	DefaultSSHConnectTimeout    = 30 * time.Second
	DefaultSMTPTimeout          = 60 * time.Second
	DefaultJSTimeout            = 10 * time.Second
	DefaultJSMaxMemoryBytes     = 256 << 20
)

// StdOptions is what an operator may tune in the standard actions. The
// zero value is the embedded-mode default: every zero field takes the
// Default* constant above, and a negative duration or size switches that
// bound off.
type StdOptions struct {
	// HTTPTimeout bounds a std.http request whose input sets no timeout,
	// so a peer that never answers cannot pin an executor.
	HTTPTimeout time.Duration
	// HTTPMaxResponseBytes caps the response body std.http buffers into
	// the result (the body is read up to the cap, not only its declared
	// Content-Length as Mistral does).
	HTTPMaxResponseBytes int64
	// Egress decides where std.http and std.mistral_http may connect.
	// Nil means DefaultEgressPolicy: link-local (cloud metadata) denied,
	// loopback allowed so local use and tests work.
	Egress *EgressPolicy

	// SSHConnectTimeout bounds the TCP connect and SSH handshake.
	SSHConnectTimeout time.Duration
	// SSHKeyDir is where a relative private_key_filename is looked up;
	// empty means ~/.ssh of the executor's user, as in Mistral.
	SSHKeyDir string
	// SSHHostKeyCallback checks host keys. Nil accepts any key, which is
	// what Mistral does (paramiko's AutoAddPolicy); an operator who keeps
	// a known_hosts file should pass knownhosts.New(...) here.
	SSHHostKeyCallback ssh.HostKeyCallback

	// SMTPTimeout bounds a whole std.email exchange.
	SMTPTimeout time.Duration
	// SMTPTLSConfig is used for STARTTLS when smtp_password is given.
	// Nil verifies the server against the system roots (Mistral's
	// smtplib does not verify at all).
	SMTPTLSConfig *tls.Config

	// JSTimeout bounds a std.javascript run; Mistral has none, but a
	// runaway script must fail its task, not hold an executor forever.
	JSTimeout time.Duration
	// JSMaxMemoryBytes bounds how far the heap may grow while a script
	// runs (see javascript.go for how it is measured).
	JSMaxMemoryBytes int64
}

// withDefaults fills zero fields. A negative value stays negative and
// means "no bound".
func (o StdOptions) withDefaults() StdOptions {
	if o.HTTPTimeout == 0 {
		o.HTTPTimeout = DefaultHTTPTimeout
	}
	if o.HTTPMaxResponseBytes == 0 {
		o.HTTPMaxResponseBytes = DefaultHTTPMaxResponseBytes
	}
	if o.Egress == nil {
		o.Egress = DefaultEgressPolicy()
	}
	if o.SSHConnectTimeout == 0 {
		o.SSHConnectTimeout = DefaultSSHConnectTimeout
	}
	if o.SMTPTimeout == 0 {
		o.SMTPTimeout = DefaultSMTPTimeout
	}
	if o.JSTimeout == 0 {
		o.JSTimeout = DefaultJSTimeout
	}
	if o.JSMaxMemoryBytes == 0 {
		o.JSMaxMemoryBytes = DefaultJSMaxMemoryBytes
	}
	return o
}
