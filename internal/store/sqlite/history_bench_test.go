package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
	"github.com/ticketbridge/ticketbridge/internal/store/storetest"
)

// BenchmarkHistory measures the per-cycle and API reads on a file holding
// TICKETBRIDGE_BENCH_ALERTS alerts of history (default 100,000):
//
//	TICKETBRIDGE_BENCH_ALERTS=1000000 go test -run '^$' -bench History -benchtime 200x ./internal/store/sqlite/
func BenchmarkHistory(b *testing.B) {
	path := filepath.Join(b.TempDir(), "history.db")
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchHistory(b, s, storetest.HistoryAlerts(b, 100_000), func(ctx context.Context, h storetest.History) error {
		return loadHistory(ctx, path, h)
	})
}

// historyChunk is how many alerts one load transaction writes; a multiple
// of History.PerLink, so a link's alerts share a chunk.
const historyChunk = 50_000

// The history load: one statement per table and chunk, rows made by a
// recursive CTE or copied from the alerts just written (seq ?5 to ?6), so
// a million alerts load in about a minute instead of an hour of ingest.
const (
	sqlHistoryAlerts = `WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
INSERT INTO alerts (tenant_id, source_id, alert_id, organization_key, type, severity, status, previous_status,
    revision, occurred_at, body, received_at, updated_at, status_origin, status_changed_at)
SELECT ?3, ?4, ?5 || i, 'org-' || (i % 50), 'Too Many Downloads', 'high', ?6, '', 1, ?7, ?8 || ?5 || i || ?9,
    ?7, ?7, 'source', ?7
FROM n`
	sqlHistoryLinks = `WITH RECURSIVE n(j) AS (SELECT ?1 UNION ALL SELECT j + 1 FROM n WHERE j < ?2)
INSERT INTO ticket_links (tenant_id, integration_id, company_id, group_key, state, external_ref, psa_ticket_id,
    ticket_number, psa_status, created_at, updated_at, closed_at)
SELECT ?3, ?4, 'c-' || (j % 50), 'hist-' || j, 'closed', 'tb-hist-' || j, 'h' || j, 'T' || j, 'Complete',
    ?5, ?5, ?5
FROM n`
	// ?1 integration, ?2 first link id, ?3 first seq, ?4 alerts per link.
	sqlHistoryRoutes = `INSERT INTO routes (tenant_id, alert_seq, integration_id, outcome, code, reason, ticket_link_id,
    created_at, handled_status, alert_status)
SELECT a.tenant_id, a.seq, ?1, 'queued', '', 'matched rule catch-all', ?2 + (a.seq - ?3) / ?4, a.received_at,
    a.status, a.status
FROM alerts a WHERE a.seq BETWEEN ?5 AND ?6`
	sqlHistoryDeliveries = `INSERT INTO deliveries (tenant_id, integration_id, ticket_link_id, alert_seq, kind, state,
    attempts, next_attempt_at, last_error, payload, result, created_at, updated_at, completed_at)
SELECT a.tenant_id, ?1, ?2 + (a.seq - ?3) / ?4, a.seq,
    CASE WHEN (a.seq - ?3) % ?4 = 0 THEN 'create_ticket' ELSE 'add_note' END, 'done', 1, a.received_at, '',
    '{"subject":"Too Many Downloads: jane@acme.example","company":"c-1"}', 'h' || a.seq,
    a.received_at, a.received_at, a.received_at
FROM alerts a WHERE a.seq BETWEEN ?5 AND ?6`
	// ?1 entries per alert, ?2 integration.
	sqlHistoryTimeline = `WITH RECURSIVE k(e) AS (SELECT 1 UNION ALL SELECT e + 1 FROM k WHERE e < ?1)
INSERT INTO timeline (tenant_id, alert_seq, integration_id, at, event, detail)
SELECT a.tenant_id, a.seq, CASE WHEN e = 1 THEN NULL ELSE ?2 END, a.received_at + e,
    CASE e WHEN 1 THEN 'ingested' WHEN 2 THEN 'routed' ELSE 'delivered' END,
    'history entry ' || e || ' of alert ' || a.alert_id
FROM alerts a, k WHERE a.seq BETWEEN ?5 AND ?6
ORDER BY a.seq, e`
)

// loadHistory writes h into the file at path on a connection of its own,
// chunk by chunk.
func loadHistory(ctx context.Context, path string, h storetest.History) error {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	defer db.Close()
	at := h.At.UnixMicro()
	for lo := 1; lo <= h.Alerts; lo += historyChunk {
		hi := min(lo+historyChunk-1, h.Alerts)
		if err := loadChunk(ctx, db, h, lo, hi, at); err != nil {
			return fmt.Errorf("alerts %d to %d: %w", lo, hi, err)
		}
	}
	return nil
}

func loadChunk(ctx context.Context, db *sql.DB, h storetest.History, lo, hi int, at int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, sqlHistoryAlerts, lo, hi, h.TenantID, h.SourceID, h.IDPrefix, h.Status, at,
		h.BodyHead, h.BodyTail)
	if err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	last, err := res.LastInsertId()
	if err != nil {
		return err
	}
	first := last - int64(hi-lo)
	links := (hi - lo + h.PerLink) / h.PerLink
	res, err = tx.ExecContext(ctx, sqlHistoryLinks, (lo-1)/h.PerLink+1, (lo-1)/h.PerLink+links, h.TenantID,
		h.IntegrationID, at)
	if err != nil {
		return fmt.Errorf("ticket links: %w", err)
	}
	lastLink, err := res.LastInsertId()
	if err != nil {
		return err
	}
	firstLink := lastLink - int64(links) + 1
	steps := []struct {
		name  string
		query string
		args  []any
	}{
		{"routes", sqlHistoryRoutes, []any{h.IntegrationID, firstLink, first, h.PerLink}},
		{"deliveries", sqlHistoryDeliveries, []any{h.IntegrationID, firstLink, first, h.PerLink}},
		{"timeline", sqlHistoryTimeline, []any{h.TimelinePerAlert, h.IntegrationID, nil, nil}},
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.query, append(st.args, first, last)...); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
	}
	return tx.Commit()
}
