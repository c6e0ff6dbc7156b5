package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// queries implements store.Queries on the pool (tx nil) or inside one
// transaction.
type queries struct {
	st *Store
	db conn
	tx *lazyTx
}

var _ store.Queries = (*queries)(nil)

// conn is what both the pool and a transaction offer. pgx prepares and
// caches every statement per connection on first use, so SQL texts are
// parsed once per connection without a statement registry.
type conn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// writeRow runs a writing statement that returns at most one row and scans
// it with scan; a missing row is scan's pgx.ErrNoRows.
func (q *queries) writeRow(ctx context.Context, scan func(pgx.Row) error, sql string, args ...any) error {
	return scan(q.db.QueryRow(ctx, sql, args...))
}

// exec runs a writing statement and returns how many rows it changed.
func (q *queries) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := q.db.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

// A failed statement aborts a whole PostgreSQL transaction, whereas on
// SQLite it fails alone and the store promises that an ErrConflict is an
// answer, not the end of the transaction. Inserts keep that promise without
// any error: ON CONFLICT DO NOTHING, and "no row" means ErrConflict. The
// few UPDATEs that can break a unique constraint run under this savepoint
// instead, sent in the same round trip as the statement, and a server error
// rolls back to it. Savepoints stay off the hot paths on purpose: each one
// that writes is a subtransaction, and past 64 in one transaction
// PostgreSQL's snapshots overflow and slow every session down.
//
// The one difference left from SQLite: a foreign key to a missing row is
// still ErrNotFound, but inside a transaction it ends the transaction (a
// caller bug, not an answer; UpsertAlert's unknown source is the exception
// and inserts nothing instead).
const (
	sqlSavepoint        = `SAVEPOINT tb_stmt`
	sqlReleaseSavepoint = `RELEASE SAVEPOINT tb_stmt`
	sqlRollbackToSave   = `ROLLBACK TO SAVEPOINT tb_stmt`
)

// guardedExec is exec under a savepoint when inside a transaction.
func (q *queries) guardedExec(ctx context.Context, sql string, args ...any) (int64, error) {
	if q.tx == nil {
		return q.exec(ctx, sql, args...)
	}
	var n int64
	b := &pgx.Batch{}
	b.Queue(sqlSavepoint)
	b.Queue(sql, args...).Exec(func(tag pgconn.CommandTag) error {
		n = tag.RowsAffected()
		return nil
	})
	b.Queue(sqlReleaseSavepoint)
	return n, q.guarded(ctx, b)
}

// guardedRow is writeRow under a savepoint when inside a transaction.
func (q *queries) guardedRow(ctx context.Context, scan func(pgx.Row) error, sql string, args ...any) error {
	if q.tx == nil {
		return q.writeRow(ctx, scan, sql, args...)
	}
	b := &pgx.Batch{}
	b.Queue(sqlSavepoint)
	b.Queue(sql, args...).QueryRow(scan)
	b.Queue(sqlReleaseSavepoint)
	return q.guarded(ctx, b)
}

// guarded sends a savepoint-wrapped batch and, when the server refused the
// statement, rolls back to the savepoint so the transaction goes on. A
// client-side error (no row to scan) left the savepoint released already.
func (q *queries) guarded(ctx context.Context, b *pgx.Batch) error {
	err := q.tx.SendBatch(ctx, b).Close()
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if _, rbErr := q.tx.Exec(ctx, sqlRollbackToSave); rbErr != nil {
			return errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rbErr))
		}
	}
	return err
}

// inserted turns the zero rows of an INSERT ... ON CONFLICT DO NOTHING into
// ErrConflict.
func inserted(n int64, err error) error {
	if err == nil && n == 0 {
		return store.ErrConflict
	}
	return err
}

// conflictIfNone turns the "no row" of an INSERT ... ON CONFLICT DO NOTHING
// into ErrConflict.
func conflictIfNone(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrConflict
	}
	return err
}

// affected turns "no row changed" into ErrNotFound.
func affected(n int64, err error) error {
	if err == nil && n == 0 {
		return pgx.ErrNoRows
	}
	return err
}

// PostgreSQL error codes the store maps to its sentinels.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

// wrap adds context to err and maps the driver's answers to the store's
// sentinels: no rows and a missing referenced row are ErrNotFound, a unique
// or primary key violation is ErrConflict.
func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeUniqueViolation:
			return fmt.Errorf("%s: %w: %w", what, store.ErrConflict, err)
		case codeForeignKeyViolation:
			return fmt.Errorf("%s: referenced row: %w: %w", what, store.ErrNotFound, err)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// orNow is t, or the store's clock when t is zero, normalized to what the
// database keeps.
func (q *queries) orNow(t time.Time) time.Time {
	if t.IsZero() {
		t = q.st.now()
	}
	return norm(t)
}

// norm is t as it reads back: UTC, whole microseconds, no monotonic clock.
// PostgreSQL would round a nanosecond part; truncating here first makes
// both engines keep the same instant.
func norm(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func normPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := norm(*t)
	return &n
}

// utcPtr is a scanned nullable time in UTC (pgx returns local time).
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// nullString stores "" as NULL, for optional columns under a unique
// constraint (NULLs never collide).
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nullID stores the id 0 ("none") as NULL, for optional foreign keys.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// deref reads a scanned nullable value, its zero value for NULL.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// bytesOrNil keeps an empty blob from reading back as a non-nil empty slice.
func bytesOrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// collect scans every row of rows with scan.
func collect[T any](rows pgx.Rows, err error, scan func(pgx.Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// limit is n as a LIMIT parameter: n <= 0 means no limit (LIMIT NULL).
func limit(n int) *int64 {
	if n <= 0 {
		return nil
	}
	v := int64(n)
	return &v
}
