package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	// The driver registers itself as "sqlite".
	_ "modernc.org/sqlite"

	"github.com/bora-workflow/bora/internal/store"
)

// busyTimeoutMS is how long a connection waits for another process's lock
// before SQLITE_BUSY: in one process the writer is serialised in Go, so
// this only matters when two processes share a file (bora CLI + server).
const busyTimeoutMS = 5000

// cacheKiB is each connection's page cache (SQLite's cache_size, in KiB).
const cacheKiB = 64 << 10

// Store is a store.Store on one SQLite file.
type Store struct {
	*queries // autocommit: reads on the reader pool, writes on the writer
	writer   *sql.DB
	reader   *sql.DB
	wcache   *stmtCache // statements prepared on the writer
	rcache   *stmtCache // statements prepared on the readers
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and its
// directory. It does not migrate; call Migrate.
func Open(ctx context.Context, path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory %s: %w", dir, err)
		}
	}
	writer, err := openDB(ctx, path, false)
	if err != nil {
		return nil, err
	}
	reader, err := openDB(ctx, path, true)
	if err != nil {
		_ = writer.Close()
		return nil, err
	}
	// One writer connection: SQLite has one write lock, and queueing for
	// it in Go is fair and cannot deadlock; several writer connections
	// would only spin on SQLITE_BUSY.
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	readers := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	s := &Store{writer: writer, reader: reader, wcache: newStmtCache(writer), rcache: newStmtCache(reader)}
	s.queries = &queries{r: cachedDB{s.rcache}, w: cachedDB{s.wcache}}
	return s, nil
}

func openDB(ctx context.Context, path string, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeoutMS))
	q.Set("_journal_mode", "WAL")
	// NORMAL in WAL mode loses at most the last transactions on power
	// loss (never corrupts), and is ~4x faster than FULL (DESIGN.md).
	q.Set("_synchronous", "NORMAL")
	q.Set("_foreign_keys", "1")
	// IMMEDIATE takes the write lock at BEGIN, so a transaction never
	// fails half-way when it first writes.
	q.Set("_txlock", "immediate")
	// SQLite's default page cache is 2 MiB per connection: a workflow of
	// 10,000 tasks outgrows it and every lookup goes back to the file
	// (time per task rose by half from 1,000 to 10,000 tasks). The cache
	// grows only as pages are used, so a small database costs nothing.
	q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -cacheKiB))
	if readOnly {
		q.Set("_query_only", "1")
	}
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, mapErr(err))
	}
	return db, nil
}

// Name implements store.Store.
func (s *Store) Name() string { return "sqlite" }

// Close closes both pools.
func (s *Store) Close() error {
	return errors.Join(s.rcache.close(), s.wcache.close(), s.reader.Close(), s.writer.Close())
}

// Begin starts a write transaction on the writer connection; it waits for
// the transaction ahead of it (or ctx).
func (s *Store) Begin(ctx context.Context) (store.Tx, error) {
	tx, err := s.beginTx(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	q := newCachedTx(tx, s.wcache)
	return &Tx{queries: &queries{r: q, w: q}, tx: tx}, nil
}

// beginTx prepares the statements the last transactions wanted (only
// possible while no transaction holds the writer), then begins.
func (s *Store) beginTx(ctx context.Context) (*sql.Tx, error) {
	s.wcache.prepareWanted(ctx)
	tx, err := s.writer.BeginTx(ctx, nil)
	return tx, mapErr(err)
}

// inTx runs fn in a transaction of its own, for the autocommit forms of
// queries that take several statements.
func (s *Store) inTx(ctx context.Context, fn func(q *queries) error) error {
	tx, err := s.beginTx(ctx)
	if err != nil {
		return err
	}
	q := newCachedTx(tx, s.wcache)
	if err := fn(&queries{r: q, w: q}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return mapErr(tx.Commit())
}

// ExecutionDelete deletes in one transaction: the execution and its
// dependants go together or not at all.
func (s *Store) ExecutionDelete(ctx context.Context, id string) error {
	return s.inTx(ctx, func(q *queries) error { return q.ExecutionDelete(ctx, id) })
}

// Tx is a store.Tx on the writer connection.
type Tx struct {
	*queries
	tx *sql.Tx
}

// Commit implements store.Tx.
func (t *Tx) Commit(context.Context) error {
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	return nil
}

// Rollback implements store.Tx; after Commit it is a no-op.
func (t *Tx) Rollback(context.Context) error {
	if err := t.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", mapErr(err))
	}
	return nil
}
