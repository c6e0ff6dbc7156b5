package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlInsertDelivery = `INSERT INTO deliveries (tenant_id, integration_id, ticket_link_id, alert_seq, kind, state,
    attempts, next_attempt_at, last_error, payload, result, created_at, updated_at, completed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
RETURNING id`
	// Identity values rise in the order rows are inserted, so the
	// returned ids sorted are the rows' ids in order.
	sqlInsertDeliveries = `INSERT INTO deliveries (tenant_id, integration_id, ticket_link_id, alert_seq, kind, state,
    attempts, next_attempt_at, last_error, payload, result, created_at, updated_at, completed_at)
SELECT t, i, l, s, k, st, at, nx, le, p, r, c, u, d
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[],
    $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[],
    $14::timestamptz[]) WITH ORDINALITY AS x (t, i, l, s, k, st, at, nx, le, p, r, c, u, d, n)
ORDER BY n
RETURNING id`
	sqlUpdateDelivery = `UPDATE deliveries
SET ticket_link_id = $1, state = $2, attempts = $3, next_attempt_at = $4, last_error = $5, payload = $6,
    result = $7, updated_at = $8, completed_at = $9
WHERE id = $10`
	sqlDeliveryColumns = `SELECT d.id, d.tenant_id, d.integration_id, d.ticket_link_id, d.alert_seq, d.kind, d.state,
    d.attempts, d.next_attempt_at, d.last_error, d.payload, d.result, d.created_at, d.updated_at, d.completed_at
FROM deliveries d`
	sqlDeliveryByID = sqlDeliveryColumns + ` WHERE d.id = $1`
	// Notes wait for their link to be open: until the create delivery has
	// stored the PSA ticket id there is nothing to add a note to. A plain
	// SELECT, not FOR UPDATE SKIP LOCKED: the list is returned, not claimed,
	// and only the integration's lease holder works on it.
	sqlDueDeliveries = sqlDeliveryColumns + `
LEFT JOIN ticket_links l ON l.id = d.ticket_link_id
WHERE d.integration_id = $1 AND d.state = 'pending' AND d.next_attempt_at <= $2
  AND (d.kind = 'create_ticket' OR l.state = 'open')
ORDER BY d.id
LIMIT $3`
	sqlPendingNotes = sqlDeliveryColumns + `
WHERE d.ticket_link_id = $1 AND d.state = 'pending' AND d.kind = 'add_note'
ORDER BY d.id`
	sqlNextDeliveryAt = `SELECT MIN(d.next_attempt_at) FROM deliveries d
LEFT JOIN ticket_links l ON l.id = d.ticket_link_id
WHERE d.integration_id = $1 AND d.state = 'pending'
  AND (d.kind = 'create_ticket' OR l.state = 'open')`
	sqlOldestPendingDelivery  = `SELECT MIN(created_at) FROM deliveries WHERE integration_id = $1 AND state = 'pending'`
	sqlCountDeliveries        = `SELECT COUNT(*) FROM deliveries WHERE tenant_id = $1`
	sqlCountDeliveriesInState = `SELECT COUNT(*) FROM deliveries WHERE tenant_id = $1 AND state = $2`
)

// The delivery list has one statement per filter shape, holding only the
// conditions of the fields that are set: a catch-all "($1 = 0 OR x = $1)"
// term matches no index once the plan is generic. Each shape's conditions
// pick their index: the alert deliveries_alert, tenant and state
// deliveries_tenant_state_id, integration and state
// deliveries_integration_state; the tenant alone walks the primary key down
// and stops at the limit.
//
// The right plan also depends on the state's value: a few pending or failed
// rows are read through the state index, the many done ones by walking the
// ids. A cached statement's generic plan, which PostgreSQL switches to after
// five runs, cannot tell them apart and walked a million ids for 20 pending
// deliveries; so these reads run in QueryExecModeExec, planned for their
// values each time (one parse more, a fraction of a millisecond).
const sqlFilterDeliveriesOrder = `
ORDER BY d.id DESC
LIMIT $%d`

// deliveryConds are the filter's conditions, each with its parameter
// number left open; condition i is bit i of a shape.
var deliveryConds = []struct {
	sql string
	arg func(store.DeliveryFilter) (any, bool) // the argument, and whether the field is set
}{
	{`d.tenant_id = $%d`, func(f store.DeliveryFilter) (any, bool) { return f.TenantID, f.TenantID != "" }},
	{`d.integration_id = $%d`, func(f store.DeliveryFilter) (any, bool) { return f.IntegrationID, f.IntegrationID != 0 }},
	{`d.state = $%d`, func(f store.DeliveryFilter) (any, bool) { return string(f.State), f.State != "" }},
	{`d.alert_seq = $%d`, func(f store.DeliveryFilter) (any, bool) { return f.AlertSeq, f.AlertSeq != 0 }},
}

