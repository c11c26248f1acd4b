// Package server wires bora's roles into one process: it opens the store
// named by a DSN, and runs the api, engine and executor roles chosen, until
// its context ends. cmd/bora and the end-to-end tests both use it.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bora-workflow/bora/internal/action"
	"github.com/bora-workflow/bora/internal/api"
	"github.com/bora-workflow/bora/internal/cron"
	"github.com/bora-workflow/bora/internal/engine"
	"github.com/bora-workflow/bora/internal/executor"
	"github.com/bora-workflow/bora/internal/executorapi"
	"github.com/bora-workflow/bora/internal/expression"
	"github.com/bora-workflow/bora/internal/store"
	"github.com/bora-workflow/bora/internal/store/postgres"
	"github.com/bora-workflow/bora/internal/store/sqlite"
)

// DefaultDB is the embedded store's default file.
const DefaultDB = "bora-data/bora.db"

// Roles a process can take.
const (
	RoleAPI      = "api"
	RoleEngine   = "engine"
	RoleExecutor = "executor"
)

// Config describes one bora process.
type Config struct {
	DB     string   // a SQLite file path, or a postgres:// URL
	Listen string   // address of the API
	Roles  []string // any of RoleAPI, RoleEngine, RoleExecutor
	Logger *slog.Logger
	// DrainTimeout bounds how long a stop waits for work in flight.
	DrainTimeout time.Duration
	// Actions tunes the standard actions (timeouts, size caps, egress).
	Actions action.StdOptions
	// CallbackURL is the API's address as the outside world reaches it
	// (http://host:port), sent to delegate actions (std.mistral_http) so
	// they can complete later; empty means http://<Listen>.
	CallbackURL string
	// ExecutorToken, when set, is the bearer token remote executors must
	// send (docs/executor-protocol.md).
	ExecutorToken string
	// Expressions bounds expression evaluation (time, iterations, call
	// depth, rendered size); zero values take the defaults.
	Expressions expression.Options
}

// OpenStore opens (and migrates) the store a DSN names: postgres:// or
// postgresql:// URLs use PostgreSQL, anything else is a SQLite file path.
func OpenStore(ctx context.Context, dsn string) (store.Store, error) {
	var (
		st  store.Store
		err error
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		st, err = postgres.Open(ctx, dsn)
	} else {
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("create directory for %s: %w", dsn, err)
			}
		}
		st, err = sqlite.Open(ctx, dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("migrate store: %w", err)
	}
	return st, nil
}

// Process is a running set of roles over one store.
type Process struct {
	Store    store.Store
	Engine   *engine.Engine
	Executor *executor.Executor
	API      *api.Server
	// Cron fires due cron triggers in the engine role.
	Cron *cron.Runner
	// ExecutorAPI serves remote executors, next to the API.
	ExecutorAPI *executorapi.Server
	Eval        *expression.Evaluator
	cfg         Config
}

// New builds a process over an open store.
func New(st store.Store, cfg Config) *Process {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if len(cfg.Roles) == 0 {
		cfg.Roles = []string{RoleAPI, RoleEngine, RoleExecutor}
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = 30 * time.Second
	}
	eval := expression.New(cfg.Expressions)
	reg := action.NewStandard(cfg.Actions)
	callback := strings.TrimSuffix(cfg.CallbackURL, "/")
	if callback == "" && cfg.Listen != "" && !strings.HasSuffix(cfg.Listen, ":0") {
		callback = "http://" + cfg.Listen
	}
	eng := engine.New(st, reg, eval, engine.Options{Logger: cfg.Logger, CallbackBaseURL: callback})
	p := &Process{Store: st, Engine: eng, Eval: eval, cfg: cfg}
	p.Executor = executor.New(st, reg, eng, executor.Options{
		Name: hostName(), Logger: cfg.Logger, Wake: eng.WorkAvailable(), DrainTimeout: cfg.DrainTimeout,
	})
	p.ExecutorAPI = executorapi.New(st, eng, executorapi.Options{Token: cfg.ExecutorToken, Logger: cfg.Logger, Wake: eng.WorkAvailable()})
	p.API = api.New(st, eng, api.Options{Logger: cfg.Logger, CheckExpression: func(s string) error { return eval.Validate(s) }})
	p.Cron = cron.New(st, eng, cron.Options{Logger: cfg.Logger})
	return p
}

func hostName() string {
	h, err := os.Hostname()
	if err != nil {
		return "bora"
	}
	return fmt.Sprintf("%s-%d", h, os.Getpid())
}

func (p *Process) has(role string) bool {
	for _, r := range p.cfg.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Run runs the roles until ctx ends, then stops gracefully: the API stops
// accepting requests, the engine and executor stop claiming and finish
// what they hold. ready, when not nil, receives the API's address once it
// listens.
func (p *Process) Run(ctx context.Context, ready func(addr string)) error {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	wg.Add(1)
	go func() { defer wg.Done(); p.heartbeat(ctx, hostName()) }()
	if n, ok := p.Store.(store.Notifier); ok && (p.has(RoleEngine) || p.has(RoleExecutor)) {
		// Work committed by other processes wakes this one at once;
		// polling stays behind it as the safety net.
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- n.Listen(ctx, func(channel string) {
				if channel == store.ChannelEvents {
					p.Engine.WakeEvents()
				} else {
					p.Engine.WakeWork()
				}
			})
		}()
	}
	if p.has(RoleEngine) {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- p.Engine.Run(ctx) }()
		wg.Add(1)
		go func() { defer wg.Done(); errs <- p.Cron.Run(ctx) }()
	}
	if p.has(RoleExecutor) {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- p.Executor.Run(ctx) }()
	}
	if p.has(RoleAPI) {
		ln, err := net.Listen("tcp", p.cfg.Listen)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", p.cfg.Listen, err)
		}
		srv := &http.Server{Handler: executorapi.Mount(p.API.Handler(), p.ExecutorAPI), ReadHeaderTimeout: 10 * time.Second}
		srv.RegisterOnShutdown(p.ExecutorAPI.Shutdown) // end the remote executors' long polls
		p.cfg.Logger.Info("bora API listening", "addr", ln.Addr().String(), "store", p.Store.Name())
		if ready != nil {
			ready(ln.Addr().String())
		}
		// Serve returns as soon as Shutdown starts, while Shutdown still
		// drains the open connections: Run waits for both, so nothing the
		// API started outlives Run.
		served := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			defer close(served)
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("serve API: %w", err)
			}
		}()
		go func() {
			defer wg.Done()
			select {
			case <-ctx.Done():
			case <-served:
				return // Serve failed on its own: nothing to drain
			}
			shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.DrainTimeout)
			defer cancel()
			_ = srv.Shutdown(shutdownCtx)
		}()
	} else if ready != nil {
		ready("")
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		if err != nil {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}
