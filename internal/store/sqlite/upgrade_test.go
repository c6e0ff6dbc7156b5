package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

// TestUpgradeToStatusSync opens a file written before 0003_status_billing
// and checks the backfill: old alerts' status is the source's, and old
// routes count as handled, so upgrading does not make every past alert
// look like a status change.
func TestUpgradeToStatusSync(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tb.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"0001_init", "0002_leases"} {
		body, err := os.ReadFile(filepath.Join("migrations", name+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, string(body))
		mustExec(t, db, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL, applied_at BIGINT NOT NULL)`)
		mustExec(t, db, `INSERT INTO schema_migrations VALUES (?, ?, 0)`, i+1, name)
	}
	updated := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	mustExec(t, db, `INSERT INTO sources VALUES ('default', 'src', 'Source', NULL, '', 0)`)
	mustExec(t, db, `INSERT INTO integrations (tenant_id, name, psa, settings, credentials, version, created_at, updated_at)
VALUES ('default', 'psa', 'autotask', '{}', '{}', 1, 0, 0)`)
	mustExec(t, db, `INSERT INTO alerts (tenant_id, source_id, alert_id, organization_key, type, severity, status,
    previous_status, revision, occurred_at, body, received_at, updated_at)
VALUES ('default', 'src', 'a1', 'org', 't', 'high', 'resolved', 'open', 2, 0,
    '{"id":"a1","organization":{},"type":"t","severity":"high","status":"resolved","title":"x","occurred_at":"1970-01-01T00:00:00Z"}',
    0, ?)`, updated.UnixMicro())
	mustExec(t, db, `INSERT INTO routes VALUES ('default', 1, 1, 'queued', '', '', NULL, 0)`)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := openFile(t, path, sqlite.Options{})
	defer s.Close()
	a, err := s.AlertBySeq(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if a.StatusOrigin != "source" || !a.StatusChangedAt.Equal(updated) {
		t.Errorf("old alert: status from %q at %v, want from source at %v", a.StatusOrigin, a.StatusChangedAt, updated)
	}
	routes, err := s.Routes(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != 1 || routes[0].HandledStatus != alert.StatusResolved {
		t.Errorf("old routes = %+v, want one handled at resolved", routes)
	}
	changes, err := s.StatusChanges(t.Context(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 0 {
		t.Errorf("status changes after upgrade = %+v, want none", changes)
	}
}

func mustExec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), query, args...); err != nil {
		t.Fatalf("exec %.40q: %v", query, err)
	}
}
