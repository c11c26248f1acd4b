package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bora-workflow/bora/internal/store"
)

// Store is a store.Store on a PostgreSQL connection pool.
type Store struct {
	*queries // autocommit: each query in its own transaction
	pool     *pgxpool.Pool
}

var _ store.Store = (*Store)(nil)

// IdleInTransactionTimeout is how long PostgreSQL lets one of bora's
// connections sit idle inside an open transaction before it ends the
// session, rolling the transaction back and releasing its locks.
//
// A bora transaction never waits on anything but its own CPU between two
// statements, so a longer idle spell means the process is frozen
// (SIGSTOP, a paused VM, a swap storm) or partitioned while its TCP
// connection stays up. Without this bound such a process holds the row
// locks of the executions and events it claimed for as long as it is
// frozen, and every engine that needs them waits; with it they are free
// again after this long, which keeps a frozen engine inside T_recover =
// lease + rescuer interval + poll (30 s + 5 s + 0.5 s by default). When
// the process resumes, its next statement or its COMMIT fails (SQLSTATE
// 25P03, retryable): the transaction never committed, so nothing of it
// is applied, and the retry finds the events already applied by another
// engine. It is generous against the longest CPU spell of an engine
// transaction (a batch with its inline budget, a few hundred
// milliseconds) on a loaded machine, and four times the default bound of
// one expression's evaluation (expression.DefaultTimeout), so a task
// whose expression runs out of time fails on its own rather than taking
// its whole transaction down with it. A DSN that sets
// idle_in_transaction_session_timeout itself wins.
//
// lock_timeout is left unset on purpose: a waiter is never the faulty
// party, and an error would only make it retry into the same lock; the
// holder's timeout is what frees it.
const IdleInTransactionTimeout = 20 * time.Second

// Open connects to dsn (a URL or keyword/value string; search_path and
// other run-time parameters in it apply to every connection). Unless the
// DSN says otherwise, every connection gets IdleInTransactionTimeout. It
// does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse postgres DSN: %w", err)
	}
	rt := cfg.ConnConfig.RuntimeParams
	if _, set := rt["idle_in_transaction_session_timeout"]; !set {
		rt["idle_in_transaction_session_timeout"] = strconv.FormatInt(IdleInTransactionTimeout.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", mapErr(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, mapErr(err))
	}
	return &Store{queries: &queries{db: pool}, pool: pool}, nil
}

// Name implements store.Store.
func (s *Store) Name() string { return "postgres" }

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Begin implements store.Store.
func (s *Store) Begin(ctx context.Context) (store.Tx, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", mapErr(err))
	}
	return &Tx{queries: &queries{db: tx, notify: &pendingNotify{}}, tx: tx}, nil
}

// inTx runs fn in a transaction of its own, for the autocommit forms of
// queries that take several statements.
func (s *Store) inTx(ctx context.Context, fn func(q *queries) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return mapErr(err)
	}
	if err := fn(&queries{db: tx}); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	return mapErr(tx.Commit(ctx))
}

// ExecutionDelete deletes in one transaction: the execution and its
// dependants go together or not at all.
func (s *Store) ExecutionDelete(ctx context.Context, id string) error {
	return s.inTx(ctx, func(q *queries) error { return q.ExecutionDelete(ctx, id) })
}

// Tx is a store.Tx.
type Tx struct {
	*queries
	tx pgx.Tx
}

// Commit implements store.Tx. A transaction that queued events or work
// items NOTIFYs the listeners as part of the commit (PostgreSQL delivers
// a NOTIFY only when its transaction commits), so idle engines and
// executors wake at once instead of at their next poll.
func (t *Tx) Commit(ctx context.Context) error {
	if n := t.notify; n != nil && (n.events || n.work) {
		// Channels are database-wide while a deployment lives in one
		// schema: the payload names the schema so listeners of another
		// deployment in the same database ignore the hint.
		if _, err := t.tx.Exec(ctx, `SELECT pg_notify($1, current_schema()), pg_notify($2, current_schema())`,
			channelIf(n.events, store.ChannelEvents), channelIf(n.work, store.ChannelWork)); err != nil {
			_ = t.tx.Rollback(context.WithoutCancel(ctx))
			return fmt.Errorf("notify: %w", mapErr(err))
		}
	}
	if err := t.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", mapErr(err))
	}
	return nil
}

// Rollback implements store.Tx; after Commit it is a no-op.
func (t *Tx) Rollback(ctx context.Context) error {
	if err := t.tx.Rollback(ctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		return fmt.Errorf("rollback: %w", mapErr(err))
	}
	return nil
}
