package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// queries implements store.Queries either on the store's pools (tx nil) or
// inside one writer transaction.
type queries struct {
	st *Store
	tx *sql.Tx
	// stmts holds this transaction's handles on the writer's prepared
	// statements, so a batch binds each statement once per transaction.
	stmts map[string]*sql.Stmt
}

var _ store.Queries = (*queries)(nil)

// statements lists every SQL text the engine runs; Open prepares them all
// on the writer (and the SELECTs on the reader pool) before any transaction
// can hold the writer's only connection. A query missing here still works,
// unprepared.
var statements = concat(
	sourceStatements, alertStatements, integrationStatements, routeStatements,
	linkStatements, deliveryStatements, timelineStatements, leaseStatements,
	statusStatements, callbackStatements, billingStatements, probeStatements, retentionStatements, mailStatements, rawBodyStatements,
	tenantStatements,
	organizationStatements,
	ticketStatements,
)

func concat(lists ...[]string) []string {
	var all []string
	for _, l := range lists {
		all = append(all, l...)
	}
	return all
}

func prepareAll(ctx context.Context, db *sql.DB) (map[string]*sql.Stmt, error) {
	return prepare(ctx, db, statements)
}

// prepareReads prepares the statements that only read.
func prepareReads(ctx context.Context, db *sql.DB) (map[string]*sql.Stmt, error) {
	var reads []string
	for _, q := range statements {
		if isRead(q) {
			reads = append(reads, q)
		}
	}
	return prepare(ctx, db, reads)
}

func isRead(query string) bool {
	return strings.HasPrefix(strings.TrimSpace(query), "SELECT")
}

func prepare(ctx context.Context, db *sql.DB, queries []string) (map[string]*sql.Stmt, error) {
	m := make(map[string]*sql.Stmt, len(queries))
	for _, q := range queries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("prepare %q: %w", firstLine(q), err)
		}
		m[q] = st
	}
	return m, nil
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i >= 0 {
		return q[:i]
	}
	return q
}

// stmt returns the prepared statement for query on the right connection,
// or nil when query was not prepared.
func (q *queries) stmt(ctx context.Context, query string, write bool) *sql.Stmt {
	if q.tx == nil {
		if write {
			return q.st.writeStmts[query]
		}
		return q.st.readStmts[query]
	}
	if st, ok := q.stmts[query]; ok {
		return st
	}
	base, ok := q.st.writeStmts[query]
	if !ok {
		return nil
	}
	st := q.tx.StmtContext(ctx, base)
	if q.stmts == nil {
		q.stmts = make(map[string]*sql.Stmt)
	}
	q.stmts[query] = st
	return st
}

// conn is what runs unprepared statements.
type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (q *queries) conn(write bool) conn {
	switch {
	case q.tx != nil:
		return q.tx
	case write:
		return q.st.writer
	default:
		return q.st.reader
	}
}

// atomically runs fn in q's transaction, or in a new one when q is the
// store's own: for writes of several statements.
func (q *queries) atomically(ctx context.Context, fn func(q *queries) error) error {
	if q.tx != nil {
		return fn(q)
	}
	return q.st.InTx(ctx, func(tx store.Queries) error { return fn(tx.(*queries)) })
}

// statementCtx is the context a statement runs under. For each statement
// whose context can be cancelled the driver starts a goroutine that waits
// to interrupt it: inside a writer transaction of 500 upserts that was a
// goroutine per row on the only writer's path. There the statement runs
// without ctx's cancellation: database/sql rolls the transaction back when
// ctx ends, so the transaction still stops at its next statement, and
// our statements are short. A ctx already ended is kept, so the statement
// fails at once. Statements on the pools keep their cancellation.
func (q *queries) statementCtx(ctx context.Context) context.Context {
	if q.tx == nil || ctx.Err() != nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// exec runs a statement that writes.
func (q *queries) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = q.statementCtx(ctx)
	if st := q.stmt(ctx, query, true); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.conn(true).ExecContext(ctx, query, args...)
}

// writeRow runs a statement that writes and returns one row (RETURNING).
func (q *queries) writeRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = q.statementCtx(ctx)
	if st := q.stmt(ctx, query, true); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.conn(true).QueryRowContext(ctx, query, args...)
}

// writeRows runs a statement that writes and returns rows (RETURNING).
func (q *queries) writeRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = q.statementCtx(ctx)
	if st := q.stmt(ctx, query, true); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.conn(true).QueryContext(ctx, query, args...)
}

// execJSON runs a statement that writes rows given as one JSON array, its
// only parameter (read with json_each): a batch in one statement.
func (q *queries) execJSON(ctx context.Context, query string, rows any) error {
	b, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("encode rows: %w", err)
	}
	_, err = q.exec(ctx, query, string(b))
	return err
}

// jsonID is id as a row of a JSON batch holds it: null for none.
func jsonID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// readRow runs a query for one row: in the transaction, or on the reader
// pool.
func (q *queries) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = q.statementCtx(ctx)
	if st := q.stmt(ctx, query, false); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.conn(false).QueryRowContext(ctx, query, args...)
}

// readRows runs a query for many rows.
func (q *queries) readRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = q.statementCtx(ctx)
	if st := q.stmt(ctx, query, false); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.conn(false).QueryContext(ctx, query, args...)
}

// affected turns "no row changed" into ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

// wrap adds context to err and maps the driver's answers to the store's
// sentinels: no rows and a missing referenced row are ErrNotFound, a unique
// or primary key violation is ErrConflict. The codes are SQLite's extended
// result codes, which the driver turns on for every connection.
func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%s: %w: %w", what, store.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
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
func norm(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Times are kept as microseconds since the Unix epoch: exact, ordered,
// compared with plain <=, and the precision of PostgreSQL's timestamptz.
func dbTime(t time.Time) int64 { return t.UnixMicro() }

func goTime(us int64) time.Time { return time.UnixMicro(us).UTC() }

func dbTimePtr(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: dbTime(*t), Valid: true}
}

func goTimePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := goTime(v.Int64)
	return &t
}

func normPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := norm(*t)
	return &n
}

// nullString stores "" as NULL, for optional columns under a unique
// constraint (NULLs never collide).
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// nullID stores the id 0 ("none") as NULL, for optional foreign keys.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// bytesOrNil keeps an empty blob from reading back as a non-nil empty slice.
func bytesOrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// collect scans every row of rows with scan.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
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

// limit is n as SQLite's LIMIT: n <= 0 means no limit (-1).
//
// Every statement writes its LIMIT as CAST(? AS INTEGER), never a bare ?:
// SQLite's planner reads the value bound to a bare LIMIT parameter, which
// marks the prepared statement to be compiled again each time a value is
// bound. That was 70% of the engine's polling reads (DueDeliveries,
// UnroutedAlerts, StatusChanges, DueCallbacks) on every cycle.
func limit(n int) int64 {
	if n <= 0 {
		return -1
	}
	return int64(n)
}
