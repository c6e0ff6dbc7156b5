package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

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
` + sqlUpsertAlertConflict + `
RETURNING seq, revision, previous_status`
	sqlUpsertAlertConflict = `ON CONFLICT (tenant_id, source_id, alert_id) DO UPDATE SET
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
    status_changed_at = CASE WHEN a.status = excluded.status THEN a.status_changed_at ELSE excluded.updated_at END`
	// UpsertAlert for many alerts in one statement: one array per column,
	// rows in the arrays' order (so new alerts take their seqs in that
	// order). ON CONFLICT may not touch a row twice in one statement, so
	// the keys must be distinct (see UpsertAlerts). RETURNING names each
	// row by its key: it is the one thing it can say about the input.
	sqlUpsertAlerts = `INSERT INTO alerts AS a (tenant_id, source_id, alert_id, organization_key, type, severity,
    status, previous_status, revision, occurred_at, body, received_at, updated_at,
    status_origin, status_changed_at)
SELECT u.t, u.s, u.id, u.org, u.typ, u.sev, u.st, '', 1, u.occ, u.body, u.rcv, u.upd, 'source', u.rcv
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::timestamptz[], $9::text[], $10::timestamptz[], $11::timestamptz[])
    WITH ORDINALITY AS u (t, s, id, org, typ, sev, st, occ, body, rcv, upd, n)
