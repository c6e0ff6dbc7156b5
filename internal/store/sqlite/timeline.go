package sqlite

import (
	"context"
	"database/sql"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlAppendTimeline = `INSERT INTO timeline (tenant_id, alert_seq, integration_id, at, event, detail)
VALUES (?, ?, ?, ?, ?, ?)`
	// id breaks ties between entries written in the same microsecond, in
	// the order they were appended.
	sqlTimelineOfAlert = `SELECT id, tenant_id, alert_seq, integration_id, at, event, detail
FROM timeline WHERE alert_seq = ? ORDER BY at, id`
)

var timelineStatements = []string{sqlAppendTimeline, sqlTimelineOfAlert}

// AppendTimeline records one thing that happened to an alert.
func (q *queries) AppendTimeline(ctx context.Context, e store.TimelineEntry) error {
	_, err := q.exec(ctx, sqlAppendTimeline, e.TenantID, e.AlertSeq, nullID(e.IntegrationID),
		dbTime(q.orNow(e.At)), e.Event, e.Detail)
	return wrap(err, "append timeline")
}

// Timeline lists what happened to an alert, in time order.
func (q *queries) Timeline(ctx context.Context, alertSeq int64) ([]store.TimelineEntry, error) {
	rows, err := q.readRows(ctx, sqlTimelineOfAlert, alertSeq)
	out, err := collect(rows, err, func(s scanner) (store.TimelineEntry, error) {
		var e store.TimelineEntry
		var integration sql.NullInt64
		var at int64
		err := s.Scan(&e.ID, &e.TenantID, &e.AlertSeq, &integration, &at, &e.Event, &e.Detail)
		e.IntegrationID, e.At = integration.Int64, goTime(at)
		return e, err
	})
	return out, wrap(err, "list timeline")
}
