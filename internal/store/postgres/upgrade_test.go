package postgres_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// TestUpgradeToStatusSync writes a schema as it was before
// 0003_status_billing and checks the backfill: old alerts' status is the
// source's, and old routes count as handled, so upgrading does not make
// every past alert look like a status change.
func TestUpgradeToStatusSync(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	schema := freshSchema(t, url)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	updated := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	steps := []string{
		"CREATE SCHEMA " + pgx.Identifier{schema}.Sanitize(),
		"SET search_path = " + pgx.Identifier{schema}.Sanitize(),
		readMigration(t, "0001_init"),
		readMigration(t, "0002_leases"),
		`CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_init', now()), (2, '0002_leases', now())`,
		`INSERT INTO sources VALUES ('default', 'src', 'Source', NULL, '', now())`,
		`INSERT INTO integrations (tenant_id, name, psa, settings, credentials, version, created_at, updated_at)
VALUES ('default', 'psa', 'autotask', '{}', '{}', 1, now(), now())`,
		`INSERT INTO alerts (tenant_id, source_id, alert_id, organization_key, type, severity, status,
    previous_status, revision, occurred_at, body, received_at, updated_at)
VALUES ('default', 'src', 'a1', 'org', 't', 'high', 'resolved', 'open', 2, 'epoch',
    '{"id":"a1","organization":{},"type":"t","severity":"high","status":"resolved","title":"x","occurred_at":"1970-01-01T00:00:00Z"}',
    'epoch', '` + updated.Format(time.RFC3339) + `')`,
		`INSERT INTO routes SELECT 'default', seq, (SELECT id FROM integrations), 'queued', '', '', NULL, now() FROM alerts`,
	}
	for _, sql := range steps {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("exec %.40q: %v", sql, err)
		}
	}

	s := closeStore(t, openStore(t, url, schema))
	var seq, integrationID int64
	if err := conn.QueryRow(ctx, `SELECT seq, (SELECT id FROM integrations) FROM alerts`).Scan(&seq, &integrationID); err != nil {
		t.Fatal(err)
	}
	a, err := s.AlertBySeq(ctx, seq)
	if err != nil {
		t.Fatal(err)
	}
	if a.StatusOrigin != "source" || !a.StatusChangedAt.Equal(updated) {
		t.Errorf("old alert: status from %q at %v, want from source at %v", a.StatusOrigin, a.StatusChangedAt, updated)
	}
	routes, err := s.Routes(ctx, seq)
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != 1 || routes[0].HandledStatus != alert.StatusResolved {
		t.Errorf("old routes = %+v, want one handled at resolved", routes)
	}
	changes, err := s.StatusChanges(ctx, integrationID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 0 {
		t.Errorf("status changes after upgrade = %+v, want none", changes)
	}
}

func readMigration(t *testing.T, name string) string {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("migrations", name+".sql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// TestUpgradeToPendingWork writes a schema as it was before
// 0004_pending_work, with a status change already waiting, and checks the
// backfill of the routes' copy of their alert's status: the waiting change
// is still listed, the handled route and the skipped one are not, and a
// change after the upgrade joins it.
func TestUpgradeToPendingWork(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	schema := freshSchema(t, url)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	body := func(id, status string) string {
		return `'{"id":"` + id + `","organization":{},"type":"t","severity":"high","status":"` + status +
			`","title":"x","occurred_at":"1970-01-01T00:00:00Z"}'`
	}
	alertRow := func(id, status string, changed int) string {
		return `('default', 'src', '` + id + `', 'org', 't', 'high', '` + status + `', '', 1, 'epoch', ` + body(id, status) +
			`, 'epoch', 'epoch', 'source', 'epoch'::timestamptz + interval '` + fmt.Sprint(changed) + ` hours')`
	}
	steps := []string{
		"CREATE SCHEMA " + pgx.Identifier{schema}.Sanitize(),
		"SET search_path = " + pgx.Identifier{schema}.Sanitize(),
		readMigration(t, "0001_init"),
		readMigration(t, "0002_leases"),
		readMigration(t, "0003_status_billing"),
		`CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, '0001_init', now()), (2, '0002_leases', now()),
    (3, '0003_status_billing', now())`,
		`INSERT INTO sources VALUES ('default', 'src', 'Source', NULL, '', now())`,
		`INSERT INTO integrations (tenant_id, name, psa, settings, credentials, version, created_at, updated_at)
VALUES ('default', 'psa', 'autotask', '{}', '{}', 1, now(), now())`,
		`INSERT INTO alerts (tenant_id, source_id, alert_id, organization_key, type, severity, status,
    previous_status, revision, occurred_at, body, received_at, updated_at, status_origin, status_changed_at)
VALUES ` + alertRow("handled", "open", 1) + `, ` + alertRow("waiting", "resolved", 2) + `, ` + alertRow("skipped", "resolved", 3),
		`INSERT INTO routes (tenant_id, alert_seq, integration_id, outcome, code, reason, created_at, handled_status)
SELECT 'default', seq, (SELECT id FROM integrations), CASE alert_id WHEN 'skipped' THEN 'skipped' ELSE 'queued' END,
    '', '', now(), CASE alert_id WHEN 'skipped' THEN '' ELSE 'open' END
FROM alerts`,
	}
	for _, sql := range steps {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("exec %.40q: %v", sql, err)
		}
	}

	s := closeStore(t, openStore(t, url, schema))
	var integrationID int64
	if err := conn.QueryRow(ctx, `SELECT id FROM `+pgx.Identifier{schema, "integrations"}.Sanitize()).Scan(&integrationID); err != nil {
		t.Fatal(err)
	}
	changed := func() []string {
		t.Helper()
		got, err := s.StatusChanges(ctx, integrationID, 0)
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
	handled, err := s.AlertBySourceID(ctx, "default", "src", "handled")
	if err != nil {
		t.Fatal(err)
	}
	handled.Alert.Status, handled.UpdatedAt = alert.StatusInProgress, time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	if _, err := s.UpsertAlert(ctx, handled); err != nil {
		t.Fatal(err)
	}
	if got := changed(); !slices.Equal(got, []string{"waiting", "handled"}) {
		t.Errorf("status changes after a re-send = %v, want [waiting handled]", got)
	}
}
