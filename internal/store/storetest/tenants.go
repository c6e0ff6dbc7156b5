package storetest

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// testTenants: tenants are created, read, listed and deleted; the default
// tenant is there from the first migration.
func testTenants(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := store.Tenant{ID: "acme", Name: "Acme MSP", CreatedAt: t0}
	must(t, s.CreateTenant(ctx, acme))
	wantErr(t, s.CreateTenant(ctx, store.Tenant{ID: "acme", Name: "again", CreatedAt: t0}), store.ErrConflict)

	got, err := s.Tenant(ctx, "acme")
	must(t, err)
	diff(t, "tenant", acme, got)
	_, err = s.Tenant(ctx, "nope")
	wantErr(t, err, store.ErrNotFound)

	all, err := s.Tenants(ctx)
	must(t, err)
	if len(all) != 2 || all[0].ID != "acme" || all[1].ID != store.DefaultTenant {
		t.Fatalf("tenants = %+v, want acme and default", all)
	}

	used, err := s.TenantHasData(ctx, "acme")
	must(t, err)
	if used {
		t.Fatal("an empty tenant has data")
	}
	must(t, s.InTx(ctx, func(q store.Queries) error { return q.DeleteTenant(ctx, "acme") }))
	_, err = s.Tenant(ctx, "acme")
	wantErr(t, err, store.ErrNotFound)
	wantErr(t, s.DeleteTenant(ctx, "acme"), store.ErrNotFound)
}

// testDeleteTenantWithData: deleting a tenant takes everything it holds
// and nothing of another tenant's.
func testDeleteTenantWithData(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, id := range []string{"gone", "kept"} {
		must(t, s.CreateTenant(ctx, store.Tenant{ID: id, Name: id, CreatedAt: t0}))
	}
	gone, kept := newFixture(t, s, "gone"), newFixture(t, s, "kept")
	for _, f := range []fixture{gone, kept} {
		link := mustLink(t, s, f.it, "c1", "g1")
		f.delivery(t, s, link, store.DeliveryCreateTicket, store.DeliveryPending, t0)
		must(t, s.InsertRoute(ctx, store.Route{TenantID: f.it.TenantID, AlertSeq: f.alert.Seq, IntegrationID: f.it.ID,
			Outcome: store.RouteQueued, TicketLinkID: link.ID, CreatedAt: t0}))
		must(t, s.AppendTimeline(ctx, store.TimelineEntry{TenantID: f.it.TenantID, AlertSeq: f.alert.Seq, At: t0, Event: "received"}))
		must(t, s.CreateAPIToken(ctx, store.APIToken{TenantID: f.it.TenantID, Name: "admin", TokenHash: "h-" + f.it.TenantID, CreatedAt: t0}))
		must(t, s.UpsertOrganizations(ctx, []store.Organization{{TenantID: f.it.TenantID, Key: "org-1", ID: "org-1", Name: "Org One",
			Origin: "source:" + f.alert.SourceID, CreatedAt: t0, UpdatedAt: t0}}))
	}
	used, err := s.TenantHasData(ctx, "gone")
	must(t, err)
	if !used {
		t.Fatal("a tenant with a source, an integration and an alert has no data")
	}
	must(t, s.DeleteTenant(ctx, "gone"))

	_, err = s.AlertBySeq(ctx, gone.alert.Seq)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.APITokenByHash(ctx, "h-gone")
	wantErr(t, err, store.ErrNotFound)
	its, err := s.Integrations(ctx, "gone")
	must(t, err)
	diff(t, "integrations left", 0, len(its))
	_, err = s.Organization(ctx, "gone", "org-1")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Organization(ctx, "kept", "org-1")
	must(t, err)

	got, err := s.AlertBySeq(ctx, kept.alert.Seq)
	must(t, err)
	diff(t, "kept alert", kept.alert, got)
	ds, err := s.Deliveries(ctx, store.DeliveryFilter{TenantID: "kept"})
	must(t, err)
	diff(t, "kept deliveries", 1, len(ds))
	_, err = s.APITokenByHash(ctx, "h-kept")
	must(t, err)
}

