package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
	"github.com/ticketbridge/ticketbridge/internal/store/storetest"
)

// TestPruneUsesIndexes pins the plans of a retention batch: the candidates
// come from alerts_tenant_updated in order (no sort), and every other read
// and delete finds one alert's rows through an index on alert_seq, so a
// batch never scans a table (only its own list of seqs).
func TestPruneUsesIndexes(t *testing.T) {
	t.Parallel()
	s := openFile(t, filepath.Join(t.TempDir(), "tb.db"), sqlite.Options{})
	defer s.Close()
	check := func(query string, args []any, use string) {
		t.Helper()
		plan, err := s.QueryPlan(t.Context(), query, args...)
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(plan, "\n")
		if !strings.Contains(all, use) {
			t.Errorf("plan of %q does not use %q:\n%s", firstWords(query), use, all)
		}
		for _, step := range plan {
			if (strings.HasPrefix(step, "SCAN") && !strings.HasPrefix(step, "SCAN json_each")) || strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("plan of %q scans or sorts: %q\n%s", firstWords(query), step, all)
			}
		}
	}
	check(sqlite.SQLPruneCandidates, []any{"t1", 0, 500}, "alerts_tenant_updated (tenant_id=? AND updated_at<?)")
	for _, del := range sqlite.SQLPruneDeletes {
		check(del, []any{"[1,2]"}, "(alert_seq=?)")
	}
}

func firstWords(q string) string {
	if len(q) > 40 {
		return q[:40] + "…"
	}
	return q
}

// BenchmarkPrune measures retention batches of 500 on a file holding
// TICKETBRIDGE_BENCH_ALERTS finished alerts (default 100,000), behind
// 1,000 older alerts on an open ticket:
//
//	TICKETBRIDGE_BENCH_ALERTS=1000000 go test -run '^$' -bench Prune -benchtime 100x ./internal/store/sqlite/
func BenchmarkPrune(b *testing.B) {
	path := filepath.Join(b.TempDir(), "history.db")
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchPrune(b, s, storetest.HistoryAlerts(b, 100_000), func(ctx context.Context, h storetest.History) error {
		return loadHistory(ctx, path, h)
	})
}

// TestUpgradeToRetention opens a file written before 0006_retention, whose
// deliveries hold their payloads in their rows, and checks the move: the
// payloads of deliveries that may still run read back from their new
// table, a done delivery's is gone (nothing reads it any more), and the
// alerts prune with their deliveries.
func TestUpgradeToRetention(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tb.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL, applied_at BIGINT NOT NULL)`)
	for i, name := range []string{"0001_init", "0002_leases", "0003_status_billing", "0004_pending_work", "0005_write_probe"} {
		body, err := os.ReadFile(filepath.Join("migrations", name+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, string(body))
		mustExec(t, db, `INSERT INTO schema_migrations VALUES (?, ?, 0)`, i+1, name)
	}
	mustExec(t, db, `INSERT INTO sources VALUES ('default', 'src', 'Source', NULL, '', 0)`)
	mustExec(t, db, `INSERT INTO integrations (tenant_id, name, psa, settings, credentials, version, created_at, updated_at)
VALUES ('default', 'psa', 'autotask', '{}', '{}', 1, 0, 0)`)
	mustExec(t, db, `INSERT INTO alerts (tenant_id, source_id, alert_id, organization_key, type, severity, status,
    previous_status, revision, occurred_at, body, received_at, updated_at)
VALUES ('default', 'src', 'a1', 'org', 't', 'high', 'open', '', 1, 0,
    '{"id":"a1","organization":{},"type":"t","severity":"high","status":"open","title":"x","occurred_at":"1970-01-01T00:00:00Z"}',
    0, 0)`)
	for _, state := range []string{"pending", "failed", "done", "merged"} {
		mustExec(t, db, `INSERT INTO deliveries (tenant_id, integration_id, alert_seq, kind, state, attempts,
    next_attempt_at, last_error, payload, result, created_at, updated_at)
VALUES ('default', 1, 1, 'add_note', ?1, 0, 0, '', '{"state":"' || ?1 || '"}', '', 0, 0)`, state)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := openFile(t, path, sqlite.Options{})
	defer s.Close()
	ds, err := s.Deliveries(t.Context(), store.DeliveryFilter{TenantID: store.DefaultTenant, AlertSeq: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := map[store.DeliveryState]string{}
	for _, d := range ds {
		got[d.State] = string(d.Payload)
	}
	want := map[store.DeliveryState]string{
		store.DeliveryPending: `{"state":"pending"}`, store.DeliveryFailed: `{"state":"failed"}`,
		store.DeliveryDone: "", store.DeliveryMerged: "",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("payloads after the upgrade (-want +got):\n%s", d)
	}
	// The pending delivery keeps the alert; once it is done, it goes.
	if n, err := s.PruneAlerts(t.Context(), store.DefaultTenant, time.UnixMicro(1), 10); err != nil || n != 0 {
		t.Fatalf("prune with a pending delivery: %d, %v; want 0", n, err)
	}
	for _, d := range ds {
		if d.State == store.DeliveryPending {
			d.State = store.DeliveryDone
			if err := s.UpdateDelivery(t.Context(), d); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, err := s.PruneAlerts(t.Context(), store.DefaultTenant, time.UnixMicro(1), 10); err != nil || n != 1 {
		t.Fatalf("prune after the delivery is done: %d, %v; want 1", n, err)
	}
}
