package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// One statement decides insert or update under the unique key, so it is
	// atomic without a transaction, also between replicas. In the update,
	// a.x is the stored row's old value (every SET expression sees the old
	// row): previous_status keeps the status being replaced and revision
	// counts the versions. received_at is never touched. An unknown source
	// inserts nothing (ErrNotFound) rather than failing the foreign key,
	// which would abort an ingest transaction; the key stays as a backstop.
	// status_origin and status_changed_at move only when a re-send changes
	// the status ($10, the received time, dates a new alert's).
	sqlUpsertAlert = `INSERT INTO alerts AS a (tenant_id, source_id, alert_id, organization_key, type, severity,
    status, previous_status, revision, occurred_at, body, received_at, updated_at,
    status_origin, status_changed_at)
SELECT $1, $2, $3, $4, $5, $6, $7, '', 1, $8::timestamptz, $9, $10::timestamptz, $11::timestamptz,
    'source', $10::timestamptz
WHERE EXISTS (SELECT 1 FROM sources s WHERE s.tenant_id = $1 AND s.id = $2)
ON CONFLICT (tenant_id, source_id, alert_id) DO UPDATE SET
    organization_key = excluded.organization_key,
    type = excluded.type,
    severity = excluded.severity,
    previous_status = a.status,
    status = excluded.status,
    revision = a.revision + 1,
    occurred_at = excluded.occurred_at,
    body = excluded.body,
    updated_at = excluded.updated_at,
    status_origin = CASE WHEN a.status = excluded.status THEN a.status_origin ELSE 'source' END,
    status_changed_at = CASE WHEN a.status = excluded.status THEN a.status_changed_at ELSE excluded.updated_at END
RETURNING seq, revision, previous_status`
	sqlAlertColumns = `SELECT a.seq, a.tenant_id, a.source_id, a.body, a.received_at, a.updated_at,
    a.status_origin, a.status_changed_at FROM alerts a`
	sqlAlertBySeq      = sqlAlertColumns + ` WHERE a.seq = $1`
	sqlAlertBySourceID = sqlAlertColumns + ` WHERE a.tenant_id = $1 AND a.source_id = $2 AND a.alert_id = $3`
	// One probe of the unique index per key: LIMIT 1 keeps the subquery
	// from being flattened into a join, which could be planned as a scan.
	// AlertsByKeys runs it without a cached plan: planned while the table
	// is empty or tiny (a new schema's first requests), it picks the
	// (tenant_id, seq) index and filters the rest, as good as any plan at
	// that size, and a cached generic plan would keep that as the table
	// grows, until autovacuum's first ANALYZE: a scan of the tenant's
	// alerts for every key. Planned with the table as it is, the unique
	// index wins from a few hundred rows on.
	sqlAlertsByKeys = `SELECT a.* FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::text[])) AS k (t, s, id)
CROSS JOIN LATERAL (` + sqlAlertColumns + `
    WHERE a.tenant_id = k.t AND a.source_id = k.s AND a.alert_id = k.id LIMIT 1) a`
	sqlUnroutedAlerts = sqlAlertColumns + `
WHERE a.tenant_id = $1 AND a.seq > $2
  AND NOT EXISTS (SELECT 1 FROM routes r WHERE r.alert_seq = a.seq AND r.integration_id = $3)
ORDER BY a.seq
LIMIT $4`
	sqlAlertsByTicketLink = sqlAlertColumns + `
JOIN routes r ON r.alert_seq = a.seq
WHERE r.ticket_link_id = $1
ORDER BY a.seq`
)

// UpsertAlert stores a new alert or updates the one with the same (tenant,
// source, id) in one statement, so Created and PreviousStatus are exact
// under concurrency. ReceivedAt is kept from the first insert; UpdatedAt
// moves. ErrNotFound when the source does not exist.
func (q *queries) UpsertAlert(ctx context.Context, a store.StoredAlert) (store.UpsertResult, error) {
	args, err := q.upsertArgs(a)
	if err != nil {
		return store.UpsertResult{}, err
	}
	return scanUpsert(q.db.QueryRow(ctx, sqlUpsertAlert, args...))
}

