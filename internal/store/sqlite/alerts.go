package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// One statement decides insert or update under the unique key, so it is
	// atomic without a transaction. In the update, alerts.x is the stored
	// row's old value (every SET expression sees the old row, so the order
	// of assignments does not matter): previous_status keeps the status
	// being replaced and revision counts the versions. received_at is never
	// touched; status_origin and status_changed_at move only when a re-send
	// changes the status (?10, the received time, dates a new alert's).
	sqlUpsertAlert = `INSERT INTO alerts (tenant_id, source_id, alert_id, organization_key, type, severity,
    status, previous_status, revision, occurred_at, body, received_at, updated_at,
    status_origin, status_changed_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '', 1, ?8, ?9, ?10, ?11, 'source', ?10)
ON CONFLICT (tenant_id, source_id, alert_id) DO UPDATE SET
    organization_key = excluded.organization_key,
    type = excluded.type,
    severity = excluded.severity,
    previous_status = alerts.status,
    status = excluded.status,
    revision = alerts.revision + 1,
    occurred_at = excluded.occurred_at,
    body = excluded.body,
    updated_at = excluded.updated_at,
    status_origin = CASE WHEN alerts.status = excluded.status THEN alerts.status_origin ELSE 'source' END,
    status_changed_at = CASE WHEN alerts.status = excluded.status
                             THEN alerts.status_changed_at ELSE excluded.updated_at END
RETURNING seq, revision, previous_status`
	sqlAlertColumns = `SELECT a.seq, a.tenant_id, a.source_id, a.body, a.received_at, a.updated_at,
    a.status_origin, a.status_changed_at FROM alerts a`
	sqlAlertBySeq      = sqlAlertColumns + ` WHERE a.seq = ?`
	sqlAlertBySourceID = sqlAlertColumns + ` WHERE a.tenant_id = ? AND a.source_id = ? AND a.alert_id = ?`
	// The ids come as one JSON array, so the statement text is the same
	// for any number of them and is prepared once.
	sqlAlertsOfSourceByIDs = sqlAlertColumns + `
WHERE a.tenant_id = ? AND a.source_id = ? AND a.alert_id IN (SELECT value FROM json_each(?))`
	sqlUnroutedAlerts = sqlAlertColumns + `
WHERE a.tenant_id = ? AND a.seq > ?
  AND NOT EXISTS (SELECT 1 FROM routes r WHERE r.alert_seq = a.seq AND r.integration_id = ?)
ORDER BY a.seq
LIMIT CAST(? AS INTEGER)`
	sqlAlertsByTicketLink = sqlAlertColumns + `
JOIN routes r ON r.alert_seq = a.seq
WHERE r.ticket_link_id = ?
ORDER BY a.seq`
	// The list walks the tenant's alerts newest first by alerts_tenant_seq
	// and checks each filter per row: a page is read in seq order however
	// the filters narrow it.
	sqlListAlerts = sqlAlertColumns + `
WHERE a.tenant_id = ?1 AND a.seq < ?2
  AND (?3 = '' OR a.source_id = ?3)
  AND (?4 = '' OR a.organization_key = ?4)
  AND (?5 = '' OR a.status = ?5)
  AND (?6 = '' OR a.type = ?6)
  AND (?7 = 0 OR a.occurred_at >= ?7)
  AND (?8 = 0 OR a.occurred_at < ?8)
ORDER BY a.seq DESC
LIMIT CAST(?9 AS INTEGER)`
	// A plan-time count over the tenant's alerts: apply runs it once.
	sqlCountAlertsSince = `SELECT COUNT(*) FROM alerts WHERE tenant_id = ? AND occurred_at >= ?`
	sqlRecentAlertTypes = `SELECT DISTINCT type FROM (
    SELECT type FROM alerts WHERE tenant_id = ? ORDER BY seq DESC LIMIT CAST(? AS INTEGER)
) ORDER BY type`
)

