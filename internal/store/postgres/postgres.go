// Package postgres is the store engine for several replicas sharing one
// PostgreSQL database, through pgx and its pool.
//
// It keeps the SQLite engine's behaviour exactly (the storetest suite runs
// on both): the same unique constraints decide exactly-once, times keep
// microseconds and read back in UTC, constraint violations map to
// store.ErrConflict and store.ErrNotFound. Transactions are READ COMMITTED:
// the unique constraints, not serializable isolation, decide races between
// replicas, and a lease row locked by CheckLease fences an integration's
// writes. Migrations are embedded and applied under an advisory lock, so
// replicas starting at once take turns.
package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Options tunes a Store. The zero value uses the public schema, time.Now and
// pgxpool's default pool size.
type Options struct {
	// Schema holds every table. When empty, the URL's search_path option
	// names it (postgres://.../db?search_path=ticketbridge), else "public".
	// Open creates it when missing and sets it as the search_path of every
	// pooled connection, which is also how tests get a schema each.
	Schema string
	// Now is the clock used for timestamps the caller leaves zero; time.Now
	// when nil.
	Now func() time.Time
	// MaxConns caps the pool; pgxpool's default (max(4, CPUs)) when <= 0.
	MaxConns int32
}

// Store is a store.Store on one PostgreSQL schema.
type Store struct {
	*queries // the Queries of the store itself, outside any transaction

	pool   *pgxpool.Pool
	schema string
	now    func() time.Time
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (postgres://...) and applies the
// pending migrations. Errors never repeat the URL, which may hold a
// password.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	s, err := open(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return s, nil
}

// open builds the pool without touching the database.
func open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx redacts passwords only on a best-effort basis; say what is
		// wrong without echoing the URL.
		return nil, errors.New("open postgres: the database URL does not parse: want postgres://user[:password]@host[:port]/database[?options]")
	}
	schema := cmp.Or(opts.Schema, cfg.ConnConfig.RuntimeParams["search_path"], "public")
	if !validSchema(schema) {
		return nil, fmt.Errorf("open postgres: schema %q: want one name of lower-case letters, digits and _, not starting with a digit", schema)
	}
	// A valid schema name needs no quoting, and unquoted it reads back from
	// SHOW search_path as itself.
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	s := &Store{pool: pool, schema: schema, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	s.queries = &queries{st: s, db: pool}
	return s, nil
}

// validSchema keeps schema names to plain identifiers, so the name reads
// the same quoted or not and cannot smuggle SQL into CREATE SCHEMA.
func validSchema(name string) bool {
	if name == "" || len(name) > 63 || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// InTx runs fn in one READ COMMITTED transaction: it commits when fn returns
// nil and rolls back otherwise. Each write inside runs under a savepoint, so
// an ErrConflict or ErrNotFound answer leaves the transaction usable, as on
// SQLite. Transactions do not nest. BEGIN is sent with the first statement
// (see lazyTx).
func (s *Store) InTx(ctx context.Context, fn func(q store.Queries) error) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer c.Release() // after the rollback below; a connection left in a transaction is closed, not reused
	tx := &lazyTx{conn: c.Conn()}
	// Whatever way fn leaves (error, panic, runtime.Goexit from t.Fatal), the
	// connection must go back to the pool outside a transaction; a canceled
	// ctx must not stop the rollback.
	rollback := func() error { return tx.rollback(context.WithoutCancel(ctx)) }
	returned := false
	defer func() {
		if !returned {
			_ = rollback()
		}
	}()
	err = fn(&queries{st: s, db: tx, tx: tx})
	returned = true
	if err != nil {
		if rbErr := rollback(); rbErr != nil && !errors.Is(rbErr, pgx.ErrTxClosed) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.commit(ctx); err != nil {
		return wrap(err, "commit")
	}
	return nil
}
