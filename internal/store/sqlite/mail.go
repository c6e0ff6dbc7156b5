package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlInsertUnmatchedMail = `INSERT INTO unmatched_mail (tenant_id, source_id, received_at, sender, subject, message_id, reason, raw)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (tenant_id, source_id, message_id) WHERE message_id <> '' DO NOTHING
RETURNING id`
	// sqlUnmatchedMailByMessage finds the copy kept before of a mail
	// read again.
	sqlUnmatchedMailByMessage = `SELECT id FROM unmatched_mail WHERE tenant_id = ? AND source_id = ? AND message_id = ? AND message_id <> ''`
	sqlUnmatchedMails         = `SELECT id, tenant_id, source_id, received_at, sender, subject, message_id, reason, raw
FROM unmatched_mail WHERE tenant_id = ? ORDER BY id DESC LIMIT CAST(? AS INTEGER)`
)

var mailStatements = []string{sqlInsertUnmatchedMail, sqlUnmatchedMails, sqlUnmatchedMailByMessage}

// AddUnmatchedMail keeps a message that became no alert, once per source
// and Message-ID (a mail read again gets the id of the copy kept before);
// ErrNotFound when its source does not exist.
func (q *queries) AddUnmatchedMail(ctx context.Context, m store.UnmatchedMail) (store.UnmatchedMail, error) {
	m.ReceivedAt = q.orNow(m.ReceivedAt).UTC()
	if m.Raw == nil {
		m.Raw = []byte{}
	}
	err := q.writeRow(ctx, sqlInsertUnmatchedMail, m.TenantID, m.SourceID, dbTime(m.ReceivedAt), m.Sender,
		m.Subject, m.MessageID, m.Reason, m.Raw).Scan(&m.ID)
	if errors.Is(err, sql.ErrNoRows) {
		err = q.writeRow(ctx, sqlUnmatchedMailByMessage, m.TenantID, m.SourceID, m.MessageID).Scan(&m.ID)
	}
	if err != nil {
		return store.UnmatchedMail{}, wrap(err, "add unmatched mail")
	}
	return m, nil
}

// UnmatchedMails lists the tenant's unmatched mail, newest first.
func (q *queries) UnmatchedMails(ctx context.Context, tenant string, n int) ([]store.UnmatchedMail, error) {
	rows, err := q.readRows(ctx, sqlUnmatchedMails, tenant, limit(n))
	out, err := collect(rows, err, func(r scanner) (store.UnmatchedMail, error) {
		var m store.UnmatchedMail
		var at int64
		err := r.Scan(&m.ID, &m.TenantID, &m.SourceID, &at, &m.Sender, &m.Subject, &m.MessageID, &m.Reason, &m.Raw)
		m.ReceivedAt = goTime(at)
		return m, err
	})
	return out, wrap(err, "list unmatched mail")
}

const (
	sqlInsertRawBody = `INSERT INTO raw_bodies (tenant_id, source_id, received_at, kind, body) VALUES (?, ?, ?, ?, ?)`
	sqlRawBodies     = `SELECT id, tenant_id, source_id, received_at, kind, body FROM raw_bodies
WHERE tenant_id = ? AND source_id = ? AND id > ? ORDER BY id LIMIT CAST(? AS INTEGER)`
)

var rawBodyStatements = []string{sqlInsertRawBody, sqlRawBodies, sqlPruneRawBodies}

// AddRawBodies stores the bodies in order.
func (q *queries) AddRawBodies(ctx context.Context, bs []store.RawBody) error {
	for _, b := range bs {
		body := b.Body
		if body == nil {
			body = []byte{}
		}
		if _, err := q.exec(ctx, sqlInsertRawBody, b.TenantID, b.SourceID, dbTime(q.orNow(b.ReceivedAt)), b.Kind, body); err != nil {
			return wrap(err, "add raw body")
		}
	}
	return nil
}

// RawBodies lists a source's bodies after afterID, oldest first.
func (q *queries) RawBodies(ctx context.Context, tenant, sourceID string, afterID int64, n int) ([]store.RawBody, error) {
	rows, err := q.readRows(ctx, sqlRawBodies, tenant, sourceID, afterID, limit(n))
	out, err := collect(rows, err, func(r scanner) (store.RawBody, error) {
		var b store.RawBody
		var at int64
		err := r.Scan(&b.ID, &b.TenantID, &b.SourceID, &at, &b.Kind, &b.Body)
		b.ReceivedAt = goTime(at)
		return b, err
	})
	return out, wrap(err, "list raw bodies")
}

const sqlPruneRawBodies = `DELETE FROM raw_bodies WHERE id IN (
    SELECT id FROM raw_bodies WHERE tenant_id = ? AND received_at < ? ORDER BY id LIMIT CAST(? AS INTEGER))`

// PruneRawBodies deletes up to limit of the tenant's raw bodies received
// before cutoff: retention's age applies to what the alerts came from as
// to the alerts.
func (s *Store) PruneRawBodies(ctx context.Context, tenant string, cutoff time.Time, limit int) (int, error) {
	var n int64
	err := s.InTx(ctx, func(q store.Queries) error {
		res, err := q.(*queries).exec(ctx, sqlPruneRawBodies, tenant, dbTime(cutoff), limit)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), wrap(err, "prune raw bodies")
}
