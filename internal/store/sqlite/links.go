package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// The partial unique index ticket_links_one_live_per_group turns a
	// second creating-or-open link for a group into a constraint error.
	sqlInsertTicketLink = `INSERT INTO ticket_links (tenant_id, integration_id, company_id, group_key, state,
    external_ref, psa_ticket_id, ticket_number, psa_status, created_at, updated_at, closed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id`
	sqlUpdateTicketLink = `UPDATE ticket_links
SET state = ?, external_ref = ?, psa_ticket_id = ?, ticket_number = ?, psa_status = ?,
    updated_at = ?, closed_at = ?
WHERE id = ?`
	sqlLinkColumns = `SELECT id, tenant_id, integration_id, company_id, group_key, state, external_ref,
    psa_ticket_id, ticket_number, psa_status, created_at, updated_at, closed_at
FROM ticket_links`
	sqlOpenTicketLink = sqlLinkColumns + `
WHERE integration_id = ? AND company_id = ? AND group_key = ? AND state IN ('creating', 'open')`
	sqlLastClosedTicketLink = sqlLinkColumns + `
WHERE integration_id = ? AND company_id = ? AND group_key = ? AND state = 'closed' AND closed_at >= ?
ORDER BY closed_at DESC, id DESC LIMIT 1`
	sqlTicketLinkByID           = sqlLinkColumns + ` WHERE id = ?`
	sqlTicketLinksOfIntegration = sqlLinkColumns + ` WHERE integration_id = ? ORDER BY id`
)

var linkStatements = []string{
	sqlInsertTicketLink, sqlUpdateTicketLink, sqlOpenTicketLink, sqlTicketLinkByID, sqlTicketLinksOfIntegration,
	sqlLastClosedTicketLink,
}

// LastClosedTicketLink returns the group's link closed last, at or after
// since; ErrNotFound when none.
func (q *queries) LastClosedTicketLink(ctx context.Context, integrationID int64, companyID, groupKey string, since time.Time) (store.TicketLink, error) {
	l, err := scanLink(q.readRow(ctx, sqlLastClosedTicketLink, integrationID, companyID, groupKey, dbTime(since)))
	return l, wrap(err, "last closed ticket link")
}

// OpenTicketLink returns the group's creating-or-open link; ErrNotFound when
// the group has none.
func (q *queries) OpenTicketLink(ctx context.Context, integrationID int64, companyID, groupKey string) (store.TicketLink, error) {
	l, err := scanLink(q.readRow(ctx, sqlOpenTicketLink, integrationID, companyID, groupKey))
	return l, wrap(err, "open ticket link")
}

// CreateTicketLink inserts the link in state creating, whatever l.State
// says, and returns it as stored; ErrConflict when the group already has a
// creating-or-open link or the external reference is taken.
func (q *queries) CreateTicketLink(ctx context.Context, l store.TicketLink) (store.TicketLink, error) {
	l.State = store.LinkCreating
	l.CreatedAt, l.UpdatedAt, l.ClosedAt = q.orNow(l.CreatedAt), q.orNow(l.UpdatedAt), normPtr(l.ClosedAt)
	err := q.writeRow(ctx, sqlInsertTicketLink, l.TenantID, l.IntegrationID, l.CompanyID, l.GroupKey,
		string(l.State), nullString(l.ExternalRef), l.PSATicketID, l.TicketNumber, l.PSAStatus,
		dbTime(l.CreatedAt), dbTime(l.UpdatedAt), dbTimePtr(l.ClosedAt),
	).Scan(&l.ID)
	if err != nil {
		return store.TicketLink{}, wrap(err, "create ticket link")
	}
	return l, nil
}

// UpdateTicketLink writes the link's state, external reference, PSA
// fields and times; its tenant, integration, company, group key and
// creation time never change. ErrConflict when reopening it would make a
// second live link for its group; ErrNotFound when it does not exist.
func (q *queries) UpdateTicketLink(ctx context.Context, l store.TicketLink) error {
	err := affected(q.exec(ctx, sqlUpdateTicketLink, string(l.State), nullString(l.ExternalRef),
		l.PSATicketID, l.TicketNumber, l.PSAStatus, dbTime(q.orNow(l.UpdatedAt)), dbTimePtr(normPtr(l.ClosedAt)), l.ID))
	return wrap(err, "update ticket link")
}

// TicketLink returns the link with the id.
func (q *queries) TicketLink(ctx context.Context, id int64) (store.TicketLink, error) {
	l, err := scanLink(q.readRow(ctx, sqlTicketLinkByID, id))
	return l, wrap(err, "ticket link by id")
}

// TicketLinks lists the integration's links, oldest first.
func (q *queries) TicketLinks(ctx context.Context, integrationID int64) ([]store.TicketLink, error) {
	rows, err := q.readRows(ctx, sqlTicketLinksOfIntegration, integrationID)
	out, err := collect(rows, err, scanLink)
	return out, wrap(err, "list ticket links")
}

func scanLink(s scanner) (store.TicketLink, error) {
	var l store.TicketLink
	var ref sql.NullString
	var created, updated int64
	var closed sql.NullInt64
	err := s.Scan(&l.ID, &l.TenantID, &l.IntegrationID, &l.CompanyID, &l.GroupKey, &l.State, &ref,
		&l.PSATicketID, &l.TicketNumber, &l.PSAStatus, &created, &updated, &closed)
	if err != nil {
		return store.TicketLink{}, err
	}
	l.ExternalRef = ref.String
	l.CreatedAt, l.UpdatedAt, l.ClosedAt = goTime(created), goTime(updated), goTimePtr(closed)
	return l, nil
}
