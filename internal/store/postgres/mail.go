package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// An unknown source inserts nothing (ErrNotFound) rather than failing
	// the foreign key and aborting the caller's transaction.
	sqlInsertUnmatchedMail = `INSERT INTO unmatched_mail (tenant_id, source_id, received_at, sender, subject, message_id, reason, raw)
SELECT $1::text, $2::text, $3::timestamptz, $4::text, $5::text, $6::text, $7::text, $8::bytea
WHERE EXISTS (SELECT 1 FROM sources s WHERE s.tenant_id = $1 AND s.id = $2)
ON CONFLICT (tenant_id, source_id, message_id) WHERE message_id <> '' DO NOTHING
RETURNING id`
	// sqlUnmatchedMailByMessage finds the copy kept before of a mail
	// read again.
	sqlUnmatchedMailByMessage = `SELECT id FROM unmatched_mail WHERE tenant_id = $1 AND source_id = $2 AND message_id = $3 AND message_id <> ''`
	sqlUnmatchedMails         = `SELECT id, tenant_id, source_id, received_at, sender, subject, message_id, reason, raw
FROM unmatched_mail WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2`
)

// AddUnmatchedMail keeps a message that became no alert, once per source
// and Message-ID (a mail read again gets the id of the copy kept before);
// ErrNotFound when its source does not exist.
func (q *queries) AddUnmatchedMail(ctx context.Context, m store.UnmatchedMail) (store.UnmatchedMail, error) {
	m.ReceivedAt = q.orNow(m.ReceivedAt).UTC()
	if m.Raw == nil {
		m.Raw = []byte{}
	}
	err := q.writeRow(ctx, func(r pgx.Row) error { return r.Scan(&m.ID) }, sqlInsertUnmatchedMail,
		m.TenantID, m.SourceID, m.ReceivedAt, m.Sender, m.Subject, m.MessageID, m.Reason, m.Raw)
	if errors.Is(err, pgx.ErrNoRows) {
		err = q.writeRow(ctx, func(r pgx.Row) error { return r.Scan(&m.ID) }, sqlUnmatchedMailByMessage, m.TenantID, m.SourceID, m.MessageID)
	}
	if err != nil {
		return store.UnmatchedMail{}, wrap(err, "add unmatched mail")
	}
	return m, nil
}

// UnmatchedMails lists the tenant's unmatched mail, newest first.
func (q *queries) UnmatchedMails(ctx context.Context, tenant string, n int) ([]store.UnmatchedMail, error) {
	rows, err := q.db.Query(ctx, sqlUnmatchedMails, tenant, limit(n))
	out, err := collect(rows, err, func(r pgx.Row) (store.UnmatchedMail, error) {
		var m store.UnmatchedMail
		err := r.Scan(&m.ID, &m.TenantID, &m.SourceID, &m.ReceivedAt, &m.Sender, &m.Subject, &m.MessageID, &m.Reason, &m.Raw)
		m.ReceivedAt = m.ReceivedAt.UTC()
		return m, err
	})
	return out, wrap(err, "list unmatched mail")
}

const (
	sqlInsertRawBody = `INSERT INTO raw_bodies (tenant_id, source_id, received_at, kind, body) VALUES ($1, $2, $3, $4, $5)`
	sqlRawBodies     = `SELECT id, tenant_id, source_id, received_at, kind, body FROM raw_bodies
WHERE tenant_id = $1 AND source_id = $2 AND id > $3 ORDER BY id LIMIT $4`
)

// AddRawBodies stores the bodies in order. The source exists: its alerts
// are written in the same transaction.
func (q *queries) AddRawBodies(ctx context.Context, bs []store.RawBody) error {
	for _, b := range bs {
		body := b.Body
		if body == nil {
			body = []byte{}
		}
		if _, err := q.exec(ctx, sqlInsertRawBody, b.TenantID, b.SourceID, q.orNow(b.ReceivedAt), b.Kind, body); err != nil {
			return wrap(err, "add raw body")
		}
	}
	return nil
}

// RawBodies lists a source's bodies after afterID, oldest first.
func (q *queries) RawBodies(ctx context.Context, tenant, sourceID string, afterID int64, n int) ([]store.RawBody, error) {
	rows, err := q.db.Query(ctx, sqlRawBodies, tenant, sourceID, afterID, limit(n))
	out, err := collect(rows, err, func(r pgx.Row) (store.RawBody, error) {
		var b store.RawBody
		err := r.Scan(&b.ID, &b.TenantID, &b.SourceID, &b.ReceivedAt, &b.Kind, &b.Body)
		b.ReceivedAt = b.ReceivedAt.UTC()
		return b, err
	})
	return out, wrap(err, "list raw bodies")
}

const sqlPruneRawBodies = `DELETE FROM raw_bodies WHERE id IN (
    SELECT id FROM raw_bodies WHERE tenant_id = $1 AND received_at < $2 ORDER BY id LIMIT $3)`

// PruneRawBodies deletes up to limit of the tenant's raw bodies received
// before cutoff: retention's age applies to what the alerts came from as
// to the alerts.
func (s *Store) PruneRawBodies(ctx context.Context, tenant string, cutoff time.Time, limit int) (int, error) {
	n, err := s.queries.exec(ctx, sqlPruneRawBodies, tenant, cutoff, limit)
	return int(n), wrap(err, "prune raw bodies")
}
