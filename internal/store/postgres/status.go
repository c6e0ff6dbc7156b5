package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// seenRetention is how long MarkSeen remembers an event key. PSAs resend a
// webhook within minutes and the poller's cursor only moves forward, so a
// month is far beyond any duplicate we could receive, and it bounds the
// table.
const seenRetention = 30 * 24 * time.Hour

const (
	// A PSA may reuse a ticket id after a delete; the newest link wins.
	sqlTicketLinkByPSAID = sqlLinkColumns + `
WHERE integration_id = $1 AND psa_ticket_id = $2
ORDER BY id DESC
LIMIT 1`
	// The status is kept twice, in its column and in the body's JSON, so
	// every read of the alert agrees with the column StatusChanges compares.
	// body is TEXT (see 0001_init), so it goes through jsonb and back.
	sqlSetAlertStatus = `UPDATE alerts
SET status = $1, body = jsonb_set(body::jsonb, '{status}', to_jsonb($1::text))::text,
    status_origin = $2, status_changed_at = $3, updated_at = $3
WHERE seq = $4`
	sqlCursor = `SELECT value FROM cursors WHERE integration_id = $1 AND name = $2`
	// The tenant is the integration's; no row is written for an unknown
	// integration. The casts type parameters a SELECT list leaves open.
	sqlSetCursor = `INSERT INTO cursors (tenant_id, integration_id, name, value, updated_at)
SELECT tenant_id, id, $2::text, $3::text, $4::timestamptz FROM integrations WHERE id = $1
ON CONFLICT (integration_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
	// routes.status_pending is a queued route whose alert's status (kept
	// beside the route by a trigger) is not the handled one; see
	// 0004_pending_work. The partial index routes_status_pending holds just
	// those, so the scan reads only the pending changes.
	sqlStatusChanges = sqlAlertColumns + `
JOIN routes r ON r.alert_seq = a.seq
WHERE r.integration_id = $1 AND r.status_pending
ORDER BY a.status_changed_at, a.seq
LIMIT $2`
	sqlMarkStatusHandled = `UPDATE routes SET handled_status = $1 WHERE alert_seq = $2 AND integration_id = $3`
	sqlPruneSeen         = `DELETE FROM seen_events WHERE integration_id = $1 AND at < $2`
	// One statement and no error either way: a duplicate is a row not
	// inserted, told apart from an unknown integration. A unique violation
	// would abort the caller's transaction, and a savepoint per webhook is a
	// subtransaction on a hot path (see exec.go).
	sqlMarkSeen = `WITH it AS (SELECT tenant_id, id FROM integrations WHERE id = $1),
ins AS (
    INSERT INTO seen_events (tenant_id, integration_id, key, at)
    SELECT tenant_id, id, $2::text, $3::timestamptz FROM it
    ON CONFLICT (integration_id, key) DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM it), EXISTS (SELECT 1 FROM ins)`
)

// TicketLinkByPSAID returns the integration's newest link to the PSA
// ticket; ErrNotFound when none (an empty id never matches, though links
// still creating have one).
func (q *queries) TicketLinkByPSAID(ctx context.Context, integrationID int64, psaTicketID string) (store.TicketLink, error) {
	if psaTicketID == "" {
		return store.TicketLink{}, wrap(pgx.ErrNoRows, "ticket link by psa id")
	}
	l, err := scanLink(q.db.QueryRow(ctx, sqlTicketLinkByPSAID, integrationID, psaTicketID))
	return l, wrap(err, "ticket link by psa id")
}

// SetAlertStatus records the alert's status, its origin and when it
// changed (also its update time; the store's clock when at is zero);
// ErrNotFound when there is no such alert.
func (q *queries) SetAlertStatus(ctx context.Context, seq int64, st alert.Status, origin string, at time.Time) error {
	err := affected(q.exec(ctx, sqlSetAlertStatus, string(st), origin, q.orNow(at), seq))
	return wrap(err, fmt.Sprintf("set status of alert %d", seq))
}

// Cursor reads the integration's named cursor; ErrNotFound when never set.
func (q *queries) Cursor(ctx context.Context, integrationID int64, name string) (string, error) {
	var v string
	err := q.db.QueryRow(ctx, sqlCursor, integrationID, name).Scan(&v)
	return v, wrap(err, "read cursor "+name)
}

// SetCursor sets the integration's named cursor; ErrNotFound when the
// integration does not exist.
func (q *queries) SetCursor(ctx context.Context, integrationID int64, name, value string) error {
	err := affected(q.exec(ctx, sqlSetCursor, integrationID, name, value, q.orNow(time.Time{})))
	return wrap(err, "set cursor "+name)
}

// StatusChanges lists the alerts queued under the integration whose status
// differs from the one last handled for their route, oldest change first;
// n <= 0 means all.
func (q *queries) StatusChanges(ctx context.Context, integrationID int64, n int) ([]store.StoredAlert, error) {
	rows, err := q.db.Query(ctx, sqlStatusChanges, integrationID, limit(n))
	out, err := collect(rows, err, scanAlert)
	return out, wrap(err, "list status changes")
}

// MarkStatusHandled records st as handled for the alert's route under the
// integration; ErrNotFound when there is no such route.
func (q *queries) MarkStatusHandled(ctx context.Context, alertSeq, integrationID int64, st alert.Status) error {
	err := affected(q.exec(ctx, sqlMarkStatusHandled, string(st), alertSeq, integrationID))
	return wrap(err, "mark status handled")
}

// MarkSeen records the event key once: ErrConflict when it was recorded
// already (also by another replica at the same moment: the primary key
// decides), ErrNotFound when the integration does not exist. Keys older
// than seenRetention before at are forgotten first, which keeps the table
// small without a separate sweeper.
func (q *queries) MarkSeen(ctx context.Context, integrationID int64, key string, at time.Time) error {
	at = q.orNow(at)
	if _, err := q.exec(ctx, sqlPruneSeen, integrationID, at.Add(-seenRetention)); err != nil {
		return wrap(err, "prune seen events")
	}
	var known, added bool
	err := q.writeRow(ctx, func(r pgx.Row) error { return r.Scan(&known, &added) }, sqlMarkSeen, integrationID, key, at)
	switch {
	case err != nil:
		return wrap(err, "mark event seen")
	case !known:
		return wrap(pgx.ErrNoRows, "mark event seen: integration")
	case !added:
		return fmt.Errorf("mark event seen: %w", store.ErrConflict)
	}
	return nil
}
