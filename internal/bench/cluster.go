package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bora-workflow/bora/internal/server"
	"github.com/bora-workflow/bora/internal/store"
)

// ClusterOptions configures a local bora cluster: one API process, k
// engine processes and m executor processes sharing one PostgreSQL
// database, as a scaled-out deployment runs them.
type ClusterOptions struct {
	// DB is a postgres:// URL; the run gets a fresh schema that is
	// dropped afterwards.
	DB string
	// Engines and Executors are how many processes run each role (the
	// API process runs the api role only).
	Engines, Executors int
	// Binary is the bora executable to start; "" is this program.
	Binary string
	// Concurrency sizes the client's connection pool.
	Concurrency int
	// StartTimeout bounds waiting for every process to come up.
	StartTimeout time.Duration
}

// maxClusterProcs keeps a typo from forking hundreds of servers.
const maxClusterProcs = 64

func (o *ClusterOptions) check() error {
	switch {
	case !isPostgres(o.DB):
		return fmt.Errorf("a cluster shares one PostgreSQL database: --db must be a postgres:// URL, not %q", o.DB)
	case o.Engines < 1 || o.Executors < 1:
		return fmt.Errorf("a cluster needs at least one engine and one executor, not %d and %d", o.Engines, o.Executors)
	case o.Engines+o.Executors > maxClusterProcs:
		return fmt.Errorf("%d engines + %d executors: at most %d processes", o.Engines, o.Executors, maxClusterProcs)
	}
	return nil
}

// cluster is a set of bora server processes started by the benchmark.
// Like the embedded target it reads exact execution times from the store
// (its own connection to the run's schema); its CPU time is the sum of
// its processes' from /proc.
type cluster struct {
	desc   string
	dir    string // process logs
	client *Client
	store  store.Store
	procs  []*clusterProc
	schema *pgSchema
}

// clusterProc is one started process.
type clusterProc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when it exited
	err  error         // its exit status, once done
}

// StartCluster creates a schema, starts the API process, then the
// engines and executors, and waits until /v2/services lists them all.
func StartCluster(ctx context.Context, opt ClusterOptions) (_ Target, err error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if opt.StartTimeout <= 0 {
		opt.StartTimeout = time.Minute
	}
	bin := opt.Binary
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find the bora binary to start: %w", err)
		}
	}
	c := &cluster{}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Close(context.WithoutCancel(ctx)))
		}
	}()
	if c.dir, err = os.MkdirTemp("", "bora-bench-cluster-"); err != nil {
		return nil, fmt.Errorf("create log directory: %w", err)
	}
	schema, dsn, err := createSchema(ctx, opt.DB)
	if err != nil {
		return nil, fmt.Errorf("cluster PostgreSQL: %w", err)
	}
	c.schema = schema
	c.desc = fmt.Sprintf("bora cluster: 1 api, %d engine, %d executor processes, PostgreSQL (schema %s, dropped afterwards)",
		opt.Engines, opt.Executors, schema.name)

	startCtx, cancel := context.WithTimeout(ctx, opt.StartTimeout)
	defer cancel()
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	// The API process starts alone: it migrates the schema, which the
	// others then find done instead of racing to do it.
	api, err := c.start(bin, "api", dsn, addr)
	if err != nil {
		return nil, err
	}
	if c.client, err = NewClient("http://"+addr, opt.Concurrency); err != nil {
		return nil, err
	}
	if err := c.waitServices(startCtx, api, nil); err != nil {
		return nil, err
	}
	want := map[string]int{"api_group": 1, "engine_group": opt.Engines, "executor_group": opt.Executors}
	for range opt.Engines {
		if _, err := c.startNoAPI(bin, "engine", dsn); err != nil {
			return nil, err
		}
	}
	for range opt.Executors {
		if _, err := c.startNoAPI(bin, "executor", dsn); err != nil {
			return nil, err
		}
	}
	if err := c.waitServices(startCtx, nil, want); err != nil {
		return nil, err
	}
	// Exact times come from the same schema, through a small pool of
	// this process's own.
	if c.store, err = server.OpenStore(ctx, dsn); err != nil {
		return nil, fmt.Errorf("open the cluster's store for its timestamps: %w", err)
	}
	return c, nil
}

// startNoAPI starts a process without the api role on an unused address
// (the flag is required; nothing listens there).
func (c *cluster) startNoAPI(bin, role, dsn string) (*clusterProc, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	return c.start(bin, role, dsn, addr)
}

func (c *cluster) start(bin, role, dsn, addr string) (*clusterProc, error) {
	name := fmt.Sprintf("%s-%d", role, len(c.procs)+1)
	p := &clusterProc{name: name, log: filepath.Join(c.dir, name+".log"), done: make(chan struct{})}
	logFile, err := os.Create(p.log)
	if err != nil {
		return nil, fmt.Errorf("create log of %s: %w", name, err)
	}
	p.cmd = exec.Command(bin, "server", "--db", dsn, "--roles", role, "--listen", addr)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		_ = logFile.Close()
		close(p.done)
	}()
	c.procs = append(c.procs, p)
	return p, nil
}

