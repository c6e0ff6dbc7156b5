package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// A second route for the alert is an answer (ErrConflict), not an
	// error that would abort the transaction.
	// alert_status starts as the alert's status and follows it by trigger
	// (0004_pending_work). The read is FOR SHARE so that a status change
	// of the alert in flight commits first (and the read sees it) or waits
	// for this route (and its trigger then moves it): READ COMMITTED alone
	// would let the change miss a route not yet committed. '' for no alert,
	// which the foreign key refuses.
	sqlInsertRoute = `INSERT INTO routes (tenant_id, alert_seq, integration_id, outcome, code, reason,
    ticket_link_id, created_at, handled_status, alert_status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE((SELECT status FROM alerts WHERE seq = $2 FOR SHARE), ''))
ON CONFLICT DO NOTHING`
	// A batch is refused whole on a route already present: plain INSERT
	// under a savepoint (guardedExec), where a partial ON CONFLICT DO
	// NOTHING would keep the rest.
	sqlInsertRoutes = `INSERT INTO routes (tenant_id, alert_seq, integration_id, outcome, code, reason,
    ticket_link_id, created_at, handled_status, alert_status)
SELECT t, s, i, o, c, r, l, a, h, COALESCE((SELECT status FROM alerts WHERE seq = u.s FOR SHARE), '')
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[],
    $8::timestamptz[], $9::text[]) WITH ORDINALITY AS u (t, s, i, o, c, r, l, a, h, n)
ORDER BY n`
	sqlRoutesOfAlert = `SELECT tenant_id, alert_seq, integration_id, outcome, code, reason, ticket_link_id, created_at,
    handled_status
FROM routes WHERE alert_seq = $1 ORDER BY integration_id`
	sqlDeleteSkippedRoutes = `DELETE FROM routes WHERE integration_id = $1 AND outcome = 'skipped' AND code = $2`
	sqlSetRouteLink        = `UPDATE routes SET ticket_link_id = $1 WHERE alert_seq = $2 AND integration_id = $3`
)

// InsertRoute records the outcome of an alert under an integration;
// ErrConflict when the alert already has one there, ErrNotFound when the
// alert, integration or link does not exist.
func (q *queries) InsertRoute(ctx context.Context, r store.Route) error {
	err := inserted(q.exec(ctx, sqlInsertRoute, r.TenantID, r.AlertSeq, r.IntegrationID, string(r.Outcome),
		r.Code, r.Reason, nullID(r.TicketLinkID), q.orNow(r.CreatedAt), string(r.HandledStatus)))
	return wrap(err, "insert route")
}

// InsertRoutes records several routes in one statement; ErrConflict if
// any is present, and then none is.
func (q *queries) InsertRoutes(ctx context.Context, rs []store.Route) error {
	if len(rs) == 0 {
		return nil
	}
	n := len(rs)
	tenants, seqs, integrations, outcomes := make([]string, n), make([]int64, n), make([]int64, n), make([]string, n)
	codes, reasons, links := make([]string, n), make([]string, n), make([]*int64, n)
	created, handled := make([]time.Time, n), make([]string, n)
	for i, r := range rs {
		tenants[i], seqs[i], integrations[i], outcomes[i] = r.TenantID, r.AlertSeq, r.IntegrationID, string(r.Outcome)
		codes[i], reasons[i], links[i] = r.Code, r.Reason, nullID(r.TicketLinkID)
		created[i], handled[i] = q.orNow(r.CreatedAt), string(r.HandledStatus)
	}
	_, err := q.guardedExec(ctx, sqlInsertRoutes, tenants, seqs, integrations, outcomes, codes, reasons, links,
		created, handled)
	return wrap(err, "insert routes")
}

// Routes lists an alert's routes by integration.
func (q *queries) Routes(ctx context.Context, alertSeq int64) ([]store.Route, error) {
	rows, err := q.db.Query(ctx, sqlRoutesOfAlert, alertSeq)
	out, err := collect(rows, err, scanRoute)
	return out, wrap(err, "list routes")
}

func scanRoute(s pgx.Row) (store.Route, error) {
	var r store.Route
	var link *int64
	err := s.Scan(&r.TenantID, &r.AlertSeq, &r.IntegrationID, &r.Outcome, &r.Code, &r.Reason, &link, &r.CreatedAt,
		&r.HandledStatus)
	if err != nil {
		return store.Route{}, err
	}
	r.TicketLinkID, r.CreatedAt = deref(link), r.CreatedAt.UTC()
	return r, nil
}

// DeleteSkippedRoutes forgets the integration's routes skipped with code and
// returns how many it forgot.
func (q *queries) DeleteSkippedRoutes(ctx context.Context, integrationID int64, code string) (int64, error) {
	n, err := q.exec(ctx, sqlDeleteSkippedRoutes, integrationID, code)
	return n, wrap(err, "delete skipped routes")
}

// SetRouteLink points an alert's route under an integration at a ticket
// link; ErrNotFound when there is no such route.
func (q *queries) SetRouteLink(ctx context.Context, alertSeq, integrationID, linkID int64) error {
	err := affected(q.exec(ctx, sqlSetRouteLink, nullID(linkID), alertSeq, integrationID))
	return wrap(err, "set route link")
}
