package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ClusterConfig describes the bora processes of one scenario.
type ClusterConfig struct {
	Binary string // the bora binary (see Build)
	DSN    string // postgres:// URL of the scenario's own schema
	Dir    string // where process logs go
	// PoolSize caps each process's connection pool: a scenario runs a
	// handful of processes and CI runs other PostgreSQL tests meanwhile.
	PoolSize int
}

// Cluster starts and tracks bora processes that share one database,
// reached through a Proxy.
type Cluster struct {
	cfg   ClusterConfig
	Proxy *Proxy
	dsn   string // the DSN processes get: through the proxy

	mu    sync.Mutex
	procs []*Process
	seq   map[string]int
}

// NewCluster starts the proxy; processes come with Start.
func NewCluster(cfg ClusterConfig) (*Cluster, error) {
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = 4
	}
	_, target, err := viaProxy(cfg.DSN, "")
	if err != nil {
		return nil, err
	}
	proxy, err := NewProxy(target)
	if err != nil {
		return nil, err
	}
	dsn, _, err := viaProxy(cfg.DSN, proxy.Addr())
	if err != nil {
		_ = proxy.Close()
		return nil, err
	}
	return &Cluster{cfg: cfg, Proxy: proxy, dsn: dsn, seq: map[string]int{}}, nil
}

// StartServer starts `bora server --roles ...` and waits until it is up:
// its API answers, or, without the api role, it is still alive a moment
// after starting (it has opened and migrated its store by then).
func (c *Cluster) StartServer(ctx context.Context, roles ...string) (*Process, error) {
	name := c.nextName(strings.Join(roles, "+"))
	dsn, err := withQuery(c.dsn, map[string]string{
		"application_name": "bora-" + name,
		"pool_max_conns":   fmt.Sprint(c.cfg.PoolSize),
	})
	if err != nil {
		return nil, err
	}
	// Without the api role the address is unused, but a free one keeps
	// the default (:8989) from clashing with anything.
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	hasAPI := contains(roles, "api")
	p, err := c.start(name, roles, []string{"server", "--db", dsn, "--roles", strings.Join(roles, ","), "--listen", addr})
	if err != nil {
		return nil, err
	}
	if hasAPI {
		p.Addr = addr
		return p, waitHTTP(ctx, p, "http://"+addr+"/")
	}
	return p, settle(ctx, p, 500*time.Millisecond)
}

// Start starts the binary with any arguments (another subcommand, such
// as a remote executor) under a name of its own.
func (c *Cluster) Start(ctx context.Context, name string, args ...string) (*Process, error) {
	p, err := c.start(c.nextName(name), nil, args)
	if err != nil {
		return nil, err
	}
	return p, settle(ctx, p, 500*time.Millisecond)
}

// StartRemoteExecutor starts `bora executor --api apiURL` (no database
// access; see docs/executor-protocol.md) under a name of its own, which is
// also its lease owner. extra adds flags such as --lease.
func (c *Cluster) StartRemoteExecutor(ctx context.Context, apiURL string, extra ...string) (*Process, error) {
	name := c.nextName("remote-executor")
	args := append([]string{"executor", "--api", apiURL, "--name", name}, extra...)
	p, err := c.start(name, []string{"executor"}, args)
	if err != nil {
		return nil, err
	}
	p.owner = name
	return p, settle(ctx, p, 500*time.Millisecond)
}

// HasCommand reports whether the binary knows a subcommand (remote
// executors arrived after the first scenarios).
func HasCommand(ctx context.Context, binary, sub string) bool {
	return exec.CommandContext(ctx, binary, sub, "--help").Run() == nil
}

func (c *Cluster) start(name string, roles, args []string) (*Process, error) {
	logPath := filepath.Join(c.cfg.Dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create log of %s: %w", name, err)
	}
	cmd := exec.Command(c.cfg.Binary, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// One CPU each: a scenario runs several processes on a 2-core machine.
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, Roles: roles, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	go p.reap(logFile)
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
	return p, nil
}

func (c *Cluster) nextName(role string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq[role]++
	return fmt.Sprintf("%s-%d", role, c.seq[role])
}

// Find returns the live (not exited, not paused) processes that run role.
func (c *Cluster) Find(role string) []*Process {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*Process
	for _, p := range c.procs {
		if p.Has(role) && !p.Exited() && !p.Paused() {
			out = append(out, p)
		}
	}
	return out
}

// Pick returns a random live process that runs role, or nil.
func (c *Cluster) Pick(rng *rand.Rand, role string) *Process {
	live := c.Find(role)
	if len(live) == 0 {
		return nil
	}
	return live[rng.IntN(len(live))]
}

// All returns every process started, live or not.
func (c *Cluster) All() []*Process {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Process(nil), c.procs...)
}

// CountLog counts the lines containing s across every process's log: the
// processes report stale results and rescues there.
func (c *Cluster) CountLog(s string) int {
	n := 0
	for _, p := range c.All() {
		raw, err := os.ReadFile(p.LogPath)
		if err != nil {
			continue
		}
		n += strings.Count(string(raw), s)
	}
	return n
}

// Close kills every process still running (resuming paused ones first, so
// none is left stopped) and stops the proxy.
func (c *Cluster) Close() error {
	for _, p := range c.All() {
		if p.Exited() {
			continue
		}
		if p.Paused() {
			_ = p.Resume()
		}
		_ = p.Kill()
	}
	return c.Proxy.Close()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

func withQuery(dsn string, params map[string]string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("parse DSN: %w", err)
	}
	q := u.Query()
	for k, v := range params {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// waitHTTP waits until url answers at all, or the process dies.
func waitHTTP(ctx context.Context, p *Process, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("probe %s: %w", p.Name, err)
		}
		if res, err := client.Do(req); err == nil {
			_ = res.Body.Close()
			return nil
		}
		if p.Exited() {
			return fmt.Errorf("%s exited before it answered: %v (log %s)", p.Name, p.Wait(ctx), p.LogPath)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer on %s: %w", p.Name, url, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// settle waits d and fails if the process died meanwhile.
func settle(ctx context.Context, p *Process, d time.Duration) error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited at start: %v (log %s)", p.Name, p.Wait(ctx), p.LogPath)
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
