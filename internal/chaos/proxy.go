package chaos

import (
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"
)

// Proxy is a TCP proxy between bora processes and PostgreSQL. It stands in
// for tc netem and iptables, which this machine lacks: it can delay every
// chunk of traffic, hold it (a blackhole: connections stay open but
// nothing crosses), reset every open connection, and refuse new ones.
type Proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	delay   time.Duration
	open    chan struct{} // closed while traffic flows; a fresh one while blackholed
	refuse  bool
	conns   map[*proxyConn]struct{}
	closed  bool
	wg      sync.WaitGroup
	resets  int
	refused int
}

type proxyConn struct {
	client, server net.Conn
	once           sync.Once
}

// close resets both sides: linger 0 sends RST, which is what a crashed
// server or a cut cable looks like to the pool.
func (c *proxyConn) close() {
	c.once.Do(func() {
		for _, conn := range []net.Conn{c.client, c.server} {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
		}
	})
}

// NewProxy listens on a free loopback port and forwards to target.
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proxy listen: %w", err)
	}
	p := &Proxy{ln: ln, target: target, open: make(chan struct{}), conns: map[*proxyConn]struct{}{}}
	close(p.open)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetDelay delays every chunk in each direction by d (0 turns it off).
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// Blackhole holds all traffic, on open and new connections alike, until
// Heal: a network partition whose TCP sessions survive it.
func (p *Proxy) Blackhole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.open:
		p.open = make(chan struct{})
	default: // already blackholed
	}
}

// Cut is a database outage: every open connection is reset and new ones
// are refused (accepted and reset at once) until Heal.
func (p *Proxy) Cut() {
	p.mu.Lock()
	p.refuse = true
	conns := make([]*proxyConn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	// Forgetting them first makes pipes held in a blackhole give up.
	clear(p.conns)
	p.resets += len(conns)
	p.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

// Reset resets every open connection once; new ones are served as usual.
func (p *Proxy) Reset() {
	p.Cut()
	p.mu.Lock()
	p.refuse = false
	p.mu.Unlock()
}

// Heal ends a blackhole, a cut and any delay.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = false
	p.delay = 0
	select {
	case <-p.open:
	default:
		close(p.open)
	}
}

// Stats reports how many connections the proxy reset and refused.
func (p *Proxy) Stats() (resets, refused int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.resets, p.refused
}

// Close stops the proxy and resets every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.Cut()
	p.Heal() // release pipes waiting in a blackhole
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // listener closed
		}
		p.mu.Lock()
		refuse, closed := p.refuse, p.closed
		if refuse {
			p.refused++
		}
		p.mu.Unlock()
		if refuse || closed {
			(&proxyConn{client: client, server: client}).close()
			continue
		}
		server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			(&proxyConn{client: client, server: client}).close()
			continue
		}
		c := &proxyConn{client: client, server: server}
		p.mu.Lock()
		if p.closed || p.refuse { // closed or cut while dialling
			p.mu.Unlock()
			c.close()
			continue
		}
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, client, server)
		go p.pipe(c, server, client)
	}
}

// pipe copies src to dst chunk by chunk, applying the current delay and
// blackhole to each chunk; when either side ends, the pair is closed.
func (p *Proxy) pipe(c *proxyConn, src, dst net.Conn) {
	defer p.wg.Done()
	defer func() {
		c.close()
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.hold(c) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF, or the pair was reset
		}
	}
}

// hold waits out the delay and any blackhole; false means the connection
// was reset meanwhile.
func (p *Proxy) hold(c *proxyConn) bool {
	p.mu.Lock()
	delay, open := p.delay, p.open
	p.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	for {
		select {
		case <-open:
			return p.alive(c)
		case <-time.After(100 * time.Millisecond):
			if !p.alive(c) {
				return false
			}
			p.mu.Lock()
			open = p.open
			p.mu.Unlock()
		}
	}
}

func (p *Proxy) alive(c *proxyConn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.conns[c]
	return ok && !p.closed
}

// viaProxy rewrites a postgres:// URL to reach the server through addr,
// returning the URL and the server's own host:port.
func viaProxy(dsn, addr string) (string, string, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", "", fmt.Errorf("the chaos harness needs a postgres:// URL, not %q", dsn)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	u.Host = addr
	return u.String(), target, nil
}
