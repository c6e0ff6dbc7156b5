package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// The partial unique index ticket_links_one_live_per_group refuses a
	// second creating-or-open link for a group, also when two replicas
	// insert at once: the second waits for the first to commit, then
	// inserts nothing. No row back is ErrConflict, and the transaction goes
	// on (the caller reads the winner's link).
	sqlInsertTicketLink = `INSERT INTO ticket_links (tenant_id, integration_id, company_id, group_key, state,
    external_ref, psa_ticket_id, ticket_number, psa_status, created_at, updated_at, closed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT DO NOTHING
RETURNING id`
	sqlUpdateTicketLink = `UPDATE ticket_links
SET state = $1, external_ref = $2, psa_ticket_id = $3, ticket_number = $4, psa_status = $5,
    updated_at = $6, closed_at = $7
WHERE id = $8`
	sqlLinkColumns = `SELECT id, tenant_id, integration_id, company_id, group_key, state, external_ref,
    psa_ticket_id, ticket_number, psa_status, created_at, updated_at, closed_at
FROM ticket_links`
	sqlOpenTicketLink = sqlLinkColumns + `
WHERE integration_id = $1 AND company_id = $2 AND group_key = $3 AND state IN ('creating', 'open')`
	sqlLastClosedTicketLink = sqlLinkColumns + `
WHERE integration_id = $1 AND company_id = $2 AND group_key = $3 AND state = 'closed' AND closed_at >= $4
ORDER BY closed_at DESC, id DESC LIMIT 1`
	sqlTicketLinkByID           = sqlLinkColumns + ` WHERE id = $1`
	sqlTicketLinksOfIntegration = sqlLinkColumns + ` WHERE integration_id = $1 ORDER BY id`
)

// LastClosedTicketLink returns the group's link closed last, at or after
// since; ErrNotFound when none.
func (q *queries) LastClosedTicketLink(ctx context.Context, integrationID int64, companyID, groupKey string, since time.Time) (store.TicketLink, error) {
	l, err := scanLink(q.db.QueryRow(ctx, sqlLastClosedTicketLink, integrationID, companyID, groupKey, since.UTC()))
	return l, wrap(err, "last closed ticket link")
}

// OpenTicketLink returns the group's creating-or-open link; ErrNotFound when
// the group has none.
func (q *queries) OpenTicketLink(ctx context.Context, integrationID int64, companyID, groupKey string) (store.TicketLink, error) {
	l, err := scanLink(q.db.QueryRow(ctx, sqlOpenTicketLink, integrationID, companyID, groupKey))
	return l, wrap(err, "open ticket link")
}

// CreateTicketLink inserts the link in state creating, whatever l.State
// says, and returns it as stored; ErrConflict when the group already has a
// creating-or-open link or the external reference is taken.
func (q *queries) CreateTicketLink(ctx context.Context, l store.TicketLink) (store.TicketLink, error) {
	l.State = store.LinkCreating
	l.CreatedAt, l.UpdatedAt, l.ClosedAt = q.orNow(l.CreatedAt), q.orNow(l.UpdatedAt), normPtr(l.ClosedAt)
	err := conflictIfNone(q.writeRow(ctx, func(r pgx.Row) error { return r.Scan(&l.ID) }, sqlInsertTicketLink,
		l.TenantID, l.IntegrationID, l.CompanyID, l.GroupKey, string(l.State), nullString(l.ExternalRef),
		l.PSATicketID, l.TicketNumber, l.PSAStatus, l.CreatedAt, l.UpdatedAt, l.ClosedAt))
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
	// Reopening a closed link can break the one-live-link index, hence the
	// savepoint.
	err := affected(q.guardedExec(ctx, sqlUpdateTicketLink, string(l.State), nullString(l.ExternalRef),
		l.PSATicketID, l.TicketNumber, l.PSAStatus, q.orNow(l.UpdatedAt), normPtr(l.ClosedAt), l.ID))
	return wrap(err, "update ticket link")
}

// TicketLink returns the link with the id.
func (q *queries) TicketLink(ctx context.Context, id int64) (store.TicketLink, error) {
	l, err := scanLink(q.db.QueryRow(ctx, sqlTicketLinkByID, id))
	return l, wrap(err, "ticket link by id")
}

// TicketLinks lists the integration's links, oldest first.
func (q *queries) TicketLinks(ctx context.Context, integrationID int64) ([]store.TicketLink, error) {
	rows, err := q.db.Query(ctx, sqlTicketLinksOfIntegration, integrationID)
	out, err := collect(rows, err, scanLink)
	return out, wrap(err, "list ticket links")
}

func scanLink(s pgx.Row) (store.TicketLink, error) {
	var l store.TicketLink
	var ref *string
	var closed *time.Time
	err := s.Scan(&l.ID, &l.TenantID, &l.IntegrationID, &l.CompanyID, &l.GroupKey, &l.State, &ref,
		&l.PSATicketID, &l.TicketNumber, &l.PSAStatus, &l.CreatedAt, &l.UpdatedAt, &closed)
	if err != nil {
		return store.TicketLink{}, err
	}
	l.ExternalRef = deref(ref)
	l.CreatedAt, l.UpdatedAt, l.ClosedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC(), utcPtr(closed)
	return l, nil
}
