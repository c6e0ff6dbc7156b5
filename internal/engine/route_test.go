package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// routed is what routing one alert should have written.
type routed struct {
	outcome store.RouteOutcome
	code    string             // skip code
	kind    store.DeliveryKind // "" when skipped
	link    int                // index of the alert whose link it is on; -1 for none
	event   string             // in the alert's last timeline line
}

func TestRouterDecisions(t *testing.T) {
	t.Parallel()
	jane, bob := "jane@acme.example", "bob@acme.example"
	typed := func(typ string) func(*alert.Alert) { return func(a *alert.Alert) { a.Type = typ } }
	tests := []struct {
		name   string
		alerts []alert.Alert
		// openFirst opens the first alert's ticket (number T7) before the
		// next alerts are routed.
		openFirst bool
		want      []routed
	}{
		{
			name:   "the first alert of a group opens a link with a create",
			alerts: []alert.Alert{newAlert("a1", jane)},
			want:   []routed{{store.RouteQueued, "", store.DeliveryCreateTicket, 0, "new ticket queued: first alert of group "}},
		},
		{
			name:   "the group's next alert is a note for the ticket being created",
			alerts: []alert.Alert{newAlert("a1", jane), newAlert("a2", jane)},
			want: []routed{
				{store.RouteQueued, "", store.DeliveryCreateTicket, 0, "new ticket queued"},
				{store.RouteQueued, "", store.DeliveryAddNote, 0, "note queued for ticket being created: group "},
			},
		},
		{
			name:      "a note for an open ticket names its number",
			alerts:    []alert.Alert{newAlert("a1", jane), newAlert("a2", jane)},
			openFirst: true,
			want: []routed{
				{store.RouteQueued, "", store.DeliveryCreateTicket, 0, "new ticket queued"},
				{store.RouteQueued, "", store.DeliveryAddNote, 0, "note queued for ticket T7: group "},
			},
		},
		{
			name:   "another user or another type is another group",
			alerts: []alert.Alert{newAlert("a1", jane), newAlert("a2", bob), newAlert("a3", jane, typed("Impossible Travel"))},
			want: []routed{
				{store.RouteQueued, "", store.DeliveryCreateTicket, 0, "new ticket queued"},
				{store.RouteQueued, "", store.DeliveryCreateTicket, 1, "new ticket queued"},
				{store.RouteQueued, "", store.DeliveryCreateTicket, 2, "new ticket queued"},
			},
		},
		{
			name:   "an excluded type is skipped",
			alerts: []alert.Alert{newAlert("a1", jane, typed("Test Alert"))},
			want:   []routed{{store.RouteSkipped, "excluded_type", "", -1, "skipped: excluded by type: Test Alert"}},
		},
		{
			name:   "a disabled organization is skipped",
			alerts: []alert.Alert{newAlert("a1", jane, func(a *alert.Alert) { a.Organization.ID = "org-9" })},
			want:   []routed{{store.RouteSkipped, "organization_disabled", "", -1, "skipped: organization disabled: org-9"}},
		},
		{
			name:   "an alert that arrives resolved is skipped",
			alerts: []alert.Alert{newAlert("a1", jane, func(a *alert.Alert) { a.Status = alert.StatusResolved })},
			want:   []routed{{store.RouteSkipped, "not_open", "", -1, "skipped: not open: arrived resolved"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fakePSA
			h := newHarness(t, testSettings(), fake(&f))
			var seqs []int64
			for i, a := range tt.alerts {
				seqs = append(seqs, h.send(a).Seq)
				if n, err := h.w.router.route(h.ctx); n != 1 || err != nil {
					t.Fatalf("route alert %d = %d, %v; want 1, nil", i, n, err)
				}
				if i == 0 && tt.openFirst {
					h.openLinkOf(seqs[0], "7", "T7")
				}
			}
			linkOf := map[int64]int64{}
			for i, want := range tt.want {
				r, ok := h.route(seqs[i])
				if !ok || r.Outcome != want.outcome || r.Code != want.code {
					t.Errorf("alert %d: route = %+v (found %v), want %s %q", i, r, ok, want.outcome, want.code)
				}
				linkOf[seqs[i]] = r.TicketLinkID
				if want.link >= 0 && r.TicketLinkID != linkOf[seqs[want.link]] {
					t.Errorf("alert %d is on link %d, want alert %d's link %d", i, r.TicketLinkID, want.link, linkOf[seqs[want.link]])
				}
				if got := h.kindsOf(seqs[i]); len(want.kind) == 0 && len(got) > 0 || len(want.kind) > 0 && (len(got) != 1 || got[0] != want.kind) {
					t.Errorf("alert %d: deliveries %v, want %q", i, got, want.kind)
				}
				ev := h.events(seqs[i])
				if len(ev) == 0 || !strings.Contains(ev[len(ev)-1], want.event) {
					t.Errorf("alert %d: timeline %q, want the last line to hold %q", i, ev, want.event)
				}
			}
			if n := f.total(); n != 0 {
				t.Errorf("routing made %d PSA calls; without auto-match it needs none", n)
			}
		})
	}
}

// openLinkOf marks the link an alert was queued on as created and open.
func (h *harness) openLinkOf(seq int64, ticketID, number string) store.TicketLink {
	h.t.Helper()
	r, _ := h.route(seq)
	l, err := h.st.TicketLink(h.ctx, r.TicketLinkID)
	h.must(err)
	l.State, l.PSATicketID, l.TicketNumber = store.LinkOpen, ticketID, number
	h.must(h.st.UpdateTicketLink(h.ctx, l))
	return l
}

// kindsOf lists the kinds of an alert's deliveries, in any state.
func (h *harness) kindsOf(seq int64) []store.DeliveryKind {
	h.t.Helper()
	ds, err := h.st.Deliveries(h.ctx, store.DeliveryFilter{TenantID: store.DefaultTenant, IntegrationID: h.it.ID, AlertSeq: seq})
	h.must(err)
	var kinds []store.DeliveryKind
	for _, d := range ds {
		kinds = append(kinds, d.Kind)
	}
	return kinds
}

// TestRouterCursor: routing moves its cursor only past alerts received
// longer than RouteSettle ago, whose seq can no longer be overtaken.
func TestRouterCursor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		settle time.Duration
		age    time.Duration // how long ago the alert was received
		moved  bool
	}{
		{"a settled alert moves the cursor", 30 * time.Second, time.Minute, true},
		{"an alert younger than RouteSettle does not", 30 * time.Second, 10 * time.Second, false},
		{"RouteSettle 0 trusts any seq received before now", 0, time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fakePSA
			h := newHarness(t, testSettings(), fake(&f), func(c *Config) { c.RouteSettle = tt.settle })
			seq := h.send(newAlert("a1", "jane@acme.example")).Seq
			h.advance(tt.age)
			if n, err := h.w.router.route(h.ctx); n != 1 || err != nil {
				t.Fatalf("route = %d, %v; want 1, nil", n, err)
			}
			want := int64(0)
			if tt.moved {
				want = seq
			}
			if got := h.w.router.routedUpTo; got != want {
				t.Errorf("routedUpTo = %d, want %d", got, want)
			}
		})
	}
}

