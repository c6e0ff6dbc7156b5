package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// lazyTx is a transaction that begins with its first statement: BEGIN is
// queued in front of it (pgx's Batch.BeginTx) and costs no round trip of
// its own, which for a short transaction such as an ingest commit is one
// round trip in five or six. A transaction that sends nothing never
// begins, and commits or rolls back nothing.
type lazyTx struct {
	conn *pgx.Conn
	tx   pgx.Tx // nil until the first statement is sent
}

var _ conn = (*lazyTx)(nil)

// send sends b, led by BEGIN when the transaction has not begun, and
// returns its results after BEGIN's. A failed BEGIN needs no handling
// here: pgx answers every later result of the batch with its error.
func (t *lazyTx) send(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if t.tx != nil {
		return t.tx.SendBatch(ctx, b)
	}
	lead := &pgx.Batch{}
	lead.BeginTx(pgx.TxOptions{})
	lead.QueuedQueries = append(lead.QueuedQueries, b.QueuedQueries...)
	br := t.conn.SendBatch(ctx, lead)
	t.tx = br.Tx()
	_, _ = br.Exec() // BEGIN's
	return br
}

// pipelined tells whether a first statement can be sent behind BEGIN: a
// batch runs in the connection's default mode, so a statement that asks
// for another (a pgx.QueryExecMode argument) begins the transaction on its
// own first.
func (t *lazyTx) pipelined(args []any) bool {
	if t.tx != nil {
		return false
	}
	if len(args) > 0 {
		if _, ok := args[0].(pgx.QueryExecMode); ok {
			return false
		}
	}
	return true
}

// begin begins the transaction on its own, when it has not begun yet.
func (t *lazyTx) begin(ctx context.Context) error {
	if t.tx != nil {
		return nil
	}
	tx, err := t.conn.Begin(ctx)
	if err != nil {
		return err
	}
	t.tx = tx
	return nil
}

func (t *lazyTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if t.pipelined(args) {
		br := t.send(ctx, queue(sql, args))
		tag, err := br.Exec()
		return tag, firstErr(err, br.Close())
	}
	if err := t.begin(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.tx.Exec(ctx, sql, args...)
}

func (t *lazyTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if t.pipelined(args) {
		br := t.send(ctx, queue(sql, args))
		rows, err := br.Query()
		if err != nil {
			return nil, firstErr(err, br.Close())
		}
		return &batchRows{Rows: rows, br: br}, nil
	}
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.tx.Query(ctx, sql, args...)
}

func (t *lazyTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if t.pipelined(args) {
		return batchRow{t.send(ctx, queue(sql, args))}
	}
	if err := t.begin(ctx); err != nil {
		return errRow{err}
	}
	return t.tx.QueryRow(ctx, sql, args...)
}

func (t *lazyTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.send(ctx, b)
}

func (t *lazyTx) commit(ctx context.Context) error {
	if t.tx == nil {
		return nil
	}
	return t.tx.Commit(ctx)
}

func (t *lazyTx) rollback(ctx context.Context) error {
	if t.tx == nil {
		return nil
	}
	return t.tx.Rollback(ctx)
}

func queue(sql string, args []any) *pgx.Batch {
	b := &pgx.Batch{}
	b.Queue(sql, args...)
	return b
}

func firstErr(err, next error) error {
	if err != nil {
		return err
	}
	return next
}

// batchRow is the one row of a statement sent behind BEGIN; Scan reads
// it and closes the batch.
type batchRow struct{ br pgx.BatchResults }

func (r batchRow) Scan(dest ...any) error {
	err := r.br.QueryRow().Scan(dest...)
	return firstErr(err, r.br.Close())
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// batchRows are the rows of a statement sent behind BEGIN; the batch is
// closed once they are read, and its error, if any, is theirs.
type batchRows struct {
	pgx.Rows
	br  pgx.BatchResults
	err error
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.closeBatch()
	return false
}

func (r *batchRows) Close() {
	r.Rows.Close()
	r.closeBatch()
}

func (r *batchRows) closeBatch() {
	if err := r.br.Close(); err != nil && r.err == nil {
		r.err = err
	}
}

func (r *batchRows) Err() error { return firstErr(r.Rows.Err(), r.err) }
