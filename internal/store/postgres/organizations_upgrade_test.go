package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestOrganizationsBackfill runs 0011's backfill over alerts stored
// before it: one organization per key, named as the latest alert names
// it, from that alert's source.
func TestOrganizationsBackfill(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	schema := freshSchema(t, url)
	s := closeStore(t, openStore(t, url, schema))
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
	body, err := os.ReadFile(filepath.Join("migrations", "0011_organizations.sql"))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, q := range []string{
		"SET search_path TO " + pgx.Identifier{schema}.Sanitize(),
		"DELETE FROM organizations", // as before 0011
		string(body[strings.Index(string(body), "INSERT INTO organizations"):]),
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
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
