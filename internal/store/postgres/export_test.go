package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// OpenUnmigrated opens a Store without running Migrate, for tests that
// race migrations.
func OpenUnmigrated(ctx context.Context, url string, opts Options) (*Store, error) {
	return open(ctx, url, opts)
}

// AcquiredConns is the number of pooled connections in use.
func (s *Store) AcquiredConns() int32 { return s.pool.Stat().AcquiredConns() }

// SQLAlertsByKeys is the statement whose plan is tested.
const SQLAlertsByKeys = sqlAlertsByKeys

// Plan returns the lines of EXPLAIN for query planned with args, as
// AlertsByKeys has it planned.
func (s *Store) Plan(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.pool.Query(ctx, "EXPLAIN "+query, append([]any{pgx.QueryExecModeCacheDescribe}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		plan = append(plan, line)
	}
	return plan, rows.Err()
}

// AppliedMigrations lists the names recorded in schema_migrations.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("applied migrations: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// SearchPath is the search_path a pooled connection sees.
func (s *Store) SearchPath(ctx context.Context) (string, error) {
	var p string
	err := s.pool.QueryRow(ctx, `SHOW search_path`).Scan(&p)
	return p, err
}

// MigrationNames lists the embedded migrations in order.
func MigrationNames() ([]string, error) {
	all, err := loadMigrations()
	var names []string
	for _, m := range all {
		names = append(names, m.Name)
	}
	return names, err
}

// Statements of the tickets list, whose plans are tested.
const (
	SQLTicketPageInState = sqlTicketPageInState
	SQLTicketLinkAlerts  = sqlTicketLinkAlerts
)
