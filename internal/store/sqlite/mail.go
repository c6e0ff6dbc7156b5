package sqlite

import (
	"context"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlInsertUnmatchedMail = `INSERT INTO unmatched_mail (tenant_id, source_id, received_at, sender, subject, message_id, reason, raw)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id`
	sqlUnmatchedMails = `SELECT id, tenant_id, source_id, received_at, sender, subject, message_id, reason, raw
FROM unmatched_mail WHERE tenant_id = ? ORDER BY id DESC LIMIT ?`
)

var mailStatements = []string{sqlInsertUnmatchedMail, sqlUnmatchedMails}

// AddUnmatchedMail keeps a message that became no alert; ErrNotFound when
// its source does not exist.
func (q *queries) AddUnmatchedMail(ctx context.Context, m store.UnmatchedMail) (store.UnmatchedMail, error) {
	m.ReceivedAt = q.orNow(m.ReceivedAt).UTC()
	if m.Raw == nil {
		m.Raw = []byte{}
	}
	err := q.writeRow(ctx, sqlInsertUnmatchedMail, m.TenantID, m.SourceID, dbTime(m.ReceivedAt), m.Sender,
		m.Subject, m.MessageID, m.Reason, m.Raw).Scan(&m.ID)
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
