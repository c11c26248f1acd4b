package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/bora-workflow/bora/internal/store"
)

// migrations are applied in version order (store.Migrations); a file's
// number is its version and is recorded in schema_migrations once applied.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Migrate implements store.Store. Each migration runs in its own write
// transaction with its schema_migrations row, so a crash leaves the
// schema at a version boundary, and a second Migrate does nothing.
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", mapErr(err))
	}
	files, err := store.Migrations(migrations)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range files {
		if err := s.migrateOne(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) migrateOne(ctx context.Context, m store.Migration) error {
	name, version := m.Name, m.Version
	body, err := migrations.ReadFile(m.File)
	if err != nil {
		return fmt.Errorf("migrate: read %s: %w", name, err)
	}
	// Not through the statement cache: a prepared statement holds only the
	// first statement of a multi-statement text.
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", name, mapErr(err))
	}
	defer func() { _ = tx.Rollback() }()
	if err := applyOne(ctx, tx, version, name, string(body)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: commit: %w", name, mapErr(err))
	}
	return nil
}

func applyOne(ctx context.Context, tx *sql.Tx, version int, name, body string) error {
	var applied int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&applied); err != nil {
		return fmt.Errorf("migrate %s: %w", name, mapErr(err))
	}
	if applied > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return fmt.Errorf("migrate %s: %w", name, mapErr(err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		version, name, time.Now().UnixMicro()); err != nil {
		return fmt.Errorf("migrate %s: record version: %w", name, mapErr(err))
	}
	return nil
}
