package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
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

// TestUpgradeToPendingWork opens a file written before 0004_pending_work,
// with a status change already waiting, and checks the backfill of the
// routes' copy of their alert's status: the waiting change is still
// listed, the handled route and the skipped one are not, and a change after
// the upgrade joins it.
func TestUpgradeToPendingWork(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tb.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL, applied_at BIGINT NOT NULL)`)
	for i, name := range []string{"0001_init", "0002_leases", "0003_status_billing"} {
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
	for i, a := range []struct{ id, status string }{{"handled", "open"}, {"waiting", "resolved"}, {"skipped", "resolved"}} {
		mustExec(t, db, `INSERT INTO alerts (tenant_id, source_id, alert_id, organization_key, type, severity, status,
    previous_status, revision, occurred_at, body, received_at, updated_at, status_origin, status_changed_at)
VALUES ('default', 'src', ?1, 'org', 't', 'high', ?2, '', 1, 0,
    json_object('id', ?1, 'organization', json_object(), 'type', 't', 'severity', 'high', 'status', ?2,
        'title', 'x', 'occurred_at', '1970-01-01T00:00:00Z'),
    0, 0, 'source', ?3)`, a.id, a.status, i+1)
	}
	mustExec(t, db, `INSERT INTO routes (tenant_id, alert_seq, integration_id, outcome, code, reason, created_at, handled_status)
SELECT 'default', seq, 1, CASE alert_id WHEN 'skipped' THEN 'skipped' ELSE 'queued' END, '', '', 0,
    CASE alert_id WHEN 'skipped' THEN '' ELSE 'open' END
FROM alerts`)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := openFile(t, path, sqlite.Options{})
	defer s.Close()
	changed := func() []string {
		t.Helper()
		got, err := s.StatusChanges(t.Context(), 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range got {
			ids = append(ids, a.Alert.ID)
		}
		return ids
	}
	if got := changed(); !slices.Equal(got, []string{"waiting"}) {
		t.Errorf("status changes after upgrade = %v, want [waiting]", got)
	}
	handled, err := s.AlertBySourceID(t.Context(), "default", "src", "handled")
	if err != nil {
		t.Fatal(err)
	}
	handled.Alert.Status, handled.UpdatedAt = alert.StatusInProgress, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	if _, err := s.UpsertAlert(t.Context(), handled); err != nil {
		t.Fatal(err)
	}
	if got := changed(); !slices.Equal(got, []string{"waiting", "handled"}) {
		t.Errorf("status changes after a re-send = %v, want [waiting handled]", got)
	}
}
