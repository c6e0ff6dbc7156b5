package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store/storetest"
)

// BenchmarkHistory measures the per-cycle and API reads on a schema
// holding TICKETBRIDGE_BENCH_ALERTS alerts of history (default 100,000):
//
//	TICKETBRIDGE_BENCH_ALERTS=1000000 TICKETBRIDGE_TEST_DATABASE_URL=postgres://... \
//	    go test -run '^$' -bench History -benchtime 200x ./internal/store/postgres/
func BenchmarkHistory(b *testing.B) {
	url := testURL(b)
	schema := freshSchema(b, url)
	s := closeStore(b, openStore(b, url, schema))
	storetest.BenchHistory(b, s, storetest.HistoryAlerts(b, 100_000), func(ctx context.Context, h storetest.History) error {
		return loadHistory(ctx, url, schema, h)
	})
}

// historyChunk is how many alerts one load transaction writes; a multiple
// of History.PerLink, so a link's alerts share a chunk.
const historyChunk = 50_000

// The history load: one statement per table and chunk, rows made by
// generate_series or copied from the alerts just written (seq $5 to $6).
const (
	sqlHistoryAlerts = `INSERT INTO alerts (tenant_id, source_id, alert_id, organization_key, type, severity, status,
    previous_status, revision, occurred_at, body, received_at, updated_at, status_origin, status_changed_at)
SELECT $3, $4, $5 || i, 'org-' || (i % 50), 'Too Many Downloads', 'high', $6, '', 1, $7, $8 || $5 || i || $9,
    $7, $7, 'source', $7
FROM generate_series($1::bigint, $2::bigint) AS i
ORDER BY i
RETURNING seq`
	sqlHistoryLinks = `INSERT INTO ticket_links (tenant_id, integration_id, company_id, group_key, state, external_ref,
    psa_ticket_id, ticket_number, psa_status, created_at, updated_at, closed_at)
SELECT $3, $4, 'c-' || (j % 50), 'hist-' || j, 'closed', 'tb-hist-' || j, 'h' || j, 'T' || j, 'Complete',
    $5, $5, $5
FROM generate_series($1::bigint, $2::bigint) AS j
ORDER BY j
RETURNING id`
	// $1 integration, $2 first link id, $3 first seq, $4 alerts per link.
	sqlHistoryRoutes = `INSERT INTO routes (tenant_id, alert_seq, integration_id, outcome, code, reason, ticket_link_id,
    created_at, handled_status, alert_status)
SELECT a.tenant_id, a.seq, $1, 'queued', '', 'matched rule catch-all', $2 + (a.seq - $3) / $4, a.received_at,
    a.status, a.status
FROM alerts a WHERE a.seq BETWEEN $5 AND $6`
	sqlHistoryDeliveries = `INSERT INTO deliveries (tenant_id, integration_id, ticket_link_id, alert_seq, kind, state,
    attempts, next_attempt_at, last_error, payload, result, created_at, updated_at, completed_at)
SELECT a.tenant_id, $1, $2 + (a.seq - $3) / $4, a.seq,
    CASE WHEN (a.seq - $3) % $4 = 0 THEN 'create_ticket' ELSE 'add_note' END, 'done', 1, a.received_at, '',
    '{"subject":"Too Many Downloads: jane@acme.example","company":"c-1"}', 'h' || a.seq,
    a.received_at, a.received_at, a.received_at
FROM alerts a WHERE a.seq BETWEEN $5 AND $6`
	// $1 entries per alert, $2 integration.
	sqlHistoryTimeline = `INSERT INTO timeline (tenant_id, alert_seq, integration_id, at, event, detail)
SELECT a.tenant_id, a.seq, CASE WHEN e = 1 THEN NULL ELSE $2::bigint END, a.received_at + e * interval '1 microsecond',
    CASE e WHEN 1 THEN 'ingested' WHEN 2 THEN 'routed' ELSE 'delivered' END,
    'history entry ' || e || ' of alert ' || a.alert_id
FROM alerts a, generate_series(1, $1::int) AS e WHERE a.seq BETWEEN $3 AND $4
ORDER BY a.seq, e`
)

// loadHistory writes h into schema on a connection of its own, chunk by
// chunk, then analyzes the tables as autovacuum would soon after.
func loadHistory(ctx context.Context, url, schema string, h storetest.History) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return err
	}
	cfg.RuntimeParams["search_path"] = schema
	cfg.RuntimeParams["synchronous_commit"] = "off"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for lo := 1; lo <= h.Alerts; lo += historyChunk {
		hi := min(lo+historyChunk-1, h.Alerts)
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return loadChunk(ctx, tx, h, lo, hi) })
		if err != nil {
			return fmt.Errorf("alerts %d to %d: %w", lo, hi, err)
		}
	}
	_, err = conn.Exec(ctx, `ANALYZE`)
	return err
}

func loadChunk(ctx context.Context, tx pgx.Tx, h storetest.History, lo, hi int) error {
	first, last, err := idRange(ctx, tx, sqlHistoryAlerts, lo, hi, h.TenantID, h.SourceID, h.IDPrefix, h.Status, h.At,
		h.BodyHead, h.BodyTail)
	if err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	links := (hi - lo + h.PerLink) / h.PerLink
	firstLink, _, err := idRange(ctx, tx, sqlHistoryLinks, (lo-1)/h.PerLink+1, (lo-1)/h.PerLink+links, h.TenantID,
		h.IntegrationID, h.At)
	if err != nil {
		return fmt.Errorf("ticket links: %w", err)
	}
	steps := []struct {
		name  string
		query string
		args  []any
	}{
		{"routes", sqlHistoryRoutes, []any{h.IntegrationID, firstLink, first, h.PerLink, first, last}},
		{"deliveries", sqlHistoryDeliveries, []any{h.IntegrationID, firstLink, first, h.PerLink, first, last}},
		{"timeline", sqlHistoryTimeline, []any{h.TimelinePerAlert, h.IntegrationID, first, last}},
	}
	for _, st := range steps {
		if _, err := tx.Exec(ctx, st.query, st.args...); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
	}
	return nil
}

// idRange runs an INSERT ... RETURNING id and returns the least and the
// greatest id it made (contiguous: the load is alone on a fresh schema).
func idRange(ctx context.Context, tx pgx.Tx, query string, args ...any) (first, last int64, err error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return 0, 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, 0, err
	}
	if len(ids) == 0 {
		return 0, 0, fmt.Errorf("no rows inserted")
	}
	return slices.Min(ids), slices.Max(ids), nil
}
