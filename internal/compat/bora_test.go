package compat

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/bora-workflow/bora/internal/server"
	"github.com/bora-workflow/bora/internal/store/sqlite"
)

// startBora runs an in-process bora (API, engine and executor) over a new
// SQLite file in dir, as the end-to-end tests do, and returns its API's
// base URL and a stop function. Every case gets its own, as every
// recording started from a clean Mistral.
func startBora(ctx context.Context, dir string) (string, func() error, error) {
	st, err := sqlite.Open(ctx, filepath.Join(dir, "bora.db"))
	if err != nil {
		return "", nil, fmt.Errorf("open store: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return "", nil, fmt.Errorf("migrate store: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	p := server.New(st, server.Config{
		Listen: "127.0.0.1:0",
		// The engine logs every failed task; the cases fail many on purpose.
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, func(a string) { addr <- a }) }()
	stop := func() error {
		cancel()
		runErr := <-done
		if err := st.Close(); err != nil && runErr == nil {
			runErr = fmt.Errorf("close store: %w", err)
		}
		return runErr
	}
	select {
	case a := <-addr:
		return "http://" + a + "/v2", stop, nil
	case err := <-done:
		cancel()
		_ = st.Close()
		return "", nil, fmt.Errorf("bora did not start: %w", err)
	}
}