// TestRouterRescan: an alert behind the cursor whose route was removed
// (apply re-opens skipped alerts that way) is found again by a full scan:
// after fullRescan of wall time, or at once when settings change.
func TestRouterRescan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		then  func(h *harness)
		found int
	}{
		{"the cursor skips it until a full scan is due", func(*harness) {}, 0},
		{"a full scan after fullRescan finds it", func(h *harness) { h.advanceWall(fullRescan + time.Second) }, 1},
		{"a new settings version scans from the start", func(h *harness) { h.apply(testSettings()) }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fakePSA
			h := newHarness(t, testSettings(), fake(&f))
			h.send(newAlert("a1", "jane@acme.example", func(a *alert.Alert) { a.Type = "Test Alert" }))
			h.advance(time.Second)
			if n, err := h.w.router.route(h.ctx); n != 1 || err != nil {
				t.Fatalf("first route = %d, %v; want 1, nil", n, err)
			}
			if _, err := h.st.DeleteSkippedRoutes(h.ctx, h.it.ID, "excluded_type"); err != nil {
				t.Fatal(err)
			}
			tt.then(h)
			if n, err := h.w.router.route(h.ctx); n != tt.found || err != nil {
				t.Errorf("route after the route was removed = %d, %v; want %d, nil", n, err, tt.found)
			}
		})
	}
}