// filterDeliveries holds the statement of every shape.
var filterDeliveries = filterStatements()

func filterStatements() []string {
	out := make([]string, 1<<len(deliveryConds))
	for shape := range out {
		var where []string
		for i, c := range deliveryConds {
			if shape&(1<<i) != 0 {
				where = append(where, fmt.Sprintf(c.sql, len(where)+1))
			}
		}
		q := sqlDeliveryColumns
		if len(where) > 0 {
			q += "\nWHERE " + strings.Join(where, " AND ")
		}
		out[shape] = q + fmt.Sprintf(sqlFilterDeliveriesOrder, len(where)+1)
	}
	return out
}

// filterQuery returns f's statement and its arguments.
func filterQuery(f store.DeliveryFilter) (string, []any) {
	shape, args := 0, make([]any, 0, len(deliveryConds)+1)
	for i, c := range deliveryConds {
		if v, ok := c.arg(f); ok {
			shape |= 1 << i
			args = append(args, v)
		}
	}
	return filterDeliveries[shape], append(args, limit(f.Limit))
}

// InsertDelivery stores new outbound work and returns it as stored.
func (q *queries) InsertDelivery(ctx context.Context, d store.Delivery) (store.Delivery, error) {
	d = q.asStored(d)
	err := q.writeRow(ctx, func(r pgx.Row) error { return r.Scan(&d.ID) }, sqlInsertDelivery,
		d.TenantID, d.IntegrationID, nullID(d.TicketLinkID), nullID(d.AlertSeq), string(d.Kind), string(d.State),
		d.Attempts, d.NextAttemptAt, d.LastError, string(d.Payload), d.Result, d.CreatedAt, d.UpdatedAt,
		d.CompletedAt)
	if err != nil {
		return store.Delivery{}, wrap(err, "insert delivery")
	}
	return d, nil
}

// asStored is d as it reads back: times normalized, the store's clock for
// those left zero, no payload once spent.
func (q *queries) asStored(d store.Delivery) store.Delivery {
	d.CreatedAt, d.UpdatedAt = q.orNow(d.CreatedAt), q.orNow(d.UpdatedAt)
	d.NextAttemptAt, d.CompletedAt = norm(d.NextAttemptAt), normPtr(d.CompletedAt)
	d.Payload = bytesOrNil(d.Payload)
	if d.State.Spent() {
		d.Payload = nil // see store.Delivery.Payload
	}
	return d
}

// InsertDeliveries stores new outbound work in one statement and returns
// it as stored, ids rising in order.
func (q *queries) InsertDeliveries(ctx context.Context, ds []store.Delivery) ([]store.Delivery, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	n := len(ds)
	out := make([]store.Delivery, n)
	tenants, integrations, links, seqs := make([]string, n), make([]int64, n), make([]*int64, n), make([]*int64, n)
	kinds, states, attempts, next := make([]string, n), make([]string, n), make([]int, n), make([]time.Time, n)
	lastErrors, payloads, results := make([]string, n), make([]string, n), make([]string, n)
	created, updated, completed := make([]time.Time, n), make([]time.Time, n), make([]*time.Time, n)
	for i, d := range ds {
		d = q.asStored(d)
		tenants[i], integrations[i], links[i], seqs[i] = d.TenantID, d.IntegrationID, nullID(d.TicketLinkID), nullID(d.AlertSeq)
		kinds[i], states[i], attempts[i], next[i] = string(d.Kind), string(d.State), d.Attempts, d.NextAttemptAt
		lastErrors[i], payloads[i], results[i] = d.LastError, string(d.Payload), d.Result
		created[i], updated[i], completed[i] = d.CreatedAt, d.UpdatedAt, d.CompletedAt
		out[i] = d
	}
	rows, err := q.db.Query(ctx, sqlInsertDeliveries, tenants, integrations, links, seqs, kinds, states, attempts,
		next, lastErrors, payloads, results, created, updated, completed)
	ids, err := collect(rows, err, func(r pgx.Row) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, wrap(err, "insert deliveries")
	}
	if len(ids) != n {
		return nil, fmt.Errorf("insert deliveries: %d stored of %d", len(ids), n)
	}
	slices.Sort(ids)
	for i := range out {
		out[i].ID = ids[i]
	}
	return out, nil
}

