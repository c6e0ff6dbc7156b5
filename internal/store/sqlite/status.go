package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

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
WHERE integration_id = ? AND psa_ticket_id = ?
ORDER BY id DESC
LIMIT 1`
	// The status is kept twice, in its column and in the body's JSON, so
	// every read of the alert agrees with the column StatusChanges compares.
	sqlSetAlertStatus = `UPDATE alerts
SET status = ?1, body = json_set(body, '$.status', ?1), status_origin = ?2, status_changed_at = ?3,
    updated_at = ?3
WHERE seq = ?4`
	sqlCursor = `SELECT value FROM cursors WHERE integration_id = ? AND name = ?`
	// The tenant is the integration's; no row is written for an unknown
	// integration.
	sqlSetCursor = `INSERT INTO cursors (tenant_id, integration_id, name, value, updated_at)
SELECT tenant_id, id, ?2, ?3, ?4 FROM integrations WHERE id = ?1
ON CONFLICT (integration_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
	// routes.alert_status is the alert's status, kept by a trigger (see
	// 0004_pending_work), so the partial index routes_status_pending holds
	// only the pending changes. The WHERE repeats its predicate word for
	// word, which SQLite needs to use it; INDEXED BY makes it the choice
	// (without statistics the planner ties it with routes_integration_outcome,
	// which holds every queued route ever) and fails the prepare at Open
	// should the index ever go missing.
	sqlStatusChanges = sqlAlertColumns + `
JOIN routes r INDEXED BY routes_status_pending ON r.alert_seq = a.seq
WHERE r.integration_id = ? AND r.outcome = 'queued' AND r.alert_status <> r.handled_status
ORDER BY a.status_changed_at, a.seq
LIMIT CAST(? AS INTEGER)`
	sqlMarkStatusHandled = `UPDATE routes SET handled_status = ? WHERE alert_seq = ? AND integration_id = ?`
	sqlPruneSeen         = `DELETE FROM seen_events WHERE integration_id = ? AND at < ?`
	sqlMarkSeen          = `INSERT INTO seen_events (tenant_id, integration_id, key, at)
SELECT tenant_id, id, ?2, ?3 FROM integrations WHERE id = ?1`
)

var statusStatements = []string{
	sqlTicketLinkByPSAID, sqlSetAlertStatus, sqlCursor, sqlSetCursor, sqlStatusChanges,
	sqlMarkStatusHandled, sqlPruneSeen, sqlMarkSeen,
}

// TicketLinkByPSAID returns the integration's newest link to the PSA
// ticket; ErrNotFound when none (an empty id never matches, though links
// still creating have one).
func (q *queries) TicketLinkByPSAID(ctx context.Context, integrationID int64, psaTicketID string) (store.TicketLink, error) {
	if psaTicketID == "" {
		return store.TicketLink{}, wrap(sql.ErrNoRows, "ticket link by psa id")
	}
	l, err := scanLink(q.readRow(ctx, sqlTicketLinkByPSAID, integrationID, psaTicketID))
	return l, wrap(err, "ticket link by psa id")
}

// SetAlertStatus records the alert's status, its origin and when it
// changed (also its update time; the store's clock when at is zero);
// ErrNotFound when there is no such alert.
func (q *queries) SetAlertStatus(ctx context.Context, seq int64, st alert.Status, origin string, at time.Time) error {
	err := affected(q.exec(ctx, sqlSetAlertStatus, string(st), origin, dbTime(q.orNow(at)), seq))
	return wrap(err, fmt.Sprintf("set status of alert %d", seq))
}

// Cursor reads the integration's named cursor; ErrNotFound when never set.
func (q *queries) Cursor(ctx context.Context, integrationID int64, name string) (string, error) {
	var v string
	err := q.readRow(ctx, sqlCursor, integrationID, name).Scan(&v)
	return v, wrap(err, "read cursor "+name)
}

// SetCursor sets the integration's named cursor; ErrNotFound when the
// integration does not exist.
func (q *queries) SetCursor(ctx context.Context, integrationID int64, name, value string) error {
	err := affected(q.exec(ctx, sqlSetCursor, integrationID, name, value, dbTime(q.orNow(time.Time{}))))
	return wrap(err, "set cursor "+name)
}

// StatusChanges lists the alerts queued under the integration whose status
// differs from the one last handled for their route, oldest change first;
// n <= 0 means all.
func (q *queries) StatusChanges(ctx context.Context, integrationID int64, n int) ([]store.StoredAlert, error) {
	rows, err := q.readRows(ctx, sqlStatusChanges, integrationID, limit(n))
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
// already, ErrNotFound when the integration does not exist. Keys older
// than seenRetention before at are forgotten first, which keeps the table
// small without a separate sweeper.
func (q *queries) MarkSeen(ctx context.Context, integrationID int64, key string, at time.Time) error {
	at = q.orNow(at)
	if _, err := q.exec(ctx, sqlPruneSeen, integrationID, dbTime(at.Add(-seenRetention))); err != nil {
		return wrap(err, "prune seen events")
	}
	err := affected(q.exec(ctx, sqlMarkSeen, integrationID, key, dbTime(at)))
	return wrap(err, "mark event seen")
}
