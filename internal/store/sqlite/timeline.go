package sqlite

import (
	"context"
	"database/sql"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlAppendTimeline = `INSERT INTO timeline (tenant_id, alert_seq, integration_id, at, event, detail)
VALUES (?, ?, ?, ?, ?, ?)`
	// Many entries as one JSON array of rows, so the statement is prepared
	// once whatever their number; ids follow the array's order.
	sqlAppendTimelines = `INSERT INTO timeline (tenant_id, alert_seq, integration_id, at, event, detail)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5
FROM json_each(?) ORDER BY key`
	// id breaks ties between entries written in the same microsecond, in
	// the order they were appended.
	sqlTimelineOfAlert = `SELECT id, tenant_id, alert_seq, integration_id, at, event, detail
FROM timeline WHERE alert_seq = ? ORDER BY at, id`
)

var timelineStatements = []string{sqlAppendTimeline, sqlAppendTimelines, sqlTimelineOfAlert}

// AppendTimeline records one thing that happened to an alert.
func (q *queries) AppendTimeline(ctx context.Context, e store.TimelineEntry) error {
	_, err := q.exec(ctx, sqlAppendTimeline, e.TenantID, e.AlertSeq, nullID(e.IntegrationID),
		dbTime(q.orNow(e.At)), e.Event, e.Detail)
	return wrap(err, "append timeline")
}

// AppendTimelines records several entries in one statement, in order.
func (q *queries) AppendTimelines(ctx context.Context, es []store.TimelineEntry) error {
	if len(es) == 0 {
		return nil
	}
	rows := make([][6]any, len(es))
	for i, e := range es {
		rows[i] = [6]any{e.TenantID, e.AlertSeq, jsonID(e.IntegrationID), dbTime(q.orNow(e.At)), e.Event, e.Detail}
	}
	return wrap(q.execJSON(ctx, sqlAppendTimelines, rows), "append timeline")
}

// Timeline lists what happened to an alert, in time order.
func (q *queries) Timeline(ctx context.Context, alertSeq int64) ([]store.TimelineEntry, error) {
	rows, err := q.readRows(ctx, sqlTimelineOfAlert, alertSeq)
	out, err := collect(rows, err, scanTimeline)
	return out, wrap(err, "list timeline")
}

func scanTimeline(s scanner) (store.TimelineEntry, error) {
	var e store.TimelineEntry
	var integration sql.NullInt64
	var at int64
	err := s.Scan(&e.ID, &e.TenantID, &e.AlertSeq, &integration, &at, &e.Event, &e.Detail)
	e.IntegrationID, e.At = integration.Int64, goTime(at)
	return e, err
}
