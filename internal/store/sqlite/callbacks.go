package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlInsertCallback = `INSERT INTO callbacks (tenant_id, source_id, alert_seq, payload, state, attempts,
    next_attempt_at, last_error, created_at, updated_at, completed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id`
	sqlUpdateCallback = `UPDATE callbacks
SET payload = ?, state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ?, completed_at = ?
WHERE id = ?`
	sqlCallbackColumns = `SELECT id, tenant_id, source_id, alert_seq, payload, state, attempts, next_attempt_at,
    last_error, created_at, updated_at, completed_at
FROM callbacks`
	sqlDueCallbacks = sqlCallbackColumns + `
WHERE tenant_id = ? AND state = 'pending' AND next_attempt_at <= ?
ORDER BY id
LIMIT CAST(? AS INTEGER)`
	sqlCallbacksOfAlert = sqlCallbackColumns + `
WHERE tenant_id = ? AND (? = 0 OR alert_seq = ?)
ORDER BY id`
	sqlSourceByID = sqlSourceColumns + ` WHERE tenant_id = ? AND id = ?`
)

var callbackStatements = []string{
	sqlInsertCallback, sqlUpdateCallback, sqlDueCallbacks, sqlCallbacksOfAlert, sqlSourceByID,
}

// InsertCallback stores a status change to report and returns it as
// stored; ErrNotFound when its source or alert does not exist.
func (q *queries) InsertCallback(ctx context.Context, c store.Callback) (store.Callback, error) {
	c.CreatedAt, c.UpdatedAt = q.orNow(c.CreatedAt), q.orNow(c.UpdatedAt)
	c.NextAttemptAt, c.CompletedAt = norm(c.NextAttemptAt), normPtr(c.CompletedAt)
	c.Payload = bytesOrNil(c.Payload)
	err := q.writeRow(ctx, sqlInsertCallback, c.TenantID, c.SourceID, c.AlertSeq, string(c.Payload),
		string(c.State), c.Attempts, dbTime(c.NextAttemptAt), c.LastError, dbTime(c.CreatedAt),
		dbTime(c.UpdatedAt), dbTimePtr(c.CompletedAt),
	).Scan(&c.ID)
	if err != nil {
		return store.Callback{}, wrap(err, "insert callback")
	}
	return c, nil
}

// UpdateCallback writes the callback's progress: payload, state, attempts,
// next attempt, error and times. ErrNotFound when it does not exist.
func (q *queries) UpdateCallback(ctx context.Context, c store.Callback) error {
	err := affected(q.exec(ctx, sqlUpdateCallback, string(c.Payload), string(c.State), c.Attempts,
		dbTime(c.NextAttemptAt), c.LastError, dbTime(q.orNow(c.UpdatedAt)), dbTimePtr(normPtr(c.CompletedAt)), c.ID))
	return wrap(err, "update callback")
}

// DueCallbacks lists the tenant's pending callbacks due at now, oldest
// first, at most n (n <= 0: all).
func (q *queries) DueCallbacks(ctx context.Context, tenant string, now time.Time, n int) ([]store.Callback, error) {
	rows, err := q.readRows(ctx, sqlDueCallbacks, tenant, dbTime(now), limit(n))
	out, err := collect(rows, err, scanCallback)
	return out, wrap(err, "list due callbacks")
}

// Callbacks lists the tenant's callbacks for the alert (every alert when
// alertSeq is 0), oldest first.
func (q *queries) Callbacks(ctx context.Context, tenant string, alertSeq int64) ([]store.Callback, error) {
	rows, err := q.readRows(ctx, sqlCallbacksOfAlert, tenant, alertSeq, alertSeq)
	out, err := collect(rows, err, scanCallback)
	return out, wrap(err, "list callbacks")
}

// SourceByID returns the tenant's source with the id.
func (q *queries) SourceByID(ctx context.Context, tenant, id string) (store.Source, error) {
	s, err := scanSource(q.readRow(ctx, sqlSourceByID, tenant, id))
	return s, wrap(err, "source by id")
}

func scanCallback(s scanner) (store.Callback, error) {
	var c store.Callback
	var next, created, updated int64
	var completed sql.NullInt64
	var payload []byte
	err := s.Scan(&c.ID, &c.TenantID, &c.SourceID, &c.AlertSeq, &payload, &c.State, &c.Attempts, &next,
		&c.LastError, &created, &updated, &completed)
	if err != nil {
		return store.Callback{}, err
	}
	c.Payload = bytesOrNil(payload)
	c.NextAttemptAt, c.CreatedAt, c.UpdatedAt = goTime(next), goTime(created), goTime(updated)
	c.CompletedAt = goTimePtr(completed)
	return c, nil
}
