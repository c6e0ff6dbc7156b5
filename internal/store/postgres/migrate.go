package postgres

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ticketbridge/ticketbridge/internal/store/migrate"
)

// migrationFiles are the schema changes, applied in the order of their
// NNNN_ prefix. A shipped file is never edited; a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

const (
	// The version table is bookkeeping of the schema, not tenant data, so it
	// is the one table without tenant_id.
	sqlCreateMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT      NOT NULL PRIMARY KEY,
    name       TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)`
	sqlMigrationApplied = `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`
	sqlRecordMigration  = `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`
	// A session-level advisory lock, held on one connection for the whole
	// migration and released by the server if that connection dies.
	sqlMigrateLock   = `SELECT pg_advisory_lock($1)`
	sqlMigrateUnlock = `SELECT pg_advisory_unlock($1)`
)

// Migrate applies the migrations the schema has not seen yet, each in its
// own transaction with its row in schema_migrations, and returns the names
// it applied. It is idempotent; Open calls it. The whole run holds an
// advisory lock keyed by the schema, so replicas starting at once take
// turns and the later ones find the work done.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	all, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: connect: %w", err)
	}
	defer c.Release()
	key := lockKey(s.schema)
	if _, err := c.Exec(ctx, sqlMigrateLock, key); err != nil {
		return nil, fmt.Errorf("migrate: take advisory lock: %w", err)
	}
	defer unlock(ctx, c, key)
	return s.migrateLocked(ctx, c.Conn(), all)
}

// unlock releases the advisory lock; if that fails the connection is closed
// instead, so the lock cannot stay held by a connection back in the pool.
func unlock(ctx context.Context, c *pgxpool.Conn, key int64) {
	ctx = context.WithoutCancel(ctx)
	if _, err := c.Exec(ctx, sqlMigrateUnlock, key); err != nil {
		_ = c.Conn().Close(ctx)
	}
}

func (s *Store) migrateLocked(ctx context.Context, c *pgx.Conn, all []migrate.Migration) ([]string, error) {
	// CREATE SCHEMA IF NOT EXISTS is not safe against itself running
	// concurrently, hence inside the lock.
	if _, err := c.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{s.schema}.Sanitize()); err != nil {
		return nil, fmt.Errorf("migrate: create schema: %w", err)
	}
	if _, err := c.Exec(ctx, sqlCreateMigrationsTable); err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var applied []string
	for _, m := range all {
		done, err := s.applyMigration(ctx, c, m)
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
func (s *Store) applyMigration(ctx context.Context, c *pgx.Conn, m migrate.Migration) (bool, error) {
	tx, err := c.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	var done bool
	if err := tx.QueryRow(ctx, sqlMigrationApplied, m.Version).Scan(&done); err != nil {
		return false, err
	}
	if done {
		return false, nil
	}
	// Without arguments pgx sends the file as one simple query, so a file
	// may hold many statements; they share the transaction.
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, sqlRecordMigration, m.Version, m.Name, norm(s.now())); err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}

// lockKey is the advisory lock id of a schema's migrations: schemas migrate
// independently (tests run many at once), replicas on one schema exclude
// each other.
func lockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("ticketbridge migrate " + schema))
	return int64(h.Sum64())
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
