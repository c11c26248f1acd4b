package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxCachedStatements bounds a cache: list queries are built from their
// filters, so their texts are many but finite.
const maxCachedStatements = 256

// stmtCache keeps prepared statements for one pool, keyed by their text.
// Parsing is a fifth of the CPU of a small write transaction in
// modernc.org/sqlite, and database/sql prepares nothing by itself.
//
// A statement cannot be prepared on the writer while a transaction holds
// its one connection (the prepare would wait for the connection forever),
// so a transaction only notes the statements it ran unprepared ("wanted"),
// and the next Begin prepares them before taking the connection.
type stmtCache struct {
	db     *sql.DB
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	wanted map[string]struct{}
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, wanted: map[string]struct{}{}}
}

// get returns the prepared statement for query, or nil after noting that
// it is wanted.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.stmts[query]; st != nil {
		return st
	}
	if len(c.stmts)+len(c.wanted) < maxCachedStatements {
		c.wanted[query] = struct{}{}
	}
	return nil
}

// prepareWanted prepares the statements noted as wanted. It must not be
// called while the caller holds a connection of c.db. A statement that
// fails to prepare is forgotten: running it unprepared reports the error.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	if len(c.wanted) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		queries = append(queries, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range queries {
		c.prepare(ctx, q)
	}
}

// prepare returns the statement for query, preparing it now if there is
// room; nil when it could not.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	c.mu.Lock()
	st := c.stmts[query]
	full := len(c.stmts) >= maxCachedStatements
	c.mu.Unlock()
	if st != nil || full {
		return st
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.stmts[query]; prev != nil { // prepared meanwhile by another goroutine
		_ = st.Close()
		return prev
	}
	c.stmts[query] = st
	return st
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, st := range c.stmts {
		errs = append(errs, st.Close())
	}
	clear(c.stmts)
	return errors.Join(errs...)
}

// cachedDB is a querier on a pool that prepares each statement once.
type cachedDB struct{ c *stmtCache }

func (q cachedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.c.prepare(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.c.db.ExecContext(ctx, query, args...)
}

func (q cachedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.c.prepare(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.c.db.QueryContext(ctx, query, args...)
}

func (q cachedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.c.prepare(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.c.db.QueryRowContext(ctx, query, args...)
}

// cachedTx is a querier in a transaction. It binds the cache's prepared
// statements to the transaction once each, and prepares on the
// transaction the statements the cache lacks (noting them as wanted for
// the next Begin): the first transactions after start-up are often the
// biggest (a workflow of 10,000 tasks starts in one), and running their
// thousands of inserts unprepared parsed each one again.
type cachedTx struct {
	tx    *sql.Tx
	c     *stmtCache
	local *txStmts
}

// txStmts are the statements bound to one transaction; database/sql
// closes them at commit or rollback.
type txStmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newCachedTx(tx *sql.Tx, c *stmtCache) cachedTx {
	return cachedTx{tx: tx, c: c, local: &txStmts{m: map[string]*sql.Stmt{}}}
}

// stmt returns query's statement for this transaction, or nil when it
// could not be prepared (running it unprepared then reports why).
func (q cachedTx) stmt(ctx context.Context, query string) *sql.Stmt {
	q.local.mu.Lock()
	defer q.local.mu.Unlock()
	if st := q.local.m[query]; st != nil {
		return st
	}
	if len(q.local.m) >= maxCachedStatements {
		return nil
	}
	var st *sql.Stmt
	if shared := q.c.get(query); shared != nil {
		st = q.tx.StmtContext(ctx, shared)
	} else {
		var err error
		if st, err = q.tx.PrepareContext(ctx, query); err != nil {
			return nil
		}
	}
	q.local.m[query] = st
	return st
}

func (q cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}