// TestRouterCompanies: auto-match decides with one company list per
// CompaniesTTL, read again for new settings, and routes nothing without
// it rather than misfile alerts on the catch-all: the alerts wait, with
// their timeline and the integration's health saying so.
func TestRouterCompanies(t *testing.T) {
	t.Parallel()
	errPSA := &psa.Error{Class: psa.Retryable, Message: "503"}
	tests := []struct {
		name      string
		between   func(h *harness, f *fakePSA)
		wantReads int
		wantWait  bool
	}{
		{"one list serves routing until the TTL", func(*harness, *fakePSA) {}, 1, false},
		{"after the TTL it is read again", func(h *harness, _ *fakePSA) { h.advance(10*time.Minute + time.Second) }, 2, false},
		{"a new settings version reads it again", func(h *harness, _ *fakePSA) { h.apply(autoMatchSettings()) }, 2, false},
		{"a failed list routes nothing", func(h *harness, f *fakePSA) {
			h.apply(autoMatchSettings())
			f.failWith("Companies", errPSA)
		}, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fakePSA
			h := newHarness(t, autoMatchSettings(), func(clock func() time.Time) psa.Connector {
				f = newFakePSA(clock)
				f.companies = []psa.Company{{ID: "180", Name: "Globex", Active: true}}
				return f
			})
			globex := func(a *alert.Alert) { a.Organization = alert.Organization{ID: "org-77", Name: "Globex"} }
			first := h.send(newAlert("a1", "jane@globex.example", globex)).Seq
			if n, err := h.w.router.route(h.ctx); n != 1 || err != nil {
				t.Fatalf("first route = %d, %v", n, err)
			}
			tt.between(h, f)
			second := h.send(newAlert("a2", "bob@globex.example", globex)).Seq
			n, err := h.w.router.route(h.ctx)
			if err != nil {
				t.Fatalf("second route: %v", err)
			}
			if hr := h.w.health.report("", time.Now(), 0); (hr.RoutingWaiting == 1) != tt.wantWait || tt.wantWait && !strings.Contains(hr.Reason, "503") {
				t.Errorf("health %+v, want waiting %v", hr, tt.wantWait)
			}
			if got := f.count("Companies"); got != tt.wantReads {
				t.Errorf("company list read %d times, want %d", got, tt.wantReads)
			}
			seqs := []int64{first}
			if !tt.wantWait {
				seqs = append(seqs, second)
			} else if _, routed := h.route(second); routed || n != 0 {
				t.Errorf("with no company list the alert was routed (n=%d)", n)
			} else if ev := lastEvent(h.events(second)); !strings.HasPrefix(ev, "waiting: not routed yet: the PSA's companies could not be read") {
				t.Errorf("last timeline line of the waiting alert = %q", ev)
			}
			for _, seq := range seqs {
				if l := h.linkOfAlert(seq); l.CompanyID != "180" {
					t.Errorf("alert %d filed on company %q, want auto-matched 180", seq, l.CompanyID)
				}
			}
		})
	}
}

func autoMatchSettings() integration.Settings {
	s := testSettings()
	s.Companies.AutoMatch = true
	s.Companies.Filter = integration.CompanyFilter{Types: []integration.Pick{{Name: "Customer", ID: "1"}}}
	return s
}

func (h *harness) linkOfAlert(seq int64) store.TicketLink {
	h.t.Helper()
	r, ok := h.route(seq)
	if !ok {
		h.t.Fatalf("alert %d has no route", seq)
	}
	l, err := h.st.TicketLink(h.ctx, r.TicketLinkID)
	h.must(err)
	return l
}
