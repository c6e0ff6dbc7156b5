package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// A delivery's payload lives in delivery_payloads while the delivery
	// may still run; deliveries.payload is retired and written '' (see
	// 0006_retention: a fat row that shrinks later frees no page).
	sqlInsertDelivery = `INSERT INTO deliveries (tenant_id, integration_id, ticket_link_id, alert_seq, kind, state,
    attempts, next_attempt_at, last_error, payload, result, created_at, updated_at, completed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)
RETURNING id`
	// A batch's rows come as one JSON array, inserted in its order; under
	// AUTOINCREMENT each row's id is above every earlier one's, so the
	// returned ids sorted are the rows' ids in order.
	sqlInsertDeliveries = `INSERT INTO deliveries (tenant_id, integration_id, ticket_link_id, alert_seq, kind, state,
    attempts, next_attempt_at, last_error, payload, result, created_at, updated_at, completed_at)
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
    value ->> 8, '', value ->> 9, value ->> 10, value ->> 11, value ->> 12
FROM json_each(?) ORDER BY key
RETURNING id`
	sqlPutPayloads = `INSERT INTO delivery_payloads (delivery_id, payload)
SELECT value ->> 0, value ->> 1 FROM json_each(?)`
	sqlUpdateDelivery = `UPDATE deliveries
SET ticket_link_id = ?, state = ?, attempts = ?, next_attempt_at = ?, last_error = ?,
    result = ?, updated_at = ?, completed_at = ?
WHERE id = ?`
	// Most updates count an attempt and leave the payload as it was: it is
	// written again only when it changed.
	sqlPutPayload = `INSERT INTO delivery_payloads (delivery_id, payload) VALUES (?, ?)
ON CONFLICT (delivery_id) DO UPDATE SET payload = excluded.payload
WHERE delivery_payloads.payload <> excluded.payload`
	sqlDropPayload     = `DELETE FROM delivery_payloads WHERE delivery_id = ?`
	sqlDeliveryColumns = `SELECT d.id, d.tenant_id, d.integration_id, d.ticket_link_id, d.alert_seq, d.kind, d.state,
    d.attempts, d.next_attempt_at, d.last_error, COALESCE(p.payload, ''), d.result, d.created_at, d.updated_at,
    d.completed_at
FROM deliveries d
LEFT JOIN delivery_payloads p ON p.delivery_id = d.id`
	sqlDeliveryByID = sqlDeliveryColumns + ` WHERE d.id = ?`
	// Notes wait for their link to be open: until the create delivery has
	// stored the PSA ticket id there is nothing to add a note to.
	sqlDueDeliveries = sqlDeliveryColumns + `
LEFT JOIN ticket_links l ON l.id = d.ticket_link_id
WHERE d.integration_id = ? AND d.state = 'pending' AND d.next_attempt_at <= ?
  AND (d.kind = 'create_ticket' OR l.state = 'open')
ORDER BY d.id
LIMIT CAST(? AS INTEGER)`
	sqlPendingNotes = sqlDeliveryColumns + `
WHERE d.ticket_link_id = ? AND d.state = 'pending' AND d.kind = 'add_note'
ORDER BY d.id`
	sqlNextDeliveryAt = `SELECT MIN(d.next_attempt_at) FROM deliveries d
LEFT JOIN ticket_links l ON l.id = d.ticket_link_id
WHERE d.integration_id = ? AND d.state = 'pending'
  AND (d.kind = 'create_ticket' OR l.state = 'open')`
	sqlOldestPendingDelivery  = `SELECT MIN(created_at) FROM deliveries WHERE integration_id = ? AND state = 'pending'`
	sqlCountDeliveries        = `SELECT COUNT(*) FROM deliveries WHERE tenant_id = ?`
	sqlCountDeliveriesInState = `SELECT COUNT(*) FROM deliveries WHERE tenant_id = ? AND state = ?`
)

// The delivery list has one statement per filter shape, holding only the
// conditions of the fields that are set: a catch-all "(? = 0 OR x = ?)"
// term matches no index, so one text for every filter read the whole table
// for a page of 100. Each shape's conditions pick their index: the alert
// deliveries_alert; tenant and state deliveries_tenant_state; integration
// and state deliveries_integration_state (every SQLite index ends with the
// rowid, so these give their rows newest first with no sort).
//
// Without a state or an alert, no index orders the rows: the planner would
// read every delivery of the tenant or integration through one and sort
// them for a page. There the tenant and integration terms are written with
// a unary + (walk), which keeps them off any index, so the statement walks
// the ids down and stops at the limit.
const sqlFilterDeliveriesOrder = `
ORDER BY d.id DESC
LIMIT CAST(? AS INTEGER)`

