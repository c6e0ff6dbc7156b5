package sqlite

import (
	"context"
	"fmt"
)

// Pragma returns a pragma's value as the writer and as a reader connection
// see it, for tests that check every pool got the connection settings.
func (s *Store) Pragma(ctx context.Context, name string) (writer, reader string, err error) {
	if err := s.writer.QueryRowContext(ctx, "PRAGMA "+name).Scan(&writer); err != nil {
		return "", "", fmt.Errorf("writer pragma %s: %w", name, err)
	}
	if err := s.reader.QueryRowContext(ctx, "PRAGMA "+name).Scan(&reader); err != nil {
		return "", "", fmt.Errorf("reader pragma %s: %w", name, err)
	}
	return writer, reader, nil
}

// AppliedMigrations lists the names recorded in schema_migrations.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
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

// MigrationNames lists the embedded migrations in order.
func MigrationNames() ([]string, error) {
	all, err := loadMigrations()
	var names []string
	for _, m := range all {
		names = append(names, m.Name)
	}
	return names, err
}
