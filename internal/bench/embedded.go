package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/bora-workflow/bora/internal/server"
	"github.com/bora-workflow/bora/internal/store"
)

// EmbeddedOptions configures an in-process bora.
type EmbeddedOptions struct {
	// DB is "" for a temporary SQLite file, a SQLite path, or a
	// postgres:// URL; for PostgreSQL the run gets a fresh schema that
	// is dropped afterwards.
	DB string
	// Concurrency sizes the client's connection pool.
	Concurrency int
	// Log receives the server's warnings and errors (nil: discarded).
	Log io.Writer
}

// embedded is a bora process (API, engine and executor) running in this
// process on its own store, reached over HTTP on a loopback port like
// any other target. Being in-process it also reads exact execution times
// from the store and measures its CPU time.
type embedded struct {
	desc    string
	schema  string // the PostgreSQL schema made for the run, if any
	client  *Client
	store   store.Store
	stop    context.CancelFunc
	done    chan error
	cleanup []func(context.Context) error // run in reverse order by Close
}

// StartEmbedded opens the store and starts bora's roles on 127.0.0.1:0.
func StartEmbedded(ctx context.Context, opt EmbeddedOptions) (_ Target, err error) {
	e := &embedded{}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.Close(context.WithoutCancel(ctx)))
		}
	}()
	dsn := opt.DB
	switch {
	case dsn == "":
		dir, err := os.MkdirTemp("", "bora-bench-")
		if err != nil {
			return nil, fmt.Errorf("create temporary store directory: %w", err)
		}
		e.cleanup = append(e.cleanup, func(context.Context) error { return os.RemoveAll(dir) })
		dsn = filepath.Join(dir, "bora.db")
		e.desc = "embedded bora, SQLite (temporary file)"
	case isPostgres(dsn):
		schema, scoped, err := createSchema(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("embedded PostgreSQL: %w", err)
		}
		e.cleanup = append(e.cleanup, schema.drop)
		e.schema, dsn = schema.name, scoped
		e.desc = "embedded bora, PostgreSQL (schema " + schema.name + ", dropped afterwards)"
	default:
		e.desc = "embedded bora, SQLite " + dsn
	}
	st, err := server.OpenStore(ctx, dsn)
	if err != nil {
		return nil, err
	}
	e.store = st
	e.cleanup = append(e.cleanup, func(context.Context) error { return st.Close() })

	logOut := opt.Log
	if logOut == nil {
		logOut = io.Discard
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p := server.New(st, server.Config{Listen: "127.0.0.1:0", Logger: logger})
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	e.stop, e.done = stop, make(chan error, 1)
	addr := make(chan string, 1)
	go func() { e.done <- p.Run(runCtx, func(a string) { addr <- a }) }()
	select {
	case a := <-addr:
		if e.client, err = NewClient("http://"+a, opt.Concurrency); err != nil {
			return nil, err
		}
	case err := <-e.done:
		e.done <- err // Close waits on it again
		return nil, fmt.Errorf("start embedded bora: %w", err)
	}
	return e, nil
}

func (e *embedded) Describe() string { return e.desc }

func (e *embedded) Client() *Client { return e.client }

// ExecutionTimes reads the store's microsecond timestamps.
func (e *embedded) ExecutionTimes(ctx context.Context, id string) (time.Time, time.Time, error) {
	ex, err := e.store.ExecutionGet(ctx, id)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("read execution %s from the store: %w", id, err)
	}
	return ex.CreatedAt, ex.UpdatedAt, nil
}

func (e *embedded) CPUTime() (time.Duration, error) { return processCPU() }

// CPUResolution: Linux's getrusage is accurate to the microsecond (it
// reads the scheduler's runtime, not ticks).
func (e *embedded) CPUResolution() time.Duration { return time.Microsecond }

func (e *embedded) CPUNote() string {
	return "process CPU (getrusage) of the whole bench process: server and its HTTP client"
}

// Close stops the roles, then closes the store and removes what was made
// for it, in reverse order.
func (e *embedded) Close(ctx context.Context) error {
	var errs []error
	if e.client != nil {
		e.client.CloseIdle()
	}
	if e.stop != nil {
		e.stop()
		if err := <-e.done; err != nil {
			errs = append(errs, fmt.Errorf("stop embedded bora: %w", err))
		}
		e.stop = nil
	}
	for i := len(e.cleanup) - 1; i >= 0; i-- {
		if err := e.cleanup[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	e.cleanup = nil
	return errors.Join(errs...)
}
