// Package storeopen picks the store engine for a database URL, so the
// composition root and the CLI need not know the engines. It lives apart
// from package store because the port must not import its adapters.
package storeopen

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/postgres"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

// MigrateFunc applies pending migrations and returns the names it applied.
type MigrateFunc = func(context.Context) ([]string, error)

// Engine names the engine a database URL selects.
type Engine string

// Engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Open opens the store dsn names, migrated, with its Migrate function:
//   - postgres://... or postgresql://...: PostgreSQL;
//   - sqlite://path: SQLite at path;
//   - "": SQLite at sqlitePath (the default, a file in the data dir).
//
// now is the store's clock (time.Now when nil). Errors never repeat dsn,
// which may hold a password.
func Open(ctx context.Context, dsn string, sqlitePath string, now func() time.Time) (store.Store, MigrateFunc, error) {
	engine, path, err := Parse(dsn, sqlitePath)
	if err != nil {
		return nil, nil, err
	}
	if engine == Postgres {
		st, err := postgres.Open(ctx, dsn, postgres.Options{Now: now})
		if err != nil {
			return nil, nil, err
		}
		return st, st.Migrate, nil
	}
	st, err := sqlite.Open(ctx, path, sqlite.Options{Now: now})
	if err != nil {
		return nil, nil, err
	}
	return st, st.Migrate, nil
}

// Parse tells which engine dsn selects and, for SQLite, the file path.
func Parse(dsn string, sqlitePath string) (Engine, string, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return Postgres, "", nil
	case strings.HasPrefix(dsn, "sqlite://"):
		path := strings.TrimPrefix(dsn, "sqlite://")
		if path == "" {
			return "", "", errors.New("database url sqlite:// names no file: want sqlite:///path/to/file.db")
		}
		return SQLite, path, nil
	case dsn == "":
		if sqlitePath == "" {
			return "", "", errors.New("no database: set a postgres:// or sqlite:// database url, or a data dir")
		}
		return SQLite, sqlitePath, nil
	}
	scheme, _, found := strings.Cut(dsn, "://")
	if !found {
		return "", "", errors.New("database url has no scheme: want postgres://... or sqlite://path")
	}
	return "", "", fmt.Errorf("database url scheme %q: want postgres, postgresql or sqlite", scheme)
}
