package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// An unknown source or alert inserts nothing (ErrNotFound) rather than
	// failing a foreign key, which would abort the caller's transaction; the
	// keys stay as a backstop. The casts type what a SELECT list leaves open.
	sqlInsertCallback = `INSERT INTO callbacks (tenant_id, source_id, alert_seq, payload, state, attempts,
    next_attempt_at, last_error, created_at, updated_at, completed_at)
SELECT $1::text, $2::text, $3::bigint, $4::text, $5::text, $6::bigint, $7::timestamptz, $8::text,
    $9::timestamptz, $10::timestamptz, $11::timestamptz
WHERE EXISTS (SELECT 1 FROM sources s WHERE s.tenant_id = $1 AND s.id = $2)
  AND EXISTS (SELECT 1 FROM alerts a WHERE a.seq = $3)
RETURNING id`
	sqlUpdateCallback = `UPDATE callbacks
SET payload = $1, state = $2, attempts = $3, next_attempt_at = $4, last_error = $5, updated_at = $6,
    completed_at = $7
WHERE id = $8`
	sqlCallbackColumns = `SELECT id, tenant_id, source_id, alert_seq, payload, state, attempts, next_attempt_at,
    last_error, created_at, updated_at, completed_at
FROM callbacks`
	// A plain SELECT, as for deliveries: the list is returned, not claimed.
	sqlDueCallbacks = sqlCallbackColumns + `
WHERE tenant_id = $1 AND state = 'pending' AND next_attempt_at <= $2
ORDER BY id
LIMIT $3`
	sqlCallbacksOfAlert = sqlCallbackColumns + `
WHERE tenant_id = $1 AND ($2 = 0 OR alert_seq = $2)
ORDER BY id`
	sqlSourceByID = sqlSourceColumns + ` WHERE tenant_id = $1 AND id = $2`
)

// InsertCallback stores a status change to report and returns it as
// stored; ErrNotFound when its source or alert does not exist.
func (q *queries) InsertCallback(ctx context.Context, c store.Callback) (store.Callback, error) {
	c.CreatedAt, c.UpdatedAt = q.orNow(c.CreatedAt), q.orNow(c.UpdatedAt)
	c.NextAttemptAt, c.CompletedAt = norm(c.NextAttemptAt), normPtr(c.CompletedAt)
	c.Payload = bytesOrNil(c.Payload)
	err := q.writeRow(ctx, func(r pgx.Row) error { return r.Scan(&c.ID) }, sqlInsertCallback,
		c.TenantID, c.SourceID, c.AlertSeq, string(c.Payload), string(c.State), c.Attempts, c.NextAttemptAt,
		c.LastError, c.CreatedAt, c.UpdatedAt, c.CompletedAt)
	if err != nil {
		return store.Callback{}, wrap(err, "insert callback")
	}
	return c, nil
}

// UpdateCallback writes the callback's progress: payload, state, attempts,
// next attempt, error and times. ErrNotFound when it does not exist.
func (q *queries) UpdateCallback(ctx context.Context, c store.Callback) error {
	err := affected(q.exec(ctx, sqlUpdateCallback, string(c.Payload), string(c.State), c.Attempts,
		norm(c.NextAttemptAt), c.LastError, q.orNow(c.UpdatedAt), normPtr(c.CompletedAt), c.ID))
	return wrap(err, "update callback")
}

// DueCallbacks lists the tenant's pending callbacks due at now, oldest
// first, at most n (n <= 0: all).
func (q *queries) DueCallbacks(ctx context.Context, tenant string, now time.Time, n int) ([]store.Callback, error) {
	rows, err := q.db.Query(ctx, sqlDueCallbacks, tenant, norm(now), limit(n))
	out, err := collect(rows, err, scanCallback)
	return out, wrap(err, "list due callbacks")
}

// Callbacks lists the tenant's callbacks for the alert (every alert when
// alertSeq is 0), oldest first.
func (q *queries) Callbacks(ctx context.Context, tenant string, alertSeq int64) ([]store.Callback, error) {
	rows, err := q.db.Query(ctx, sqlCallbacksOfAlert, tenant, alertSeq)
	out, err := collect(rows, err, scanCallback)
	return out, wrap(err, "list callbacks")
}

// SourceByID returns the tenant's source with the id.
func (q *queries) SourceByID(ctx context.Context, tenant, id string) (store.Source, error) {
	s, err := scanSource(q.db.QueryRow(ctx, sqlSourceByID, tenant, id))
	return s, wrap(err, "source by id")
}

func scanCallback(s pgx.Row) (store.Callback, error) {
	var c store.Callback
	var completed *time.Time
	var payload []byte
	err := s.Scan(&c.ID, &c.TenantID, &c.SourceID, &c.AlertSeq, &payload, &c.State, &c.Attempts,
		&c.NextAttemptAt, &c.LastError, &c.CreatedAt, &c.UpdatedAt, &completed)
	if err != nil {
		return store.Callback{}, err
	}
	c.Payload = bytesOrNil(payload)
	c.NextAttemptAt, c.CreatedAt, c.UpdatedAt = c.NextAttemptAt.UTC(), c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.CompletedAt = utcPtr(completed)
	return c, nil
}