// deliveryConds are the filter's conditions; condition i is bit i of a
// shape.
var deliveryConds = []struct {
	sql, walk string
	arg       func(store.DeliveryFilter) (any, bool) // the argument, and whether the field is set
}{
	{`d.tenant_id = ?`, `+d.tenant_id = ?`, func(f store.DeliveryFilter) (any, bool) { return f.TenantID, f.TenantID != "" }},
	{`d.integration_id = ?`, `+d.integration_id = ?`, func(f store.DeliveryFilter) (any, bool) { return f.IntegrationID, f.IntegrationID != 0 }},
	{`d.state = ?`, ``, func(f store.DeliveryFilter) (any, bool) { return string(f.State), f.State != "" }},
	{`d.alert_seq = ?`, ``, func(f store.DeliveryFilter) (any, bool) { return f.AlertSeq, f.AlertSeq != 0 }},
}

// indexedShapes are the bits of the conditions that have an index in id
// order: state and alert.
const indexedShapes = 1<<2 | 1<<3

// filterDeliveries holds the statement of every shape, prepared at Open
// with the others.
var filterDeliveries = filterStatements()

func filterStatements() []string {
	out := make([]string, 1<<len(deliveryConds))
	for shape := range out {
		var where []string
		for i, c := range deliveryConds {
			switch {
			case shape&(1<<i) == 0:
			case shape&indexedShapes == 0:
				where = append(where, c.walk)
			default:
				where = append(where, c.sql)
			}
		}
		q := sqlDeliveryColumns
		if len(where) > 0 {
			q += "\nWHERE " + strings.Join(where, " AND ")
		}
		out[shape] = q + sqlFilterDeliveriesOrder
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

var deliveryStatements = append([]string{
	sqlInsertDelivery, sqlInsertDeliveries, sqlPutPayloads, sqlUpdateDelivery, sqlPutPayload, sqlDropPayload, sqlDeliveryByID, sqlDueDeliveries,
	sqlPendingNotes, sqlNextDeliveryAt, sqlCountDeliveries, sqlCountDeliveriesInState,
}, filterDeliveries...)

// InsertDelivery stores new outbound work and returns it as stored (a
// spent delivery without its payload), in one transaction with its
// payload.
func (q *queries) InsertDelivery(ctx context.Context, d store.Delivery) (store.Delivery, error) {
	d = q.asStored(d)
	err := q.atomically(ctx, func(q *queries) error {
		err := q.writeRow(ctx, sqlInsertDelivery, d.TenantID, d.IntegrationID, nullID(d.TicketLinkID),
			nullID(d.AlertSeq), string(d.Kind), string(d.State), d.Attempts, dbTime(d.NextAttemptAt),
			d.LastError, d.Result, dbTime(d.CreatedAt), dbTime(d.UpdatedAt), dbTimePtr(d.CompletedAt),
		).Scan(&d.ID)
		if err != nil || d.Payload == nil {
			return err
		}
		_, err = q.exec(ctx, sqlPutPayload, d.ID, string(d.Payload))
		return err
	})
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

// InsertDeliveries stores new outbound work in one statement (and the
// payloads in a second) and returns it as stored, ids rising in order.
func (q *queries) InsertDeliveries(ctx context.Context, ds []store.Delivery) ([]store.Delivery, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	out := make([]store.Delivery, len(ds))
	rows := make([][13]any, len(ds))
	for i, d := range ds {
		d = q.asStored(d)
		var completed any // JSON null for none
		if d.CompletedAt != nil {
			completed = dbTime(*d.CompletedAt)
		}
		rows[i] = [13]any{d.TenantID, d.IntegrationID, jsonID(d.TicketLinkID), jsonID(d.AlertSeq), string(d.Kind),
			string(d.State), d.Attempts, dbTime(d.NextAttemptAt), d.LastError, d.Result, dbTime(d.CreatedAt),
			dbTime(d.UpdatedAt), completed}
		out[i] = d
	}
	err := q.atomically(ctx, func(q *queries) error {
		ids, err := q.insertReturningIDs(ctx, sqlInsertDeliveries, rows)
		if err != nil {
			return err
		}
		if len(ids) != len(out) {
			return fmt.Errorf("%d deliveries stored of %d", len(ids), len(out))
		}
		var payloads [][2]any
		for i := range out {
			out[i].ID = ids[i]
			if out[i].Payload != nil {
				payloads = append(payloads, [2]any{ids[i], string(out[i].Payload)})
			}
		}
		if len(payloads) == 0 {
			return nil
		}
		return q.execJSON(ctx, sqlPutPayloads, payloads)
	})
	if err != nil {
		return nil, wrap(err, "insert deliveries")
	}
	return out, nil
}

// insertReturningIDs runs an INSERT ... RETURNING id over rows given as
// one JSON array and returns the ids in rising order.
func (q *queries) insertReturningIDs(ctx context.Context, query string, rows any) ([]int64, error) {
	b, err := json.Marshal(rows)
	if err != nil {
		return nil, fmt.Errorf("encode rows: %w", err)
	}
	res, err := q.writeRows(ctx, query, string(b))
	ids, err := collect(res, err, func(s scanner) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
	slices.Sort(ids)
	return ids, err
}

// UpdateDelivery writes the delivery's progress: link, state, attempts,
// next attempt, error, payload (none once spent), result and times, in
// one transaction. ErrNotFound when it does not exist.
func (q *queries) UpdateDelivery(ctx context.Context, d store.Delivery) error {
	err := q.atomically(ctx, func(q *queries) error {
		err := affected(q.exec(ctx, sqlUpdateDelivery, nullID(d.TicketLinkID), string(d.State), d.Attempts,
			dbTime(d.NextAttemptAt), d.LastError, d.Result, dbTime(q.orNow(d.UpdatedAt)),
			dbTimePtr(d.CompletedAt), d.ID))
		if err != nil {
			return err
		}
		if d.State.Spent() || len(d.Payload) == 0 {
			_, err = q.exec(ctx, sqlDropPayload, d.ID) // see store.Delivery.Payload
			return err
		}
		_, err = q.exec(ctx, sqlPutPayload, d.ID, string(d.Payload))
		return err
	})
	return wrap(err, "update delivery")
}

// Delivery returns the delivery with the id.
func (q *queries) Delivery(ctx context.Context, id int64) (store.Delivery, error) {
	d, err := scanDelivery(q.readRow(ctx, sqlDeliveryByID, id))
	return d, wrap(err, "delivery by id")
}

// DueDeliveries lists the integration's pending deliveries due at now:
// creates, and notes whose link is open; oldest first, at most n (n <= 0:
// all).
func (q *queries) DueDeliveries(ctx context.Context, integrationID int64, now time.Time, n int) ([]store.Delivery, error) {
	rows, err := q.readRows(ctx, sqlDueDeliveries, integrationID, dbTime(now), limit(n))
	out, err := collect(rows, err, scanDelivery)
	return out, wrap(err, "list due deliveries")
}

// PendingNotes lists the link's pending note deliveries, oldest first,
// whenever they are due.
func (q *queries) PendingNotes(ctx context.Context, linkID int64) ([]store.Delivery, error) {
	rows, err := q.readRows(ctx, sqlPendingNotes, linkID)
	out, err := collect(rows, err, scanDelivery)
	return out, wrap(err, "list pending notes")
}

// NextDeliveryAt is the earliest next attempt among the integration's
// pending deliveries; ErrNotFound when none is pending.
func (q *queries) NextDeliveryAt(ctx context.Context, integrationID int64) (time.Time, error) {
	var next sql.NullInt64
	if err := q.readRow(ctx, sqlNextDeliveryAt, integrationID).Scan(&next); err != nil {
		return time.Time{}, wrap(err, "next delivery time")
	}
	if !next.Valid {
		return time.Time{}, wrap(sql.ErrNoRows, "next delivery time")
	}
	return goTime(next.Int64), nil
}

// OldestPendingDelivery is when the integration's oldest pending delivery
// was queued; ErrNotFound when none is pending.
func (q *queries) OldestPendingDelivery(ctx context.Context, integrationID int64) (time.Time, error) {
	var oldest sql.NullInt64
	if err := q.readRow(ctx, sqlOldestPendingDelivery, integrationID).Scan(&oldest); err != nil {
		return time.Time{}, wrap(err, "oldest pending delivery")
	}
	if !oldest.Valid {
		return time.Time{}, wrap(sql.ErrNoRows, "oldest pending delivery")
	}
	return goTime(oldest.Int64), nil
}

// Deliveries lists the deliveries matching f, newest first; zero fields of
// f match everything and a Limit <= 0 means no limit.
func (q *queries) Deliveries(ctx context.Context, f store.DeliveryFilter) ([]store.Delivery, error) {
	query, args := filterQuery(f)
	rows, err := q.readRows(ctx, query, args...)
	out, err := collect(rows, err, scanDelivery)
	return out, wrap(err, "list deliveries")
}

// CountDeliveries counts the tenant's deliveries in state ("" for all).
func (q *queries) CountDeliveries(ctx context.Context, tenant string, state store.DeliveryState) (int64, error) {
	query, args := sqlCountDeliveries, []any{tenant}
	if state != "" {
		query, args = sqlCountDeliveriesInState, []any{tenant, string(state)}
	}
	var n int64
	err := q.readRow(ctx, query, args...).Scan(&n)
	return n, wrap(err, "count deliveries")
}

func scanDelivery(s scanner) (store.Delivery, error) {
	var d store.Delivery
	var link, seq, completed sql.NullInt64
	var next, created, updated int64
	var payload []byte
	err := s.Scan(&d.ID, &d.TenantID, &d.IntegrationID, &link, &seq, &d.Kind, &d.State, &d.Attempts, &next,
		&d.LastError, &payload, &d.Result, &created, &updated, &completed)
	if err != nil {
		return store.Delivery{}, err
	}
	d.TicketLinkID, d.AlertSeq, d.Payload = link.Int64, seq.Int64, bytesOrNil(payload)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = goTime(next), goTime(created), goTime(updated)
	d.CompletedAt = goTimePtr(completed)
	return d, nil
}
