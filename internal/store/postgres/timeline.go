package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlAppendTimeline = `INSERT INTO timeline (tenant_id, alert_seq, integration_id, at, event, detail)
VALUES ($1, $2, $3, $4, $5, $6)`
	// Many entries as one array per column; ids follow the arrays' order.
	sqlAppendTimelines = `INSERT INTO timeline (tenant_id, alert_seq, integration_id, at, event, detail)
SELECT t, s, i, a, e, d
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[])
    WITH ORDINALITY AS u (t, s, i, a, e, d, n)
ORDER BY n`
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

// AppendTimelines records several entries in one statement, in order.
func (q *queries) AppendTimelines(ctx context.Context, es []store.TimelineEntry) error {
	if len(es) == 0 {
		return nil
	}
	tenants, seqs, events, details := make([]string, len(es)), make([]int64, len(es)), make([]string, len(es)), make([]string, len(es))
	integrations, ats := make([]*int64, len(es)), make([]time.Time, len(es))
	for i, e := range es {
		tenants[i], seqs[i], integrations[i], ats[i] = e.TenantID, e.AlertSeq, nullID(e.IntegrationID), q.orNow(e.At)
		events[i], details[i] = e.Event, e.Detail
	}
	_, err := q.exec(ctx, sqlAppendTimelines, tenants, seqs, integrations, ats, events, details)
	return wrap(err, "append timeline")
}

// Timeline lists what happened to an alert, in time order.
func (q *queries) Timeline(ctx context.Context, alertSeq int64) ([]store.TimelineEntry, error) {
	rows, err := q.db.Query(ctx, sqlTimelineOfAlert, alertSeq)
	out, err := collect(rows, err, scanTimeline)
	return out, wrap(err, "list timeline")
}

func scanTimeline(s pgx.Row) (store.TimelineEntry, error) {
	var e store.TimelineEntry
	var integration *int64
	err := s.Scan(&e.ID, &e.TenantID, &e.AlertSeq, &integration, &e.At, &e.Event, &e.Detail)
	e.IntegrationID, e.At = deref(integration), e.At.UTC()
	return e, err
}
