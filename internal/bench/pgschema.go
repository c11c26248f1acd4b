package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
)

// isPostgres tells a PostgreSQL DSN from a SQLite file path, as
// server.OpenStore does.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// pgSchema is a schema of its own for one benchmark run, so a run starts
// from empty tables and leaves the database as it found it.
type pgSchema struct {
	admin string // the DSN as given
	name  string
}

// createSchema makes bora_bench_<random> and returns it with a DSN whose
// search_path points at it: the store reaches its tables only through
// the search_path.
func createSchema(ctx context.Context, dsn string) (*pgSchema, string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return nil, "", fmt.Errorf("random schema name: %w", err)
	}
	s := &pgSchema{admin: dsn, name: "bora_bench_" + hex.EncodeToString(b)}
	scoped, err := withSearchPath(dsn, s.name)
	if err != nil {
		return nil, "", err
	}
	if err := s.exec(ctx, "CREATE SCHEMA "+s.name); err != nil {
		return nil, "", err
	}
	return s, scoped, nil
}

// drop removes the schema and everything the run stored in it.
func (s *pgSchema) drop(ctx context.Context) error {
	return s.exec(ctx, "DROP SCHEMA IF EXISTS "+s.name+" CASCADE")
}

func (s *pgSchema) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// withSearchPath sets search_path in a postgres:// URL.
func withSearchPath(dsn, schema string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("--db: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