// waitServices polls until the API answers (want nil) or lists at least
// the wanted number of services per type; a process that exits meanwhile
// ends the wait with its log.
func (c *cluster) waitServices(ctx context.Context, first *clusterProc, want map[string]int) error {
	for {
		for _, p := range c.procs {
			select {
			case <-p.done:
				return fmt.Errorf("%s exited while starting (%v): %s", p.name, p.err, p.tail())
			default:
			}
		}
		var got map[string]int
		var err error
		if got, err = c.services(ctx); err == nil && enough(got, want) {
			return nil
		}
		select {
		case <-ctx.Done():
			who := "the cluster"
			if first != nil {
				who = first.name
			}
			return fmt.Errorf("%s did not come up (services %v, want %v; last error %v): %w", who, got, want, err, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func enough(got, want map[string]int) bool {
	for typ, n := range want {
		if got[typ] < n {
			return false
		}
	}
	return true
}

// services counts GET /v2/services by type.
func (c *cluster) services(ctx context.Context) (map[string]int, error) {
	var page struct {
		Services []struct {
			Type string `json:"type"`
		} `json:"services"`
	}
	if err := c.client.do(ctx, http.MethodGet, "/v2/services", "", nil, &page); err != nil {
		return nil, err
	}
	got := map[string]int{}
	for _, s := range page.Services {
		got[s.Type]++
	}
	return got, nil
}

// tail is the end of a process's log, which says why it failed.
func (p *clusterProc) tail() string {
	raw, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 1000 {
		raw = raw[len(raw)-1000:]
	}
	return string(raw)
}

func (c *cluster) Describe() string { return c.desc }

func (c *cluster) Client() *Client { return c.client }

// ExecutionTimes reads the store's microsecond timestamps.
func (c *cluster) ExecutionTimes(ctx context.Context, id string) (time.Time, time.Time, error) {
	ex, err := c.store.ExecutionGet(ctx, id)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("read execution %s from the store: %w", id, err)
	}
	return ex.CreatedAt, ex.UpdatedAt, nil
}

// CPUTime sums the processes' CPU time; the benchmark's own (client)
// CPU is not in it.
func (c *cluster) CPUTime() (time.Duration, error) {
	var sum time.Duration
	for _, p := range c.procs {
		d, err := pidCPU(p.cmd.Process.Pid)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", p.name, err)
		}
		sum += d
	}
	return sum, nil
}

// CPUResolution is /proc's tick.
func (c *cluster) CPUResolution() time.Duration { return time.Second / clockTicksOrDefault }

func (c *cluster) CPUNote() string {
	if !pidCPUAvailable {
		return ""
	}
	return fmt.Sprintf("user+system CPU of the cluster's %d server processes (/proc), not of the benchmark client", len(c.procs))
}

// stopGrace is how long a process has to finish its work after SIGTERM.
const stopGrace = 15 * time.Second

// Close stops every process (SIGTERM, then SIGKILL after stopGrace),
// drops the schema and removes the logs. A process that exited with an
// error is reported with its log.
func (c *cluster) Close(ctx context.Context) error {
	var errs []error
	if c.client != nil {
		c.client.CloseIdle()
	}
	if c.store != nil {
		if err := c.store.Close(); err != nil {
			errs = append(errs, err)
		}
		c.store = nil
	}
	for _, p := range c.procs {
		select {
		case <-p.done:
			// Exited before being told to: that is a failure.
			errs = append(errs, fmt.Errorf("%s exited early (%v): %s", p.name, p.err, p.tail()))
			continue
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range c.procs {
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			_ = p.cmd.Process.Kill()
			<-p.done
			errs = append(errs, fmt.Errorf("%s did not stop within %s of SIGTERM: killed", p.name, stopGrace))
		}
	}
	c.procs = nil
	if c.schema != nil {
		if err := c.schema.drop(ctx); err != nil {
			errs = append(errs, err)
		}
		c.schema = nil
	}
	if c.dir != "" {
		if len(errs) == 0 {
			if err := os.RemoveAll(c.dir); err != nil {
				errs = append(errs, err)
			}
		} else {
			errs = append(errs, fmt.Errorf("process logs kept in %s", c.dir))
		}
		c.dir = ""
	}
	return errors.Join(errs...)
}

// freeLoopbackAddr picks a port nothing listens on. Another program may
// take it before the process binds; the process then fails to start and
// says so, which is rare enough on loopback not to retry.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// pidTarget is a URL target whose server processes run on this machine:
// their CPU time comes from /proc.
type pidTarget struct {
	Target
	pids []int
}

// WithServerPIDs adds the CPU time of the given processes (the server
// behind a --url target, on this machine) to a target's report.
func WithServerPIDs(t Target, pids []int) (Target, error) {
	if !pidCPUAvailable {
		return nil, errors.New("--server-pid needs /proc (Linux)")
	}
	for _, pid := range pids {
		if _, err := pidCPU(pid); err != nil {
			return nil, err
		}
	}
	return &pidTarget{Target: t, pids: pids}, nil
}

func (t *pidTarget) CPUTime() (time.Duration, error) {
	var sum time.Duration
	for _, pid := range t.pids {
		d, err := pidCPU(pid)
		if err != nil {
			return 0, err
		}
		sum += d
	}
	return sum, nil
}

// CPUResolution is /proc's tick.
func (t *pidTarget) CPUResolution() time.Duration { return time.Second / clockTicksOrDefault }

func (t *pidTarget) CPUNote() string {
	s := make([]string, len(t.pids))
	for i, pid := range t.pids {
		s[i] = strconv.Itoa(pid)
	}
	return "user+system CPU of server process(es) " + strings.Join(s, ",") + " (/proc)"
}