WHERE EXISTS (SELECT 1 FROM sources src WHERE src.tenant_id = u.t AND src.id = u.s)
ORDER BY u.n
` + sqlUpsertAlertConflict + `
RETURNING tenant_id, source_id, alert_id, seq, revision, previous_status`
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

// UpsertAlerts stores the alerts with one statement: the per-row cost of
// a multi-row insert instead of one statement each. A key repeated in as
// starts another statement, sent in the same round trip, so that each
// repeat sees the row as the one before left it, as with UpsertAlert one
// after another. ErrNotFound if an alert names a source that does not
// exist (the others are written; in a transaction, the caller's rollback
// undoes them).
func (q *queries) UpsertAlerts(ctx context.Context, as []store.StoredAlert) ([]store.UpsertResult, error) {
	if len(as) == 0 {
		return nil, nil
	}
	b := &pgx.Batch{}
	out := make([]store.UpsertResult, len(as))
	for _, run := range distinctRuns(as) {
		cols, err := q.upsertColumns(as[run.from:run.to])
		if err != nil {
			return nil, err
		}
		b.Queue(sqlUpsertAlerts, cols...).Query(func(rows pgx.Rows) error {
			return scanUpserts(rows, as[run.from:run.to], out[run.from:run.to])
		})
	}
	return out, wrap(q.db.SendBatch(ctx, b).Close(), "upsert alerts")
}

// run is as[from:to]: alerts whose keys are distinct.
type run struct{ from, to int }

// distinctRuns cuts as where a key repeats one earlier in the same run.
func distinctRuns(as []store.StoredAlert) []run {
	var runs []run
	seen := map[store.AlertKey]bool{}
	from := 0
	for i, a := range as {
		k := store.AlertKey{TenantID: a.TenantID, SourceID: a.SourceID, AlertID: a.Alert.ID}
		if seen[k] {
			runs = append(runs, run{from, i})
			clear(seen)
			from = i
		}
		seen[k] = true
	}
	return append(runs, run{from, len(as)})
}

// upsertColumns is sqlUpsertAlerts' arguments: one array per column.
func (q *queries) upsertColumns(as []store.StoredAlert) ([]any, error) {
	n := len(as)
	tenants, sources, ids, orgs, types := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	severities, statuses, bodies := make([]string, n), make([]string, n), make([]string, n)
	occurred, received, updated := make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	for i, a := range as {
		r, err := q.upsertRow(a)
		if err != nil {
			return nil, err
		}
		tenants[i], sources[i], ids[i], orgs[i], types[i] = a.TenantID, a.SourceID, a.Alert.ID, r.org, r.typ
		severities[i], statuses[i], bodies[i] = r.severity, r.status, r.body
		occurred[i], received[i], updated[i] = r.occurred, r.received, r.updated
	}
	return []any{tenants, sources, ids, orgs, types, severities, statuses, occurred, bodies, received, updated}, nil
}

// scanUpserts puts each row sqlUpsertAlerts returned at its alert's place
// in out. An alert without a row named a source that does not exist.
func scanUpserts(rows pgx.Rows, as []store.StoredAlert, out []store.UpsertResult) error {
	at := make(map[store.AlertKey]int, len(as))
	for i, a := range as {
		at[store.AlertKey{TenantID: a.TenantID, SourceID: a.SourceID, AlertID: a.Alert.ID}] = i
	}
	got := 0
	for rows.Next() {
		var k store.AlertKey
		var res store.UpsertResult
		var revision int64
		if err := rows.Scan(&k.TenantID, &k.SourceID, &k.AlertID, &res.Seq, &revision, &res.PreviousStatus); err != nil {
			return err
		}
		res.Created = revision == 1
		if res.Created {
			res.PreviousStatus = ""
		}
		out[at[k]] = res
		got++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if got < len(as) {
		return pgx.ErrNoRows // an unknown source inserted nothing
	}
	return nil
}

// upsertRow is an alert's columns as the upserts write them.
type upsertRow struct {
	org, typ, severity, status, body string
	occurred, received, updated      time.Time
}

func (q *queries) upsertRow(a store.StoredAlert) (upsertRow, error) {
	al := a.Alert
	al.OccurredAt = norm(al.OccurredAt)
	body, err := json.Marshal(al)
	if err != nil {
		return upsertRow{}, fmt.Errorf("upsert alert: encode: %w", err)
	}
	return upsertRow{
		org: al.Organization.Key(), typ: al.Type, severity: string(al.Severity), status: string(al.Status),
		body: string(body), occurred: al.OccurredAt, received: q.orNow(a.ReceivedAt), updated: q.orNow(a.UpdatedAt),
	}, nil
}

func (q *queries) upsertArgs(a store.StoredAlert) ([]any, error) {
	r, err := q.upsertRow(a)
	if err != nil {
		return nil, err
	}
	return []any{a.TenantID, a.SourceID, a.Alert.ID, r.org, r.typ, r.severity, r.status, r.occurred, r.body,
		r.received, r.updated}, nil
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

// RecentAlertTypes lists the distinct types of the tenant's latest limit
// alerts, in name order.
func (q *queries) RecentAlertTypes(ctx context.Context, tenant string, limit int) ([]string, error) {
	rows, err := q.db.Query(ctx, `SELECT DISTINCT type FROM (
    SELECT type FROM alerts WHERE tenant_id = $1 ORDER BY seq DESC LIMIT $2
) latest ORDER BY type`, tenant, limit)
	out, err := collect(rows, err, func(r pgx.Row) (string, error) {
		var t string
		return t, r.Scan(&t)
	})
	return out, wrap(err, "recent alert types")
}

// CountAlertsSince counts the tenant's alerts that occurred at or after
// since.
func (q *queries) CountAlertsSince(ctx context.Context, tenant string, since time.Time) (int64, error) {
	var n int64
	err := q.db.QueryRow(ctx, `SELECT COUNT(*) FROM alerts WHERE tenant_id = $1 AND occurred_at >= $2`, tenant, since).Scan(&n)
	return n, wrap(err, "count alerts")
}

// sqlListAlerts walks the tenant's alerts newest first and checks each
// filter per row. The casts let one prepared statement take empty
// filters.
const sqlListAlerts = sqlAlertColumns + `
WHERE a.tenant_id = $1 AND a.seq < $2
  AND ($3::text = '' OR a.source_id = $3)
  AND ($4::text = '' OR a.organization_key = $4)
  AND ($5::text = '' OR a.status = $5)
  AND ($6::text = '' OR a.type = $6)
  AND ($7::timestamptz IS NULL OR a.occurred_at >= $7)
  AND ($8::timestamptz IS NULL OR a.occurred_at < $8)
ORDER BY a.seq DESC
LIMIT $9`

// ListAlerts lists the tenant's alerts matching f, newest first.
func (q *queries) ListAlerts(ctx context.Context, f store.AlertFilter) ([]store.StoredAlert, error) {
	before := f.BeforeSeq
	if before <= 0 {
		before = math.MaxInt64
	}
	var from, to *time.Time
	if !f.OccurredFrom.IsZero() {
		from = &f.OccurredFrom
	}
	if !f.OccurredTo.IsZero() {
		to = &f.OccurredTo
	}
	rows, err := q.db.Query(ctx, sqlListAlerts, f.TenantID, before, f.SourceID, f.Organization, f.Status, f.Type, from, to, limit(f.Limit))
	out, err := collect(rows, err, scanAlert)
	return out, wrap(err, "list alerts")
}
