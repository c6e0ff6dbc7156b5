package storetest

import (
	"errors"
	"strconv"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

func org(tenant, key, id, name, origin string) store.Organization {
	return store.Organization{TenantID: tenant, Key: key, ID: id, Name: name, Origin: origin, CreatedAt: t0, UpdatedAt: t0}
}

func orgKeys(os []store.Organization) []string {
	out := []string{}
	for _, o := range os {
		out = append(out, o.Key)
	}
	return out
}

// testOrganizations: organizations are recorded once per (tenant, key),
// keep their origin, take a new name, list alphabetically with search
// and cursor paging, and never show across tenants.
func testOrganizations(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.UpsertOrganizations(ctx, []store.Organization{
		org("t1", "org-2", "org-2", "beta LLC", "source:s1"),
		org("t1", "org-1", "org-1", "Acme Corp", "source:s1"),
		org("t1", "Zeta", "", "Zeta", "psa:at"),
		org("t1", "org-9", "org-9", "", "source:s1"),
		org("t2", "org-1", "org-1", "Other tenant's Acme", "source:s9"),
	}))
	// A second sighting from another source renames, keeps the origin; an
	// empty name does not erase one.
	later := org("t1", "org-1", "org-1", "Acme Corporation", "source:s2")
	later.CreatedAt = t0.Add(1e9)
	must(t, s.InTx(ctx, func(q store.Queries) error {
		return q.UpsertOrganizations(ctx, []store.Organization{later, org("t1", "org-2", "org-2", "", "source:s2")})
	}))
	got, err := s.Organization(ctx, "t1", "org-1")
	must(t, err)
	want := org("t1", "org-1", "org-1", "Acme Corporation", "source:s1")
	want.UpdatedAt = later.CreatedAt
	diff(t, "renamed organization", want, got)
	got, err = s.Organization(ctx, "t1", "org-2")
	must(t, err)
	diff(t, "organization sent without a name", org("t1", "org-2", "org-2", "beta LLC", "source:s1"), got)
	_, err = s.Organization(ctx, "t2", "Zeta")
	wantErr(t, err, store.ErrNotFound)

	all, err := s.Organizations(ctx, store.OrganizationFilter{TenantID: "t1"})
	must(t, err)
	diff(t, "alphabetical order", []string{"org-1", "org-2", "org-9", "Zeta"}, orgKeys(all))

	var paged []string
	f := store.OrganizationFilter{TenantID: "t1", Limit: 3}
	for range 3 {
		page, err := s.Organizations(ctx, f)
		must(t, err)
		paged = append(paged, orgKeys(page)...)
		if len(page) < f.Limit {
			break
		}
		last := page[len(page)-1]
		f.AfterSortKey, f.AfterKey = last.SortKey(), last.Key
	}
	diff(t, "pages", orgKeys(all), paged)

	for q, want := range map[string][]string{"ACME": {"org-1"}, "org-9": {"org-9"}, "z": {"Zeta"}, "nothing": {}} {
		got, err := s.Organizations(ctx, store.OrganizationFilter{TenantID: "t1", Query: q})
		must(t, err)
		diff(t, "search "+q, want, orgKeys(got))
	}
	other, err := s.Organizations(ctx, store.OrganizationFilter{TenantID: "t2"})
	must(t, err)
	diff(t, "other tenant", []string{"org-1"}, orgKeys(other))
}

// testSourceTokenRotateRevoke: a rotated source answers only to its new
// token hash, a revoked one to none; the source and its alerts stay, and
// another tenant cannot touch it.
func testSourceTokenRotateRevoke(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "s1")
	other := mustSource(t, s, "t1", "s2")
	a := mustAlert(t, s, src, "a1")
	wantErr(t, s.RotateSourceToken(ctx, "t2", "s1", "hash-new"), store.ErrNotFound)
	wantErr(t, s.RotateSourceToken(ctx, "t1", "nope", "hash-new"), store.ErrNotFound)
	// A taken hash is an answer, and the transaction goes on.
	must(t, s.InTx(ctx, func(q store.Queries) error {
		if err := q.RotateSourceToken(ctx, "t1", "s1", other.TokenHash); !errors.Is(err, store.ErrConflict) {
			t.Errorf("rotate to a taken hash: %v, want ErrConflict", err)
		}
		return q.RotateSourceToken(ctx, "t1", "s1", "hash-new")
	}))
	_, err := s.SourceByTokenHash(ctx, src.TokenHash)
	wantErr(t, err, store.ErrNotFound)
	got, err := s.SourceByTokenHash(ctx, "hash-new")
	must(t, err)
	if got.ID != "s1" {
		t.Errorf("new hash finds %q, want s1", got.ID)
	}
	wantErr(t, s.RevokeSourceToken(ctx, "t2", "s1"), store.ErrNotFound)
	must(t, s.RevokeSourceToken(ctx, "t1", "s1"))
	held, err := s.SourcesByTokenHashes(ctx, []string{"hash-new", src.TokenHash})
	must(t, err)
	if len(held) != 0 {
		t.Errorf("a revoked source still holds a token: %+v", held)
	}
	kept, err := s.SourceByID(ctx, "t1", "s1")
	must(t, err)
	if kept.TokenHash != "" {
		t.Errorf("revoked source has token hash %q", kept.TokenHash)
	}
	_, err = s.AlertBySourceID(ctx, "t1", "s1", a.Alert.ID)
	must(t, err)
	must(t, s.RotateSourceToken(ctx, "t1", "s1", "hash-after-revoke"))
}

