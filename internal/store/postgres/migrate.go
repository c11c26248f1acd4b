package postgres

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bora-workflow/bora/internal/store"
)

// migrations are applied in version order (store.Migrations); a file's
// number is its version and is recorded in schema_migrations once applied.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Migrate implements store.Store. It runs in one transaction under an
// advisory lock named after the target schema, so several processes
// starting at once migrate one after the other (the later ones find
// nothing to do), and a failure leaves the schema as it was.
func (s *Store) Migrate(ctx context.Context) error {
	files, err := store.Migrations(migrations)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('bora.migrate.' || current_schema()))`); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		for _, m := range files {
			if err := migrateOne(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", mapErr(err))
	}
	return nil
}

func migrateOne(ctx context.Context, tx pgx.Tx, m store.Migration) error {
	name, version := m.Name, m.Version
	var applied bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, version).Scan(&applied); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if applied {
		return nil
	}
	body, err := migrations.ReadFile(m.File)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	// No arguments: pgx sends the file with the simple protocol, which
	// accepts several statements.
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		version, name, time.Now().UTC()); err != nil {
		return fmt.Errorf("%s: record version: %w", name, err)
	}
	return nil
}
