package storetest

import (
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

func testIntegrations(t *testing.T, s store.Store) {
	ctx := t.Context()
	zeta := mustIntegration(t, s, "t1", "zeta")
	if zeta.ID == 0 || zeta.Version != 1 || zeta.CreatedAt.IsZero() || zeta.UpdatedAt.IsZero() {
		t.Fatalf("new integration = %+v, want an id, version 1 and times", zeta)
	}
	alpha := mustIntegration(t, s, "t1", "alpha")

	got, err := s.Integration(ctx, zeta.ID)
	must(t, err)
	diff(t, "integration by id", zeta, got)
	got, err = s.IntegrationByName(ctx, "t1", "alpha")
	must(t, err)
	diff(t, "integration by name", alpha, got)

	changed := zeta
	changed.Settings = []byte(`{"queue":"Monitoring"}`)
	changed.Credentials = map[string]string{"secret": "v2:ciphertext", "user": "v2:other"}
	updated, err := s.PutIntegration(ctx, changed)
	must(t, err)
	if updated.Version != 2 || updated.ID != zeta.ID || !updated.CreatedAt.Equal(zeta.CreatedAt) {
		t.Errorf("updated = %+v, want id %d, version 2, created %v", updated, zeta.ID, zeta.CreatedAt)
	}
	got, err = s.Integration(ctx, zeta.ID)
	must(t, err)
	diff(t, "updated integration", updated, got)

	again, err := s.PutIntegration(ctx, updated)
	must(t, err)
	if again.Version != 3 {
		t.Errorf("version after second update = %d, want 3", again.Version)
	}

	list, err := s.Integrations(ctx, "t1")
	must(t, err)
	diff(t, "integrations by name", []store.Integration{alpha, again}, list)

	_, err = s.Integration(ctx, zeta.ID+1000)
	wantErr(t, err, store.ErrNotFound)
	ghost := zeta
	ghost.ID = zeta.ID + 1000
	_, err = s.PutIntegration(ctx, ghost)
	wantErr(t, err, store.ErrNotFound)
}

func testIntegrationUniqueName(t *testing.T, s store.Store) {
	ctx := t.Context()
	first := mustIntegration(t, s, "t1", "psa")
	other := mustIntegration(t, s, "t1", "other")
	mustIntegration(t, s, "t2", "psa") // names are unique per tenant only

	dup := store.Integration{TenantID: "t1", Name: "psa", PSA: "testpsa", Settings: []byte(`{}`)}
	_, err := s.PutIntegration(ctx, dup)
	wantErr(t, err, store.ErrConflict)

	rename := other
	rename.Name = first.Name
	_, err = s.PutIntegration(ctx, rename)
	wantErr(t, err, store.ErrConflict)
}

func testRoutes(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it := mustIntegration(t, s, "t1", "psa")
	skipped, queued := mustAlert(t, s, src, "a1"), mustAlert(t, s, src, "a2")
	link := mustLink(t, s, it, "c1", "g1")

	skip := store.Route{TenantID: "t1", AlertSeq: skipped.Seq, IntegrationID: it.ID, Outcome: store.RouteSkipped,
		Code: "too_old", Reason: "older than sync.since", CreatedAt: t0}
	must(t, s.InsertRoute(ctx, skip))
	wantErr(t, s.InsertRoute(ctx, skip), store.ErrConflict)
	queue := store.Route{TenantID: "t1", AlertSeq: queued.Seq, IntegrationID: it.ID, Outcome: store.RouteQueued,
		Reason: "new ticket", TicketLinkID: link.ID, CreatedAt: t0}
	must(t, s.InsertRoute(ctx, queue))

	got, err := s.Routes(ctx, skipped.Seq)
	must(t, err)
	diff(t, "routes of skipped alert", []store.Route{skip}, got)
	unrouted, err := s.UnroutedAlerts(ctx, "t1", it.ID, 0, 0)
	must(t, err)
	diff(t, "unrouted while routed", []int64(nil), seqs(unrouted))

	byLink, err := s.AlertsByTicketLink(ctx, link.ID)
	must(t, err)
	diff(t, "alerts of link", []int64{queued.Seq}, seqs(byLink))

	for code, want := range map[string]int64{"other_code": 0, "": 0, "too_old": 1} {
		n, err := s.DeleteSkippedRoutes(ctx, it.ID, code)
		must(t, err)
		if n != want {
			t.Errorf("DeleteSkippedRoutes(%q) = %d, want %d", code, n, want)
		}
	}
	unrouted, err = s.UnroutedAlerts(ctx, "t1", it.ID, 0, 0)
	must(t, err)
	diff(t, "unrouted after backfill", []int64{skipped.Seq}, seqs(unrouted))

	testSetRouteLink(t, s, it, queued)
}

// testRoutesBatch: routes inserted together read back like routes
// inserted one by one; a batch with one route already present is refused
// whole.
func testRoutesBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it := mustIntegration(t, s, "t1", "psa")
	a, b, c := mustAlert(t, s, src, "a1"), mustAlert(t, s, src, "a2"), mustAlert(t, s, src, "a3")
	link := mustLink(t, s, it, "c1", "g1")
	must(t, s.InsertRoutes(ctx, nil))
	batch := []store.Route{
		{TenantID: "t1", AlertSeq: a.Seq, IntegrationID: it.ID, Outcome: store.RouteSkipped,
			Code: "too_old", Reason: "older than sync.since", CreatedAt: t0},
		{TenantID: "t1", AlertSeq: b.Seq, IntegrationID: it.ID, Outcome: store.RouteQueued, HandledStatus: b.Alert.Status,
			Reason: "new ticket; ünïcode \"quoted\"", TicketLinkID: link.ID, CreatedAt: t0},
	}
	must(t, s.InsertRoutes(ctx, batch))
	for _, r := range batch {
		got, err := s.Routes(ctx, r.AlertSeq)
		must(t, err)
		diff(t, "routes of alert", []store.Route{r}, got)
	}
	unrouted, err := s.UnroutedAlerts(ctx, "t1", it.ID, 0, 0)
	must(t, err)
	diff(t, "unrouted after the batch", []int64{c.Seq}, seqs(unrouted))

	again := []store.Route{{TenantID: "t1", AlertSeq: c.Seq, IntegrationID: it.ID, Outcome: store.RouteSkipped,
		Code: "too_old", CreatedAt: t0}, batch[1]}
	wantErr(t, s.InsertRoutes(ctx, again), store.ErrConflict)
	got, err := s.Routes(ctx, c.Seq)
	must(t, err)
	diff(t, "routes of the refused batch's new alert", []store.Route(nil), got)
}

func testSetRouteLink(t *testing.T, s store.Store, it store.Integration, a store.StoredAlert) {
	ctx := t.Context()
	old, err := s.OpenTicketLink(ctx, it.ID, "c1", "g1")
	must(t, err)
	setLinkState(t, s, old, store.LinkClosed)
	fresh := mustLink(t, s, it, "c1", "g1")

	must(t, s.SetRouteLink(ctx, a.Seq, it.ID, fresh.ID))
	routes, err := s.Routes(ctx, a.Seq)
	must(t, err)
	if len(routes) != 1 || routes[0].TicketLinkID != fresh.ID {
		t.Errorf("routes after SetRouteLink = %+v, want link %d", routes, fresh.ID)
	}
	byLink, err := s.AlertsByTicketLink(ctx, old.ID)
	must(t, err)
	diff(t, "alerts of old link", []int64(nil), seqs(byLink))
	wantErr(t, s.SetRouteLink(ctx, a.Seq+1000, it.ID, fresh.ID), store.ErrNotFound)
}
