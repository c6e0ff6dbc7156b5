package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

// TestOrganizationsBackfill runs 0011's backfill over alerts stored
// before it: one organization per key, named as the latest alert names
// it, from that alert's source.
func TestOrganizationsBackfill(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tb.db")
	s := openFile(t, path, sqlite.Options{})
	ctx := t.Context()
	for _, id := range []string{"s1", "s2"} {
		if err := s.CreateSource(ctx, store.Source{TenantID: store.DefaultTenant, ID: id, TokenHash: "h-" + id}); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for i, x := range []struct{ src, id, orgID, orgName string }{
		{"s1", "a1", "org-1", "Acme"}, {"s2", "a2", "org-1", "Acme Corp"}, {"s1", "a3", "", "Beta LLC"},
	} {
		a := alert.Alert{ID: x.id, Organization: alert.Organization{ID: x.orgID, Name: x.orgName}, Type: "t",
			Severity: alert.SeverityHigh, Status: alert.StatusOpen, Title: "t", OccurredAt: at}
		if _, err := s.UpsertAlert(ctx, store.StoredAlert{TenantID: store.DefaultTenant, SourceID: x.src, Alert: a,
			ReceivedAt: at.Add(time.Duration(i) * time.Minute), UpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(filepath.Join("migrations", "0011_organizations.sql"))
	if err != nil {
		t.Fatal(err)
	}
	backfill := string(body[strings.Index(string(body), "INSERT INTO organizations"):])
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `DELETE FROM organizations`) // as before 0011
	mustExec(t, db, backfill)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s = openFile(t, path, sqlite.Options{})
	defer s.Close()
	orgs, err := s.Organizations(ctx, store.OrganizationFilter{TenantID: store.DefaultTenant})
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 2 {
		t.Fatalf("organizations %+v, want 2", orgs)
	}
	if o := orgs[0]; o.Key != "org-1" || o.Name != "Acme Corp" || o.Origin != "source:s2" || !o.CreatedAt.Equal(at.Add(time.Minute)) {
		t.Errorf("org-1 = %+v, want named by its latest alert, from s2", o)
	}
	if o := orgs[1]; o.Key != "Beta LLC" || o.ID != "" || o.Name != "Beta LLC" {
		t.Errorf("Beta LLC = %+v", o)
	}
}