// UpdateDelivery writes the delivery's progress: link, state, attempts,
// next attempt, error, payload (none once spent), result and times.
// ErrNotFound when it does not exist.
func (q *queries) UpdateDelivery(ctx context.Context, d store.Delivery) error {
	if d.State.Spent() {
		d.Payload = nil // see store.Delivery.Payload
	}
	err := affected(q.exec(ctx, sqlUpdateDelivery, nullID(d.TicketLinkID), string(d.State), d.Attempts,
		norm(d.NextAttemptAt), d.LastError, string(d.Payload), d.Result, q.orNow(d.UpdatedAt),
		normPtr(d.CompletedAt), d.ID))
	return wrap(err, "update delivery")
}

// Delivery returns the delivery with the id.
func (q *queries) Delivery(ctx context.Context, id int64) (store.Delivery, error) {
	d, err := scanDelivery(q.db.QueryRow(ctx, sqlDeliveryByID, id))
	return d, wrap(err, "delivery by id")
}

// DueDeliveries lists the integration's pending deliveries due at now:
// creates, and notes whose link is open; oldest first, at most n (n <= 0:
// all).
func (q *queries) DueDeliveries(ctx context.Context, integrationID int64, now time.Time, n int) ([]store.Delivery, error) {
	rows, err := q.db.Query(ctx, sqlDueDeliveries, integrationID, norm(now), limit(n))
	out, err := collect(rows, err, scanDelivery)
	return out, wrap(err, "list due deliveries")
}

// PendingNotes lists the link's pending note deliveries, oldest first,
// whenever they are due.
func (q *queries) PendingNotes(ctx context.Context, linkID int64) ([]store.Delivery, error) {
	rows, err := q.db.Query(ctx, sqlPendingNotes, linkID)
	out, err := collect(rows, err, scanDelivery)
	return out, wrap(err, "list pending notes")
}

// NextDeliveryAt is the earliest next attempt among the integration's
// pending deliveries; ErrNotFound when none is pending.
func (q *queries) NextDeliveryAt(ctx context.Context, integrationID int64) (time.Time, error) {
	var next *time.Time
	if err := q.db.QueryRow(ctx, sqlNextDeliveryAt, integrationID).Scan(&next); err != nil {
		return time.Time{}, wrap(err, "next delivery time")
	}
	if next == nil {
		return time.Time{}, wrap(pgx.ErrNoRows, "next delivery time")
	}
	return next.UTC(), nil
}

// OldestPendingDelivery is when the integration's oldest pending delivery
// was queued; ErrNotFound when none is pending.
func (q *queries) OldestPendingDelivery(ctx context.Context, integrationID int64) (time.Time, error) {
	var oldest *time.Time
	if err := q.db.QueryRow(ctx, sqlOldestPendingDelivery, integrationID).Scan(&oldest); err != nil {
		return time.Time{}, wrap(err, "oldest pending delivery")
	}
	if oldest == nil {
		return time.Time{}, wrap(pgx.ErrNoRows, "oldest pending delivery")
	}
	return oldest.UTC(), nil
}

// Deliveries lists the deliveries matching f, newest first; zero fields of
// f match everything and a Limit <= 0 means no limit.
func (q *queries) Deliveries(ctx context.Context, f store.DeliveryFilter) ([]store.Delivery, error) {
	query, args := filterQuery(f)
	rows, err := q.db.Query(ctx, query, append([]any{pgx.QueryExecModeExec}, args...)...)
	out, err := collect(rows, err, scanDelivery)
	return out, wrap(err, "list deliveries")
}

// CountDeliveries counts the tenant's deliveries in state ("" for all).
func (q *queries) CountDeliveries(ctx context.Context, tenant string, state store.DeliveryState) (int64, error) {
	query, args := sqlCountDeliveries, []any{tenant}
	if state != "" { // planned for the state, as the list is
		query, args = sqlCountDeliveriesInState, []any{pgx.QueryExecModeExec, tenant, string(state)}
	}
	var n int64
	err := q.db.QueryRow(ctx, query, args...).Scan(&n)
	return n, wrap(err, "count deliveries")
}

func scanDelivery(s pgx.Row) (store.Delivery, error) {
	var d store.Delivery
	var link, seq *int64
	var completed *time.Time
	var payload []byte
	err := s.Scan(&d.ID, &d.TenantID, &d.IntegrationID, &link, &seq, &d.Kind, &d.State, &d.Attempts,
		&d.NextAttemptAt, &d.LastError, &payload, &d.Result, &d.CreatedAt, &d.UpdatedAt, &completed)
	if err != nil {
		return store.Delivery{}, err
	}
	d.TicketLinkID, d.AlertSeq, d.Payload = deref(link), deref(seq), bytesOrNil(payload)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = d.NextAttemptAt.UTC(), d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	d.CompletedAt = utcPtr(completed)
	return d, nil
}