var alertStatements = []string{
	sqlListAlerts, sqlCountAlertsSince, sqlRecentAlertTypes, sqlUpsertAlert, sqlAlertBySeq, sqlAlertBySourceID, sqlAlertsOfSourceByIDs, sqlUnroutedAlerts, sqlAlertsByTicketLink,
}

// UpsertAlert stores a new alert or updates the one with the same (tenant,
// source, id) in one statement, so Created and PreviousStatus are exact
// under concurrency. ReceivedAt is kept from the first insert; UpdatedAt
// moves. ErrNotFound when the source does not exist.
func (q *queries) UpsertAlert(ctx context.Context, a store.StoredAlert) (store.UpsertResult, error) {
	al := a.Alert
	al.OccurredAt = norm(al.OccurredAt)
	body, err := json.Marshal(al)
	if err != nil {
		return store.UpsertResult{}, fmt.Errorf("upsert alert: encode: %w", err)
	}
	var res store.UpsertResult
	var revision int64
	err = q.writeRow(ctx, sqlUpsertAlert,
		a.TenantID, a.SourceID, al.ID, al.Organization.Key(), al.Type, string(al.Severity),
		string(al.Status), dbTime(al.OccurredAt), string(body),
		dbTime(q.orNow(a.ReceivedAt)), dbTime(q.orNow(a.UpdatedAt)),
	).Scan(&res.Seq, &revision, &res.PreviousStatus)
	if err != nil {
		return store.UpsertResult{}, wrap(err, "upsert alert")
	}
	res.Created = revision == 1
	if res.Created {
		res.PreviousStatus = ""
	}
	return res, nil
}

// UpsertAlerts upserts each alert in order. One statement each costs no
// round trip on an embedded database, and a prepared single-row statement
// is as cheap per row as anything multi-row measured here
// (BenchmarkUpsertAlerts100, 100 alerts a transaction, synchronous=NORMAL,
// alternating runs): rows as one JSON array ran 25% slower (encoding the
// bodies into it and out again), an unprepared multi-row VALUES 45%
// slower (parsing), a prepared 25-row VALUES 4% faster, within noise, for
// a statement of 275 variables and a remainder path.
func (q *queries) UpsertAlerts(ctx context.Context, as []store.StoredAlert) ([]store.UpsertResult, error) {
	out := make([]store.UpsertResult, len(as))
	for i, a := range as {
		res, err := q.UpsertAlert(ctx, a)
		if err != nil {
			return nil, err
		}
		out[i] = res
	}
	return out, nil
}

// AlertBySeq returns the alert with our sequence number seq.
func (q *queries) AlertBySeq(ctx context.Context, seq int64) (store.StoredAlert, error) {
	a, err := scanAlert(q.readRow(ctx, sqlAlertBySeq, seq))
	return a, wrap(err, "alert by seq")
}

// AlertBySourceID returns the alert a source sent with the id.
func (q *queries) AlertBySourceID(ctx context.Context, tenant, sourceID, alertID string) (store.StoredAlert, error) {
	a, err := scanAlert(q.readRow(ctx, sqlAlertBySourceID, tenant, sourceID, alertID))
	return a, wrap(err, "alert by source id")
}

// AlertsByKeys returns the stored alerts among keys, each once: one
// statement per source, which costs no round trip on an embedded
// database. (One statement for all, keys as [tenant, source, id] rows
// against a row-value IN, made a batched ingest ~5% slower.)
func (q *queries) AlertsByKeys(ctx context.Context, keys []store.AlertKey) ([]store.StoredAlert, error) {
	type source struct{ tenant, id string }
	var sources []source
	ids := map[source][]string{}
	for _, k := range keys {
		s := source{k.TenantID, k.SourceID}
		if _, ok := ids[s]; !ok {
			sources = append(sources, s)
		}
		ids[s] = append(ids[s], k.AlertID)
	}
	var out []store.StoredAlert
	for _, s := range sources {
		b, err := json.Marshal(ids[s])
		if err != nil {
			return nil, fmt.Errorf("alerts by keys: encode: %w", err)
		}
		rows, err := q.readRows(ctx, sqlAlertsOfSourceByIDs, s.tenant, s.id, string(b))
		stored, err := collect(rows, err, scanAlert)
		if err != nil {
			return nil, wrap(err, "alerts by keys")
		}
		out = append(out, stored...)
	}
	return out, nil
}

