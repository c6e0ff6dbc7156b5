package storetest

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// testTicketLinkPage: the tickets list pages one integration's links
// newest first, by state, with each link's alert count, and never shows
// another tenant's link or alerts.
func testTicketLinkPage(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it := mustIntegration(t, s, "t1", "psa")
	other := newFixture(t, s, "t2")
	a1, a2, a3 := mustAlert(t, s, src, "a1"), mustAlert(t, s, src, "a2"), mustAlert(t, s, src, "a3")
	l1 := setLinkState(t, s, mustLink(t, s, it, "c1", "g1"), store.LinkClosed)
	l2 := setLinkState(t, s, mustLink(t, s, it, "c1", "g2"), store.LinkOpen)
	l3 := mustLink(t, s, it, "c2", "g1") // creating
	olink := mustLink(t, s, other.it, "c1", "g1")
	for _, r := range []struct {
		seq  int64
		link store.TicketLink
	}{{a1.Seq, l2}, {a2.Seq, l2}, {a3.Seq, l1}} {
		must(t, s.InsertRoute(ctx, store.Route{TenantID: "t1", AlertSeq: r.seq, IntegrationID: it.ID,
			Outcome: store.RouteQueued, TicketLinkID: r.link.ID, CreatedAt: t0}))
	}
	must(t, s.InsertRoute(ctx, store.Route{TenantID: "t2", AlertSeq: other.alert.Seq, IntegrationID: other.it.ID,
		Outcome: store.RouteQueued, TicketLinkID: olink.ID, CreatedAt: t0}))

	type row struct {
		ID     int64
		State  store.LinkState
		Alerts int64
	}
	tests := []struct {
		name string
		f    store.TicketLinkFilter
		want []row
	}{
		{"all", store.TicketLinkFilter{TenantID: "t1", IntegrationID: it.ID, Limit: 10},
			[]row{{l3.ID, store.LinkCreating, 0}, {l2.ID, store.LinkOpen, 2}, {l1.ID, store.LinkClosed, 1}}},
		{"first_page", store.TicketLinkFilter{TenantID: "t1", IntegrationID: it.ID, Limit: 2},
			[]row{{l3.ID, store.LinkCreating, 0}, {l2.ID, store.LinkOpen, 2}}},
		{"next_page", store.TicketLinkFilter{TenantID: "t1", IntegrationID: it.ID, BeforeID: l2.ID, Limit: 2},
			[]row{{l1.ID, store.LinkClosed, 1}}},
		{"open", store.TicketLinkFilter{TenantID: "t1", IntegrationID: it.ID, State: store.LinkOpen, Limit: 10},
			[]row{{l2.ID, store.LinkOpen, 2}}},
		{"closed", store.TicketLinkFilter{TenantID: "t1", IntegrationID: it.ID, State: store.LinkClosed, Limit: 10},
			[]row{{l1.ID, store.LinkClosed, 1}}},
		{"other_tenants_integration", store.TicketLinkFilter{TenantID: "t1", IntegrationID: other.it.ID, Limit: 10}, []row{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.TicketLinkPage(ctx, tc.f)
			must(t, err)
			rows := []row{}
			for _, l := range got {
				rows = append(rows, row{l.ID, l.State, l.Alerts})
			}
			diff(t, "page", tc.want, rows)
		})
	}
	page, err := s.TicketLinkPage(ctx, store.TicketLinkFilter{TenantID: "t1", IntegrationID: it.ID, State: store.LinkOpen, Limit: 1})
	must(t, err)
	if len(page) != 1 || page[0].TicketNumber != "T20261121.0001" || page[0].PSATicketID != "1001" || !page[0].CreatedAt.Equal(t0) {
		t.Errorf("open link = %+v, want its PSA ticket and creation time", page)
	}

	alerts, err := s.TicketLinkAlerts(ctx, "t1", l2.ID, 10)
	must(t, err)
	diff(t, "alerts of open link", []int64{a2.Seq, a1.Seq}, seqs(alerts))
	alerts, err = s.TicketLinkAlerts(ctx, "t1", l2.ID, 1)
	must(t, err)
	diff(t, "alerts of open link, limit 1", []int64{a2.Seq}, seqs(alerts))
	alerts, err = s.TicketLinkAlerts(ctx, "t1", olink.ID, 10)
	must(t, err)
	diff(t, "another tenant's link", []int64{}, seqs(alerts))
}

// testDeliveryBacklog: pending and failed deliveries are counted per
// integration of the tenant, with the oldest pending one's time; done
// work is not backlog.
func testDeliveryBacklog(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, g := newFixture(t, s, "t1"), newFixture(t, s, "t2")
	quiet := mustIntegration(t, s, "t1", "quiet")
	link, glink := mustLink(t, s, f.it, "c1", "g1"), mustLink(t, s, g.it, "c1", "g1")
	for i, st := range []store.DeliveryState{store.DeliveryPending, store.DeliveryPending, store.DeliveryFailed, store.DeliveryDone} {
		at := t0.Add(time.Duration(3-i) * time.Minute)
		_, err := s.InsertDelivery(ctx, store.Delivery{
			TenantID: "t1", IntegrationID: f.it.ID, TicketLinkID: link.ID, AlertSeq: f.alert.Seq,
			Kind: store.DeliveryAddNote, State: st, NextAttemptAt: at, Payload: []byte(`{}`), CreatedAt: at, UpdatedAt: at,
		})
		must(t, err)
	}
	g.delivery(t, s, glink, store.DeliveryAddNote, store.DeliveryFailed, t0)

	got, err := s.DeliveryBacklog(ctx, "t1")
	must(t, err)
	want := []store.Backlog{{IntegrationID: f.it.ID, Pending: 2, Failed: 1, OldestPending: t0.Add(2 * time.Minute)}}
	diff(t, "backlog of t1 (quiet integration "+quiet.Name+" has none)", want, got)
	got, err = s.DeliveryBacklog(ctx, "t2")
	must(t, err)
	diff(t, "backlog of t2", []store.Backlog{{IntegrationID: g.it.ID, Failed: 1}}, got)
}
