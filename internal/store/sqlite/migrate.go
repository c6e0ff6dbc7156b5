package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/ticketbridge/ticketbridge/internal/store/migrate"
)

// migrationFiles are the schema changes, applied in the order of their
// NNNN_ prefix. A shipped file is never edited; a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// The version table is bookkeeping of the file, not tenant data, so it is
// the one table without tenant_id.
const sqlCreateMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    applied_at BIGINT NOT NULL
)`

// Migrate applies the migrations the database has not seen yet, each in its
// own transaction with its row in schema_migrations, and returns the names
// it applied. It is idempotent; Open calls it. The writer's transactions
// are IMMEDIATE, so two processes migrating one file take turns and the
// second finds the work done.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	all, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	if _, err := s.writer.ExecContext(ctx, sqlCreateMigrationsTable); err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var applied []string
	for _, m := range all {
		done, err := s.applyMigration(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if done {
			applied = append(applied, m.Name)
		}
	}
	return applied, nil
}

// applyMigration runs m unless it is recorded; it reports whether it ran.
func (s *Store) applyMigration(ctx context.Context, m migrate.Migration) (bool, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM schema_migrations WHERE version = ?`, m.Version).Scan(&one)
	switch {
	case err == nil:
		return false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, err
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, dbTime(s.now()))
	if err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// loadMigrations reads the embedded files through the shared loader,
// which orders and checks them.
func loadMigrations() ([]migrate.Migration, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return migrate.Load(sub)
}