// testAPITokensPerTenant: tokens are listed per tenant, revoked at once
// (no longer found by hash) and keep their row and name.
func testAPITokensPerTenant(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := store.APIToken{TenantID: "t1", Name: "ci", TokenHash: "hash-ci", Role: store.RoleAdmin, CreatedAt: t0}
	b := store.APIToken{TenantID: "t1", Name: "ops", TokenHash: "hash-ops", Role: store.RoleOperator, CreatedAt: t0}
	other := store.APIToken{TenantID: "t2", Name: "ci", TokenHash: "hash-t2", CreatedAt: t0}
	for _, tok := range []store.APIToken{a, b, other} {
		must(t, s.CreateAPIToken(ctx, tok))
	}
	wantErr(t, s.CreateAPIToken(ctx, store.APIToken{TenantID: "t1", Name: "ci", TokenHash: "h3", CreatedAt: t0}), store.ErrConflict)

	got, err := s.APITokens(ctx, "t1")
	must(t, err)
	diff(t, "t1 tokens", []store.APIToken{a, b}, got)
	byHash, err := s.APITokenByHash(ctx, "hash-t2")
	must(t, err)
	diff(t, "default role", store.RoleAdmin, byHash.Role)

	revoked := t0.Add(time.Hour)
	must(t, s.RevokeAPIToken(ctx, "t1", "ci", revoked))
	_, err = s.APITokenByHash(ctx, a.TokenHash)
	wantErr(t, err, store.ErrNotFound)
	wantErr(t, s.RevokeAPIToken(ctx, "t1", "ci", revoked), store.ErrNotFound)
	wantErr(t, s.RevokeAPIToken(ctx, "t2", "ops", revoked), store.ErrNotFound) // another tenant's name

	got, err = s.APITokens(ctx, "t1")
	must(t, err)
	a.RevokedAt = &revoked
	diff(t, "t1 tokens after revoke", []store.APIToken{a, b}, got)
	_, err = s.APITokenByHash(ctx, "hash-t2")
	must(t, err) // the other tenant's "ci" lives on
}

// testTenantReads: reads by id within a tenant find the tenant's objects
// and nothing of another tenant's, whatever the id.
func testTenantReads(t *testing.T, s store.Store) {
	ctx := t.Context()
	fa, fb := newFixture(t, s, "ta"), newFixture(t, s, "tb")
	la, lb := mustLink(t, s, fa.it, "c", "g"), mustLink(t, s, fb.it, "c", "g")
	da := fa.delivery(t, s, la, store.DeliveryCreateTicket, store.DeliveryPending, t0)
	db := fb.delivery(t, s, lb, store.DeliveryCreateTicket, store.DeliveryPending, t0)
	for _, f := range []fixture{fa, fb} {
		must(t, s.InsertRoute(ctx, store.Route{TenantID: f.it.TenantID, AlertSeq: f.alert.Seq, IntegrationID: f.it.ID,
			Outcome: store.RouteSkipped, Code: "x", CreatedAt: t0}))
		must(t, s.AppendTimeline(ctx, store.TimelineEntry{TenantID: f.it.TenantID, AlertSeq: f.alert.Seq, At: t0, Event: "received"}))
	}

	a, err := s.TenantAlert(ctx, "ta", fa.alert.Seq)
	must(t, err)
	diff(t, "own alert", fa.alert, a)
	l, err := s.TenantTicketLink(ctx, "ta", la.ID)
	must(t, err)
	diff(t, "own link", la, l)
	d, err := s.TenantDelivery(ctx, "ta", da.ID)
	must(t, err)
	diff(t, "own delivery", da, d)
	rs, err := s.TenantRoutes(ctx, "ta", fa.alert.Seq)
	must(t, err)
	diff(t, "own routes", 1, len(rs))
	es, err := s.TenantTimeline(ctx, "ta", fa.alert.Seq)
	must(t, err)
	diff(t, "own timeline", 1, len(es))

	_, err = s.TenantAlert(ctx, "ta", fb.alert.Seq)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.TenantTicketLink(ctx, "ta", lb.ID)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.TenantDelivery(ctx, "ta", db.ID)
	wantErr(t, err, store.ErrNotFound)
	rs, err = s.TenantRoutes(ctx, "ta", fb.alert.Seq)
	must(t, err)
	diff(t, "other's routes", 0, len(rs))
	es, err = s.TenantTimeline(ctx, "ta", fb.alert.Seq)
	must(t, err)
	diff(t, "other's timeline", 0, len(es))
}
