package action

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// EgressPolicy is where std.http and std.mistral_http may connect
// (Mistral's [action_std_http] allowed_hosts and denied_cidrs). Workflow
// authors choose the URL, so without a policy a workflow can reach the
// cloud metadata service or the executor's own management ports.
//
// The address check runs twice: once on the URL's resolved addresses
// before the request (so a request through a proxy is checked too), and
// again on the address actually dialled, so DNS rebinding between the
// two cannot slip through. Every redirect hop is checked the same way.
type EgressPolicy struct {
	// AllowedHosts, when not empty, is the only host names (or literal
	// addresses) requests may target; compared case-insensitively.
	AllowedHosts []string
	// DeniedCIDRs are networks no request may connect to.
	DeniedCIDRs []netip.Prefix
}

// DefaultEgressPolicy is the embedded-mode policy: link-local networks
// (which hold the cloud metadata service, 169.254.169.254) are denied,
// loopback is allowed so a single-process bora can call services on the
// same machine.
func DefaultEgressPolicy() *EgressPolicy {
	return &EgressPolicy{DeniedCIDRs: []netip.Prefix{
		netip.MustParsePrefix("169.254.0.0/16"),
		netip.MustParsePrefix("fe80::/10"),
	}}
}

// MistralEgressPolicy is Mistral's default: loopback and link-local
// denied. A server deployment whose executors share a host with other
// services should use it (or wider, e.g. with the RFC 1918 ranges).
func MistralEgressPolicy() *EgressPolicy {
	return &EgressPolicy{DeniedCIDRs: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("169.254.0.0/16"),
		netip.MustParsePrefix("fe80::/10"),
	}}
}

// ParseCIDRs reads CIDRs (or single addresses) as an operator writes them
// in configuration.
func ParseCIDRs(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("egress: bad address %q: %w", s, err)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("egress: bad CIDR %q: %w", s, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// CheckURL rejects a URL the policy forbids: a scheme other than http or
// https, a host outside AllowedHosts, or a host that resolves into a
// denied network. A name that does not resolve passes: the request fails
// to connect anyway, and the dial-time check still applies.
func (p *EgressPolicy) CheckURL(ctx context.Context, u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("URL scheme '%s' is not allowed (only http and https are).", u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return errors.New("URL does not contain a host.")
	}
	if p == nil {
		return nil
	}
	if len(p.AllowedHosts) > 0 && !p.hostAllowed(host) {
		return fmt.Errorf("Host '%s' is not in the allowed hosts of the egress policy.", host)
	}
	if len(p.DeniedCIDRs) == 0 {
		return nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if p.denied(a) {
			return fmt.Errorf("URL host '%s' resolves to a blocked address (%s).", host, a.Unmap())
		}
	}
	return nil
}

func (p *EgressPolicy) hostAllowed(host string) bool {
	for _, h := range p.AllowedHosts {
		if strings.EqualFold(strings.TrimSuffix(h, "."), strings.TrimSuffix(host, ".")) {
			return true
		}
	}
	return false
}

func (p *EgressPolicy) denied(a netip.Addr) bool {
	a = a.Unmap()
	for _, n := range p.DeniedCIDRs {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// dialControl is a net.Dialer Control hook: it sees the address about to
// be connected, after name resolution, and refuses a denied one.
func (p *EgressPolicy) dialControl(_, address string, _ syscall.RawConn) error {
	if p == nil || len(p.DeniedCIDRs) == 0 {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("egress: cannot check address %q: %w", address, err)
	}
	if p.denied(ap.Addr()) {
		return fmt.Errorf("egress policy: connecting to %s is not allowed", ap.Addr().Unmap())
	}
	return nil
}
