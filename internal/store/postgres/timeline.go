package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlAppendTimeline = `INSERT INTO timeline (tenant_id, alert_seq, integration_id, at, event, detail)
VALUES ($1, $2, $3, $4, $5, $6)`
	// id breaks ties between entries written in the same microsecond, in
	// the order they were appended.
	sqlTimelineOfAlert = `SELECT id, tenant_id, alert_seq, integration_id, at, event, detail
FROM timeline WHERE alert_seq = $1 ORDER BY at, id`
)

// AppendTimeline records one thing that happened to an alert.
func (q *queries) AppendTimeline(ctx context.Context, e store.TimelineEntry) error {
	_, err := q.exec(ctx, sqlAppendTimeline, e.TenantID, e.AlertSeq, nullID(e.IntegrationID),
		q.orNow(e.At), e.Event, e.Detail)
	return wrap(err, "append timeline")
}

// Timeline lists what happened to an alert, in time order.
func (q *queries) Timeline(ctx context.Context, alertSeq int64) ([]store.TimelineEntry, error) {
	rows, err := q.db.Query(ctx, sqlTimelineOfAlert, alertSeq)
	out, err := collect(rows, err, func(s pgx.Row) (store.TimelineEntry, error) {
		var e store.TimelineEntry
		var integration *int64
		err := s.Scan(&e.ID, &e.TenantID, &e.AlertSeq, &integration, &e.At, &e.Event, &e.Detail)
		e.IntegrationID, e.At = deref(integration), e.At.UTC()
		return e, err
	})
	return out, wrap(err, "list timeline")
}