// testDeleteIntegration: an integration goes with every row of its own
// in one transaction; the counts match, another integration and the
// alerts stay, another tenant cannot delete it, and a rolled back
// delete leaves everything.
func testDeleteIntegration(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "s1")
	it := mustIntegration(t, s, "t1", "doomed")
	keep := mustIntegration(t, s, "t1", "kept")
	a := mustAlert(t, s, src, "a1")
	b := mustAlert(t, s, src, "a2")
	var doomedLink, keptLink store.TicketLink
	for _, x := range []struct {
		it   store.Integration
		link *store.TicketLink
	}{{it, &doomedLink}, {keep, &keptLink}} {
		*x.link = mustLink(t, s, x.it, "c1", "g1")
		closed := mustLink(t, s, x.it, "c1", "g0")
		setLinkState(t, s, closed, store.LinkClosed)
		for _, al := range []store.StoredAlert{a, b} {
			must(t, s.InsertRoute(ctx, store.Route{TenantID: "t1", AlertSeq: al.Seq, IntegrationID: x.it.ID,
				Outcome: store.RouteQueued, TicketLinkID: x.link.ID, HandledStatus: alert.StatusOpen, CreatedAt: t0}))
			_, err := s.InsertDelivery(ctx, store.Delivery{TenantID: "t1", IntegrationID: x.it.ID, TicketLinkID: x.link.ID,
				AlertSeq: al.Seq, Kind: store.DeliveryCreateTicket, State: store.DeliveryPending, NextAttemptAt: t0,
				Payload: []byte(`{}`), CreatedAt: t0, UpdatedAt: t0})
			must(t, err)
			must(t, s.AppendTimeline(ctx, store.TimelineEntry{TenantID: "t1", AlertSeq: al.Seq, IntegrationID: x.it.ID, At: t0, Event: "queued"}))
		}
		must(t, s.SetCursor(ctx, x.it.ID, "drift", `{"findings":[]}`))
		must(t, s.MarkSeen(ctx, x.it.ID, "ticket-1#1", t0))
		must(t, s.AppendBillingAudit(ctx, store.BillingAudit{TenantID: "t1", IntegrationID: x.it.ID, Organization: "org-42",
			Period: "2026-11", Action: "unchanged", EffectiveDate: t0, At: t0}))
		_, err := s.AcquireLease(ctx, "integration:"+strconv.FormatInt(x.it.ID, 10), "replica-a", 1e10, t0)
		must(t, err)
	}
	want := store.IntegrationData{Routes: 2, TicketLinks: 2, OpenTickets: 1, Deliveries: 2, Timeline: 2, Cursors: 1, SeenEvents: 1, BillingAudits: 1}

	_, err := s.IntegrationData(ctx, "t2", it.ID)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.DeleteIntegration(ctx, "t2", it.ID)
	wantErr(t, err, store.ErrNotFound)
	counts, err := s.IntegrationData(ctx, "t1", it.ID)
	must(t, err)
	diff(t, "counts", want, counts)

	rollback := errors.New("roll back")
	err = s.InTx(ctx, func(q store.Queries) error {
		if _, err := q.DeleteIntegration(ctx, "t1", it.ID); err != nil {
			return err
		}
		return rollback
	})
	wantErr(t, err, rollback)
	if _, err := s.Integration(ctx, it.ID); err != nil {
		t.Fatalf("a rolled back delete removed the integration: %v", err)
	}

	got, err := s.DeleteIntegration(ctx, "t1", it.ID)
	must(t, err)
	diff(t, "deleted", want, got)
	_, err = s.Integration(ctx, it.ID)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.IntegrationData(ctx, "t1", it.ID)
	wantErr(t, err, store.ErrNotFound)
	links, err := s.TicketLinks(ctx, it.ID)
	must(t, err)
	if len(links) != 0 {
		t.Errorf("%d ticket links left", len(links))
	}
	_, err = s.Cursor(ctx, it.ID, "drift")
	wantErr(t, err, store.ErrNotFound)
	// The lease of the integration went too: a new holder gets it at once.
	_, err = s.AcquireLease(ctx, "integration:"+strconv.FormatInt(it.ID, 10), "replica-b", 1e10, t0)
	must(t, err)

	kept, err := s.IntegrationData(ctx, "t1", keep.ID)
	must(t, err)
	diff(t, "the other integration", want, kept)
	for _, al := range []store.StoredAlert{a, b} {
		routes, err := s.Routes(ctx, al.Seq)
		must(t, err)
		if len(routes) != 1 || routes[0].IntegrationID != keep.ID {
			t.Errorf("alert %d routes = %+v, want only the kept integration's", al.Seq, routes)
		}
		tl, err := s.Timeline(ctx, al.Seq)
		must(t, err)
		if len(tl) != 1 {
			t.Errorf("alert %d has %d timeline entries, want the kept integration's 1", al.Seq, len(tl))
		}
	}
	if _, err := s.TicketLink(ctx, keptLink.ID); err != nil {
		t.Errorf("the other integration's link: %v", err)
	}
	if _, err := s.TicketLink(ctx, doomedLink.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the deleted integration's link: %v, want ErrNotFound", err)
	}
}
