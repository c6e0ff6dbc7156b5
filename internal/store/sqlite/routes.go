package sqlite

import (
	"context"
	"database/sql"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// alert_status starts as the alert's status and follows it by trigger
	// (0004_pending_work); '' for no alert, which the foreign key refuses.
	sqlInsertRoute = `INSERT INTO routes (tenant_id, alert_seq, integration_id, outcome, code, reason,
    ticket_link_id, created_at, handled_status, alert_status)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, COALESCE((SELECT status FROM alerts WHERE seq = ?2), ''))`
	sqlInsertRoutes = `INSERT INTO routes (tenant_id, alert_seq, integration_id, outcome, code, reason,
    ticket_link_id, created_at, handled_status, alert_status)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
    value ->> 8, COALESCE((SELECT status FROM alerts WHERE seq = value ->> 1), '')
FROM json_each(?) ORDER BY key`
	sqlRoutesOfAlert = `SELECT tenant_id, alert_seq, integration_id, outcome, code, reason, ticket_link_id, created_at,
    handled_status
FROM routes WHERE alert_seq = ? ORDER BY integration_id`
	sqlDeleteSkippedRoutes = `DELETE FROM routes WHERE integration_id = ? AND outcome = 'skipped' AND code = ?`
	sqlSetRouteLink        = `UPDATE routes SET ticket_link_id = ? WHERE alert_seq = ? AND integration_id = ?`
)

var routeStatements = []string{sqlInsertRoute, sqlInsertRoutes, sqlRoutesOfAlert, sqlDeleteSkippedRoutes, sqlSetRouteLink}

// InsertRoute records the outcome of an alert under an integration;
// ErrConflict when the alert already has one there, ErrNotFound when the
// alert, integration or link does not exist.
func (q *queries) InsertRoute(ctx context.Context, r store.Route) error {
	_, err := q.exec(ctx, sqlInsertRoute, r.TenantID, r.AlertSeq, r.IntegrationID, string(r.Outcome),
		r.Code, r.Reason, nullID(r.TicketLinkID), dbTime(q.orNow(r.CreatedAt)), string(r.HandledStatus))
	return wrap(err, "insert route")
}

// InsertRoutes records several routes in one statement; ErrConflict if
// any is present, and then none is.
func (q *queries) InsertRoutes(ctx context.Context, rs []store.Route) error {
	if len(rs) == 0 {
		return nil
	}
	rows := make([][9]any, len(rs))
	for i, r := range rs {
		rows[i] = [9]any{r.TenantID, r.AlertSeq, r.IntegrationID, string(r.Outcome), r.Code, r.Reason,
			jsonID(r.TicketLinkID), dbTime(q.orNow(r.CreatedAt)), string(r.HandledStatus)}
	}
	return wrap(q.execJSON(ctx, sqlInsertRoutes, rows), "insert routes")
}

// Routes lists an alert's routes by integration.
func (q *queries) Routes(ctx context.Context, alertSeq int64) ([]store.Route, error) {
	rows, err := q.readRows(ctx, sqlRoutesOfAlert, alertSeq)
	out, err := collect(rows, err, scanRoute)
	return out, wrap(err, "list routes")
}

func scanRoute(s scanner) (store.Route, error) {
	var r store.Route
	var link sql.NullInt64
	var created int64
	err := s.Scan(&r.TenantID, &r.AlertSeq, &r.IntegrationID, &r.Outcome, &r.Code, &r.Reason, &link, &created,
		&r.HandledStatus)
	if err != nil {
		return store.Route{}, err
	}
	r.TicketLinkID, r.CreatedAt = link.Int64, goTime(created)
	return r, nil
}

// DeleteSkippedRoutes forgets the integration's routes skipped with code and
// returns how many it forgot.
func (q *queries) DeleteSkippedRoutes(ctx context.Context, integrationID int64, code string) (int64, error) {
	res, err := q.exec(ctx, sqlDeleteSkippedRoutes, integrationID, code)
	if err != nil {
		return 0, wrap(err, "delete skipped routes")
	}
	n, err := res.RowsAffected()
	return n, wrap(err, "delete skipped routes")
}

// SetRouteLink points an alert's route under an integration at a ticket
// link; ErrNotFound when there is no such route.
func (q *queries) SetRouteLink(ctx context.Context, alertSeq, integrationID, linkID int64) error {
	err := affected(q.exec(ctx, sqlSetRouteLink, nullID(linkID), alertSeq, integrationID))
	return wrap(err, "set route link")
}