// UnroutedAlerts lists the tenant's alerts after afterSeq that have no
// route for the integration, oldest first; limit <= 0 means all.
func (q *queries) UnroutedAlerts(ctx context.Context, tenant string, integrationID, afterSeq int64, n int) ([]store.StoredAlert, error) {
	rows, err := q.readRows(ctx, sqlUnroutedAlerts, tenant, afterSeq, integrationID, limit(n))
	out, err := collect(rows, err, scanAlert)
	return out, wrap(err, "list unrouted alerts")
}

// AlertsByTicketLink lists the alerts routed to a ticket link, oldest first.
func (q *queries) AlertsByTicketLink(ctx context.Context, linkID int64) ([]store.StoredAlert, error) {
	rows, err := q.readRows(ctx, sqlAlertsByTicketLink, linkID)
	out, err := collect(rows, err, scanAlert)
	return out, wrap(err, "list alerts of ticket link")
}

func scanAlert(r scanner) (store.StoredAlert, error) {
	var a store.StoredAlert
	var body []byte
	var received, updated, statusChanged int64
	if err := r.Scan(&a.Seq, &a.TenantID, &a.SourceID, &body, &received, &updated, &a.StatusOrigin, &statusChanged); err != nil {
		return store.StoredAlert{}, err
	}
	if err := json.Unmarshal(body, &a.Alert); err != nil {
		return store.StoredAlert{}, fmt.Errorf("decode alert %d: %w", a.Seq, err)
	}
	a.Alert.OccurredAt = a.Alert.OccurredAt.UTC()
	a.ReceivedAt, a.UpdatedAt, a.StatusChangedAt = goTime(received), goTime(updated), goTime(statusChanged)
	return a, nil
}

// RecentAlertTypes lists the distinct types of the tenant's latest limit
// alerts, in name order.
func (q *queries) RecentAlertTypes(ctx context.Context, tenant string, limit int) ([]string, error) {
	rows, err := q.readRows(ctx, sqlRecentAlertTypes, tenant, limit)
	out, err := collect(rows, err, func(s scanner) (string, error) {
		var t string
		return t, s.Scan(&t)
	})
	return out, wrap(err, "recent alert types")
}

// CountAlertsSince counts the tenant's alerts that occurred at or after
// since.
func (q *queries) CountAlertsSince(ctx context.Context, tenant string, since time.Time) (int64, error) {
	var n int64
	err := q.readRow(ctx, sqlCountAlertsSince, tenant, dbTime(since)).Scan(&n)
	return n, wrap(err, "count alerts")
}

// ListAlerts lists the tenant's alerts matching f, newest first.
func (q *queries) ListAlerts(ctx context.Context, f store.AlertFilter) ([]store.StoredAlert, error) {
	before := f.BeforeSeq
	if before <= 0 {
		before = math.MaxInt64
	}
	var from, to int64
	if !f.OccurredFrom.IsZero() {
		from = dbTime(f.OccurredFrom)
	}
	if !f.OccurredTo.IsZero() {
		to = dbTime(f.OccurredTo)
	}
	rows, err := q.readRows(ctx, sqlListAlerts, f.TenantID, before, f.SourceID, f.Organization, f.Status, f.Type, from, to, limit(f.Limit))
	out, err := collect(rows, err, scanAlert)
	return out, wrap(err, "list alerts")
}
