package sqlite

import (
	"context"
	"database/sql"
	"math"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// The tickets list has one statement per shape, as the delivery list
// does: a catch-all "(? = ” OR state = ?)" matches no index. Each walks
// its index down from the cursor and stops at the limit; the alert count
// is a probe of routes_ticket_link per row of the page.
const (
	sqlTicketPageColumns = `SELECT l.id, l.tenant_id, l.integration_id, l.company_id, l.group_key, l.state, l.external_ref,
    l.psa_ticket_id, l.ticket_number, l.psa_status, l.created_at, l.updated_at, l.closed_at,
    (SELECT COUNT(*) FROM routes r WHERE r.ticket_link_id = l.id)
FROM ticket_links l`
	sqlTicketPage = sqlTicketPageColumns + `
WHERE l.tenant_id = ? AND l.integration_id = ? AND l.id < ?
ORDER BY l.id DESC LIMIT CAST(? AS INTEGER)`
	sqlTicketPageInState = sqlTicketPageColumns + `
WHERE l.tenant_id = ? AND l.integration_id = ? AND l.state = ? AND l.id < ?
ORDER BY l.id DESC LIMIT CAST(? AS INTEGER)`
	// The link's routes come by routes_ticket_link and are sorted: the
	// cost is the one ticket's alerts, not the tenant's.
	sqlTicketLinkAlerts = sqlAlertColumns + `
JOIN routes r ON r.alert_seq = a.seq
WHERE r.tenant_id = ? AND r.ticket_link_id = ?
ORDER BY a.seq DESC LIMIT CAST(? AS INTEGER)`
	// deliveries_tenant_state finds the pending and failed rows only:
	// done and merged history is never read.
	sqlDeliveryBacklog = `SELECT integration_id, state, COUNT(*), MIN(created_at) FROM deliveries
WHERE tenant_id = ? AND state IN ('pending', 'failed')
GROUP BY integration_id, state`
)

var ticketStatements = []string{sqlTicketPage, sqlTicketPageInState, sqlTicketLinkAlerts, sqlDeliveryBacklog}

// TicketLinkPage lists one page of the tenant's links of an integration,
// newest first, with their alert counts.
func (q *queries) TicketLinkPage(ctx context.Context, f store.TicketLinkFilter) ([]store.TicketLinkCount, error) {
	before := f.BeforeID
	if before <= 0 {
		before = math.MaxInt64
	}
	query, args := sqlTicketPage, []any{f.TenantID, f.IntegrationID, before, f.Limit}
	if f.State != "" {
		query, args = sqlTicketPageInState, []any{f.TenantID, f.IntegrationID, string(f.State), before, f.Limit}
	}
	rows, err := q.readRows(ctx, query, args...)
	out, err := collect(rows, err, func(s scanner) (store.TicketLinkCount, error) {
		var c store.TicketLinkCount
		var ref sql.NullString
		var created, updated int64
		var closed sql.NullInt64
		err := s.Scan(&c.ID, &c.TenantID, &c.IntegrationID, &c.CompanyID, &c.GroupKey, &c.State, &ref,
			&c.PSATicketID, &c.TicketNumber, &c.PSAStatus, &created, &updated, &closed, &c.Alerts)
		c.ExternalRef = ref.String
		c.CreatedAt, c.UpdatedAt, c.ClosedAt = goTime(created), goTime(updated), goTimePtr(closed)
		return c, err
	})
	return out, wrap(err, "list ticket links page")
}

// TicketLinkAlerts lists up to limit alerts of the tenant's link, newest
// first.
func (q *queries) TicketLinkAlerts(ctx context.Context, tenant string, linkID int64, limit int) ([]store.StoredAlert, error) {
	rows, err := q.readRows(ctx, sqlTicketLinkAlerts, tenant, linkID, limit)
	out, err := collect(rows, err, scanAlert)
	return out, wrap(err, "list alerts of ticket link")
}

// DeliveryBacklog counts the tenant's pending and failed deliveries per
// integration.
func (q *queries) DeliveryBacklog(ctx context.Context, tenant string) ([]store.Backlog, error) {
	rows, err := q.readRows(ctx, sqlDeliveryBacklog, tenant)
	if err != nil {
		return nil, wrap(err, "delivery backlog")
	}
	defer rows.Close()
	var out []store.Backlog
	at := map[int64]int{}
	for rows.Next() {
		var id, n, oldest int64
		var state string
		if err := rows.Scan(&id, &state, &n, &oldest); err != nil {
			return nil, wrap(err, "delivery backlog")
		}
		i, ok := at[id]
		if !ok {
			i, at[id] = len(out), len(out)
			out = append(out, store.Backlog{IntegrationID: id})
		}
		if state == string(store.DeliveryPending) {
			out[i].Pending, out[i].OldestPending = n, goTime(oldest)
		} else {
			out[i].Failed = n
		}
	}
	return out, wrap(rows.Err(), "delivery backlog")
}