// UpsertAlerts sends the upserts in one pipelined batch: one round trip
// for a whole group commit instead of one per alert.
func (q *queries) UpsertAlerts(ctx context.Context, as []store.StoredAlert) ([]store.UpsertResult, error) {
	b := &pgx.Batch{}
	for _, a := range as {
		args, err := q.upsertArgs(a)
		if err != nil {
			return nil, err
		}
		b.Queue(sqlUpsertAlert, args...)
	}
	br := q.db.SendBatch(ctx, b)
	out := make([]store.UpsertResult, len(as))
	for i := range as {
		res, err := scanUpsert(br.QueryRow())
		if err != nil {
			_ = br.Close()
			return nil, err
		}
		out[i] = res
	}
	return out, wrap(br.Close(), "upsert alerts")
}

func (q *queries) upsertArgs(a store.StoredAlert) ([]any, error) {
	al := a.Alert
	al.OccurredAt = norm(al.OccurredAt)
	body, err := json.Marshal(al)
	if err != nil {
		return nil, fmt.Errorf("upsert alert: encode: %w", err)
	}
	return []any{a.TenantID, a.SourceID, al.ID, al.Organization.Key(), al.Type, string(al.Severity),
		string(al.Status), al.OccurredAt, string(body), q.orNow(a.ReceivedAt), q.orNow(a.UpdatedAt)}, nil
}

func scanUpsert(r pgx.Row) (store.UpsertResult, error) {
	var res store.UpsertResult
	var revision int64
	if err := r.Scan(&res.Seq, &revision, &res.PreviousStatus); err != nil {
		return store.UpsertResult{}, wrap(err, "upsert alert")
	}
	res.Created = revision == 1
	if res.Created {
		res.PreviousStatus = ""
	}
	return res, nil
}

// AlertBySeq returns the alert with our sequence number seq.
func (q *queries) AlertBySeq(ctx context.Context, seq int64) (store.StoredAlert, error) {
	a, err := scanAlert(q.db.QueryRow(ctx, sqlAlertBySeq, seq))
	return a, wrap(err, "alert by seq")
}

// AlertBySourceID returns the alert a source sent with the id.
func (q *queries) AlertBySourceID(ctx context.Context, tenant, sourceID, alertID string) (store.StoredAlert, error) {
	a, err := scanAlert(q.db.QueryRow(ctx, sqlAlertBySourceID, tenant, sourceID, alertID))
	return a, wrap(err, "alert by source id")
}

// AlertsByKeys returns the stored alerts among keys, each once.
func (q *queries) AlertsByKeys(ctx context.Context, keys []store.AlertKey) ([]store.StoredAlert, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	tenants, sources, ids := make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		tenants[i], sources[i], ids[i] = k.TenantID, k.SourceID, k.AlertID
	}
	rows, err := q.db.Query(ctx, sqlAlertsByKeys, pgx.QueryExecModeCacheDescribe, tenants, sources, ids)
	out, err := collect(rows, err, scanAlert)
	return out, wrap(err, "alerts by keys")
}

// UnroutedAlerts lists the tenant's alerts after afterSeq that have no
// route for the integration, oldest first; limit <= 0 means all.
func (q *queries) UnroutedAlerts(ctx context.Context, tenant string, integrationID, afterSeq int64, n int) ([]store.StoredAlert, error) {
	rows, err := q.db.Query(ctx, sqlUnroutedAlerts, tenant, afterSeq, integrationID, limit(n))
	out, err := collect(rows, err, scanAlert)
	return out, wrap(err, "list unrouted alerts")
}

// AlertsByTicketLink lists the alerts routed to a ticket link, oldest first.
func (q *queries) AlertsByTicketLink(ctx context.Context, linkID int64) ([]store.StoredAlert, error) {
	rows, err := q.db.Query(ctx, sqlAlertsByTicketLink, linkID)
	out, err := collect(rows, err, scanAlert)
	return out, wrap(err, "list alerts of ticket link")
}

func scanAlert(r pgx.Row) (store.StoredAlert, error) {
	var a store.StoredAlert
	var body []byte
	if err := r.Scan(&a.Seq, &a.TenantID, &a.SourceID, &body, &a.ReceivedAt, &a.UpdatedAt,
		&a.StatusOrigin, &a.StatusChangedAt); err != nil {
		return store.StoredAlert{}, err
	}
	if err := json.Unmarshal(body, &a.Alert); err != nil {
		return store.StoredAlert{}, fmt.Errorf("decode alert %d: %w", a.Seq, err)
	}
	a.Alert.OccurredAt = a.Alert.OccurredAt.UTC()
	a.ReceivedAt, a.UpdatedAt, a.StatusChangedAt = a.ReceivedAt.UTC(), a.UpdatedAt.UTC(), a.StatusChangedAt.UTC()
	return a, nil
}
