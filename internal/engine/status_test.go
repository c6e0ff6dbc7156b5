package engine

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/secret"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// statusSettings sync issue statuses both ways: open is New (1), in
// progress In Progress (8), resolved Complete (5); auto-resolve is on.
func statusSettings() integration.Settings {
	s := testSettings()
	s.Sync.Update = true
	s.StatusSync = integration.StatusSync{
		Enabled: true, AutoResolve: true, PollInterval: "1m",
		Issues: integration.StatusMap{
			Open:       integration.Pick{Name: "New", ID: "1"},
			InProgress: integration.Pick{Name: "In Progress", ID: "8"},
			Resolved:   integration.Pick{Name: "Complete", ID: "5"},
		},
	}
	return s
}

// openTicket sends an alert, routes it and leaves its link open on PSA
// ticket id, as a delivered create would.
func (h *harness) openTicket(f *fakePSA, a alert.Alert, id string) (store.StoredAlert, store.TicketLink) {
	h.t.Helper()
	sa := h.send(a)
	if _, err := h.w.router.route(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	f.put(psa.Ticket{ID: id, Number: "T" + id, Status: "1", LastModified: h.clock()})
	l := h.openLinkOf(sa.Seq, id, "T"+id)
	l.PSAStatus = "1"
	h.must(h.st.UpdateTicketLink(h.ctx, l))
	for _, d := range h.deliveriesOf(sa.Seq) {
		d.State = store.DeliveryDone
		h.must(h.st.UpdateDelivery(h.ctx, d))
	}
	return sa, l
}

func (h *harness) deliveriesOf(seq int64) []store.Delivery {
	h.t.Helper()
	ds, err := h.st.Deliveries(h.ctx, store.DeliveryFilter{TenantID: store.DefaultTenant, IntegrationID: h.it.ID, AlertSeq: seq})
	h.must(err)
	return ds
}

func (h *harness) alertStatus(seq int64) alert.Status {
	h.t.Helper()
	a, err := h.st.AlertBySeq(h.ctx, seq)
	h.must(err)
	return a.Alert.Status
}

func (h *harness) link(id int64) store.TicketLink {
	h.t.Helper()
	l, err := h.st.TicketLink(h.ctx, id)
	h.must(err)
	return l
}

func lastEvent(ev []string) string {
	if len(ev) == 0 {
		return ""
	}
	return ev[len(ev)-1]
}

// TestStatusFromPSA: a ticket status the PSA reports, by poll or by
// webhook, reaches the link and, through the status map, the alerts.
func TestStatusFromPSA(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		syncOff   bool
		via       string       // poll or webhook
		before    alert.Status // the alert's status before the change
		psaStatus string
		closed    bool
		noteWaits bool // a second alert of the group waits as a note
		want      alert.Status
		wantLink  store.LinkState
		wantEvent string // the alert's last timeline line
	}{
		{
			name: "a mapped status moves the alert", via: "poll", psaStatus: "8", want: alert.StatusInProgress, wantLink: store.LinkOpen,
			wantEvent: "status_synced: ticket T1 is In Progress in the PSA (seen by poll): alert open → in_progress",
		},
		{
			name: "the same by webhook", via: "webhook", psaStatus: "8", want: alert.StatusInProgress, wantLink: store.LinkOpen,
			wantEvent: "status_synced: ticket T1 is In Progress in the PSA (seen by webhook): alert open → in_progress",
		},
		{
			name: "an unmapped status reaches only the link", via: "poll", psaStatus: "3", want: alert.StatusOpen, wantLink: store.LinkOpen,
			wantEvent: "queued: ",
		},
		{
			name: "a done alert stays done", via: "poll", before: alert.StatusIgnored, psaStatus: "8", want: alert.StatusIgnored, wantLink: store.LinkOpen,
			wantEvent: "queued: ",
		},
		{
			name: "a closed ticket closes the link", via: "poll", psaStatus: "5", closed: true, want: alert.StatusResolved, wantLink: store.LinkClosed,
			wantEvent: "status_synced: ticket T1 is Complete in the PSA (seen by poll): alert open → resolved",
		},
		{
			name: "a note waiting on a closed ticket starts a new one", via: "poll", psaStatus: "5", closed: true, noteWaits: true,
			want: alert.StatusResolved, wantLink: store.LinkClosed,
			wantEvent: "status_synced: ticket T1 is Complete in the PSA (seen by poll): alert open → resolved",
		},
		{
			name: "with status sync off a webhook reaches only the link", syncOff: true, via: "webhook", psaStatus: "8",
			want: alert.StatusOpen, wantLink: store.LinkOpen, wantEvent: "queued: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := statusSettings()
			s.StatusSync.Enabled = !tt.syncOff
			var f *fakePSA
			h := newHarness(t, s, fake(&f))
			sa, link := h.openTicket(f, newAlert("a1", "jane@acme.example"), "1")
			if tt.before != "" {
				h.must(h.st.SetAlertStatus(h.ctx, sa.Seq, tt.before, "source", h.clock()))
			}
			var waiting store.StoredAlert
			if tt.noteWaits {
				waiting = h.send(newAlert("a2", "jane@acme.example"))
				if _, err := h.w.router.route(h.ctx); err != nil {
					t.Fatal(err)
				}
			}
			h.advance(time.Second)
			f.setStatus("1", tt.psaStatus, tt.closed)
			if tt.via == "poll" {
				h.must(h.w.status.pollStatuses(h.ctx))
			} else {
				h.w.status.enqueue(psa.WebhookEvent{TicketID: "1", Action: "update", Sequence: 1})
				if n, err := h.w.status.drainEvents(h.ctx); n != 1 || err != nil {
					t.Fatalf("drainEvents = %d, %v; want 1, nil", n, err)
				}
			}
			if got := h.alertStatus(sa.Seq); got != tt.want {
				t.Errorf("alert status = %s, want %s", got, tt.want)
			}
			if l := h.link(link.ID); l.State != tt.wantLink || l.PSAStatus != tt.psaStatus {
				t.Errorf("link = %s with PSA status %q, want %s with %q", l.State, l.PSAStatus, tt.wantLink, tt.psaStatus)
			}
			if got := lastEvent(h.events(sa.Seq)); !strings.HasPrefix(got, tt.wantEvent) {
				t.Errorf("last timeline line = %q, want it to start %q", got, tt.wantEvent)
			}
			if tt.noteWaits {
				h.checkMovedToNewTicket(waiting.Seq, link.ID)
			}
		})
	}
}

// checkMovedToNewTicket checks that an alert whose note waited on a
// closed link now opens a new link of the group with a create.
func (h *harness) checkMovedToNewTicket(seq, closedLink int64) {
	h.t.Helper()
	var states []string
	for _, d := range h.deliveriesOf(seq) {
		states = append(states, string(d.Kind)+" "+string(d.State))
	}
	slices.Sort(states)
	if want := []string{"add_note merged", "create_ticket pending"}; !slices.Equal(states, want) {
		h.t.Errorf("waiting alert's deliveries = %q, want %q", states, want)
	}
	if l := h.linkOfAlert(seq); l.ID == closedLink || l.State != store.LinkCreating {
		h.t.Errorf("waiting alert is on link %d (%s), want a new creating link", l.ID, l.State)
	}
	if got := lastEvent(h.events(seq)); got != "requeued: ticket T1 was closed in the PSA: new ticket queued" {
		h.t.Errorf("waiting alert's last timeline line = %q", got)
	}
}

// TestStatusPoll: the poller's cursor, overlap, pace and seen keys.
func TestStatusPoll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(t *testing.T, h *harness, f *fakePSA, seq int64)
	}{
		{"the first poll reads from now less the overlap and stores the newest change", func(t *testing.T, h *harness, f *fakePSA, _ int64) {
			h.advance(time.Second)
			f.setStatus("1", "8", false)
			changed := h.clock()
			h.advance(time.Second)
			h.must(h.w.status.pollStatuses(h.ctx))
			if want := []time.Time{h.clock().Add(-pollOverlap)}; !slices.EqualFunc(f.sinces, want, time.Time.Equal) {
				t.Errorf("asked since %v, want %v", f.sinces, want)
			}
			if c := h.cursor(cursorStatusPoll); c != h.clock().UTC().Format(time.RFC3339Nano) {
				t.Errorf("cursor = %s, want now (no change after it), not %s", c, changed)
			}
		}},
		{"a poll waits for the poll interval", func(t *testing.T, h *harness, f *fakePSA, _ int64) {
			h.must(h.w.status.pollStatuses(h.ctx))
			h.advance(59 * time.Second)
			h.must(h.w.status.pollStatuses(h.ctx))
			if n := f.count("TicketsChangedSince"); n != 1 {
				t.Errorf("polled %d times within the interval, want 1", n)
			}
			h.advance(time.Second)
			h.must(h.w.status.pollStatuses(h.ctx))
			if n := f.count("TicketsChangedSince"); n != 2 {
				t.Errorf("polled %d times after the interval, want 2", n)
			}
		}},
		{"a new settings version polls at once", func(t *testing.T, h *harness, f *fakePSA, _ int64) {
			h.must(h.w.status.pollStatuses(h.ctx))
			h.apply(statusSettings())
			h.must(h.w.status.pollStatuses(h.ctx))
			if n := f.count("TicketsChangedSince"); n != 2 {
				t.Errorf("polled %d times, want 2", n)
			}
		}},
		{"the next poll reads from the cursor less the overlap", func(t *testing.T, h *harness, f *fakePSA, _ int64) {
			h.must(h.w.status.pollStatuses(h.ctx))
			first := h.clock()
			h.advance(time.Minute)
			h.must(h.w.status.pollStatuses(h.ctx))
			if got := f.sinces[1]; !got.Equal(first.Add(-pollOverlap)) {
				t.Errorf("second poll asked since %v, want %v", got, first.Add(-pollOverlap))
			}
		}},
		{"a change read again in the overlap is not applied again", func(t *testing.T, h *harness, f *fakePSA, seq int64) {
			h.advance(time.Second)
			f.setStatus("1", "8", false)
			h.must(h.w.status.pollStatuses(h.ctx))
			// The source moves the alert back meanwhile; the PSA's old
			// change, read again, must not overrule it.
			h.must(h.st.SetAlertStatus(h.ctx, seq, alert.StatusOpen, "source", h.clock()))
			h.advance(time.Minute)
			h.must(h.w.status.pollStatuses(h.ctx))
			if got := h.alertStatus(seq); got != alert.StatusOpen {
				t.Errorf("alert status = %s, want open: a seen change was applied again", got)
			}
			if n := countPrefix(h.events(seq), "status_synced:"); n != 1 {
				t.Errorf("%d status_synced lines, want 1: %q", n, h.events(seq))
			}
		}},
		{"a restarted poller resumes from the stored cursor", func(t *testing.T, h *harness, f *fakePSA, _ int64) {
			h.must(h.w.status.pollStatuses(h.ctx))
			first := h.clock()
			h.advance(10 * time.Second)
			fresh := newStatusSync(h.w.books, func() {})
			fresh.load(h.w.snap.Load())
			h.must(fresh.pollStatuses(h.ctx))
			if got := f.sinces[len(f.sinces)-1]; !got.Equal(first.Add(-pollOverlap)) {
				t.Errorf("restarted poll asked since %v, want the cursor less the overlap %v", got, first.Add(-pollOverlap))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fakePSA
			h := newHarness(t, statusSettings(), fake(&f))
			sa, _ := h.openTicket(f, newAlert("a1", "jane@acme.example"), "1")
			tt.run(t, h, f, sa.Seq)
		})
	}
}

func (h *harness) cursor(name string) string {
	h.t.Helper()
	c, err := h.st.Cursor(h.ctx, h.it.ID, name)
	h.must(err)
	return c
}

func countPrefix(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// TestStatusFromSource: an alert the source re-sends with a new status
// is recorded as handled, with what it does to the PSA ticket: nothing
// (and why), or a set_status delivery.
func TestStatusFromSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		settings  func(*integration.Settings)
		skipped   bool // the alert got no ticket
		second    bool // a second, still open alert shares the ticket
		closed    bool // the PSA closed the ticket already
		to        alert.Status
		wantEvent string
		wantPush  *statusPayload
	}{
		{
			name: "a mapped status is pushed", to: alert.StatusInProgress,
			wantEvent: "status_change: status in_progress: ticket set to In Progress",
			wantPush:  &statusPayload{Status: "8", Label: "In Progress", Reason: "alert a1 is in_progress"},
		},
		{
			name: "sync.update off writes nothing", settings: func(s *integration.Settings) { s.Sync.Update = false }, to: alert.StatusInProgress,
			wantEvent: "status_change: status in_progress recorded; not written to the PSA: sync.update is off",
		},
		{
			name: "an unmapped status is only recorded", settings: func(s *integration.Settings) { s.StatusSync.Issues.InProgress = integration.Pick{} },
			to: alert.StatusInProgress, wantEvent: "status_change: status in_progress has no PSA status in the map",
		},
		{
			name: "auto_resolve off leaves the ticket", settings: func(s *integration.Settings) { s.StatusSync.AutoResolve = false },
			to: alert.StatusResolved, wantEvent: "status_change: status resolved recorded; ticket left as is: auto_resolve is off",
		},
		{
			name: "auto-resolve waits for the ticket's other alerts", second: true, to: alert.StatusResolved,
			wantEvent: "status_change: status resolved: ticket stays open: 1 other alert(s) on it are not resolved",
		},
		{
			name: "the last alert resolved resolves the ticket", to: alert.StatusResolved,
			wantEvent: "status_change: every alert on the ticket is resolved or ignored: ticket to be set to Complete",
			wantPush:  &statusPayload{Status: "5", Label: "Complete", Reason: "auto-resolve"},
		},
		{
			name: "a ticket closed in the PSA is not pushed", closed: true, to: alert.StatusInProgress,
			wantEvent: "status_change: status in_progress: ticket T1 is already closed in the PSA",
		},
		{
			name: "an alert without a ticket has nothing to update", skipped: true, to: alert.StatusInProgress,
			wantEvent: "status_change: status in_progress: no ticket to update",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := statusSettings()
			if tt.settings != nil {
				tt.settings(&s)
			}
			var f *fakePSA
			h := newHarness(t, s, fake(&f))
			a := newAlert("a1", "jane@acme.example")
			sa, link := h.openTicket(f, a, "1")
			if tt.second {
				h.send(newAlert("a2", "jane@acme.example"))
				_, err := h.w.router.route(h.ctx)
				h.must(err)
			}
			if tt.closed {
				link.State = store.LinkClosed
				h.must(h.st.UpdateTicketLink(h.ctx, link))
			}
			if tt.skipped {
				h.must(h.st.SetRouteLink(h.ctx, sa.Seq, h.it.ID, 0))
			}
			a.Status = tt.to
			h.send(a)
			calls := f.total()
			if n, err := h.w.status.sourceStatusChanges(h.ctx); n != 1 || err != nil {
				t.Fatalf("sourceStatusChanges = %d, %v; want 1, nil", n, err)
			}
			if got := lastEvent(h.events(sa.Seq)); got != tt.wantEvent {
				t.Errorf("last timeline line = %q, want %q", got, tt.wantEvent)
			}
			if diff := cmp.Diff(tt.wantPush, h.statusPush(sa.Seq)); diff != "" {
				t.Errorf("set_status delivery (-want +got):\n%s", diff)
			}
			if n, err := h.w.status.sourceStatusChanges(h.ctx); n != 0 || err != nil {
				t.Errorf("the change is still pending after it was handled: %d, %v", n, err)
			}
			if n := f.total() - calls; n != 0 {
				t.Errorf("handling a source status made %d PSA calls; the push is a delivery", n)
			}
		})
	}
}

// statusPush returns the payload of the alert's set_status delivery.
func (h *harness) statusPush(seq int64) *statusPayload {
	h.t.Helper()
	for _, d := range h.deliveriesOf(seq) {
		if d.Kind == store.DeliverySetStatus {
			var p statusPayload
			h.must(json.Unmarshal(d.Payload, &p))
			return &p
		}
	}
	return nil
}

// activityPSA is a fakePSA that tells whether a person worked on tickets.
type activityPSA struct {
	*fakePSA
	touched bool
}

func (a activityPSA) TicketActivity(context.Context, string) (psa.TicketActivity, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return psa.TicketActivity{TouchedByOthers: a.touched, Detail: "a note by Sam"}, a.call("TicketActivity")
}

// TestStatusPush: set_status deliveries, which the deliverer hands to
// status sync.
func TestStatusPush(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		onlyUntouched bool
		touched       bool
		answer        error // of UpdateTicket
		wantState     store.DeliveryState
		wantStatus    string // the PSA ticket's, after
		wantEvent     string // prefix of the alert's last timeline line
	}{
		{"the ticket takes the status", false, false, nil, store.DeliveryDone, "5", "status_pushed: ticket T1 set to Complete (auto-resolve)"},
		{"a retryable error backs off", false, false, &psa.Error{Class: psa.Retryable, Message: "503"}, store.DeliveryPending, "1", "retry: attempt 1 failed (retryable)"},
		{"a permanent error fails it", false, false, &psa.Error{Class: psa.Permanent, Message: "no such status"}, store.DeliveryFailed, "1", "failed: "},
		{"only_untouched leaves a ticket a person worked on", true, true, nil, store.DeliveryDone, "1", "status_pushed: ticket T1 left open: a person worked on it (a note by Sam) and only_untouched is on"},
		{"only_untouched resolves an untouched ticket", true, false, nil, store.DeliveryDone, "5", "status_pushed: ticket T1 set to Complete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fakePSA
			h := newHarness(t, statusSettings(), func(clock func() time.Time) psa.Connector {
				f = newFakePSA(clock)
				return activityPSA{f, tt.touched}
			})
			sa, link := h.openTicket(f, newAlert("a1", "jane@acme.example"), "1")
			f.failWith("UpdateTicket", tt.answer)
			payload, _ := json.Marshal(statusPayload{Status: "5", Label: "Complete", Reason: "auto-resolve", OnlyUntouched: tt.onlyUntouched})
			d, err := h.st.InsertDelivery(h.ctx, store.Delivery{
				TenantID: store.DefaultTenant, IntegrationID: h.it.ID, TicketLinkID: link.ID, AlertSeq: sa.Seq, Kind: store.DeliverySetStatus,
				State: store.DeliveryPending, NextAttemptAt: h.clock(), Payload: payload,
			})
			h.must(err)
			h.must(h.w.status.setStatus(h.ctx, h.link(link.ID), d))
			got, err := h.st.Delivery(h.ctx, d.ID)
			h.must(err)
			if got.State != tt.wantState || got.Attempts != 1 {
				t.Errorf("delivery = %s after %d attempts, want %s after 1", got.State, got.Attempts, tt.wantState)
			}
			if s := f.ticket("1").Status; s != tt.wantStatus {
				t.Errorf("PSA ticket status = %s, want %s", s, tt.wantStatus)
			}
			if ev := lastEvent(h.events(sa.Seq)); !strings.HasPrefix(ev, tt.wantEvent) {
				t.Errorf("last timeline line = %q, want it to start %q", ev, tt.wantEvent)
			}
		})
	}
}

// hookPSA is a fakePSA that registers webhooks, counting the URLs.
type hookPSA struct {
	*fakePSA
	urls *[]string
}

func (h hookPSA) RegisterTicketWebhook(_ context.Context, url, _ string, _ secret.Secret) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.urls = append(*h.urls, url)
	return "wh-1", h.call("RegisterTicketWebhook")
}

func (hookPSA) SignatureHeader() string { return "X-Hook-Signature" }

func (hookPSA) ParseTicketWebhook([]byte, string, secret.Secret) (psa.WebhookEvent, error) {
	return psa.WebhookEvent{}, psa.ErrBadSignature
}

// TestStatusWebhook: the webhook is registered once per settings
// version, again after a failure, and events for tickets that are not
// ours cost no PSA call.
func TestStatusWebhook(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		run      func(h *harness, f *fakePSA)
		wantURLs int
	}{
		{"registered once per settings version", func(h *harness, _ *fakePSA) {
			h.w.status.registerWebhook(h.ctx)
			h.w.status.registerWebhook(h.ctx)
		}, 1},
		{"a new settings version registers again", func(h *harness, _ *fakePSA) {
			h.w.status.registerWebhook(h.ctx)
			h.apply(hookSettings())
			h.w.status.registerWebhook(h.ctx)
		}, 2},
		{"a failed registration is tried again", func(h *harness, f *fakePSA) {
			f.failWith("RegisterTicketWebhook", &psa.Error{Class: psa.Retryable, Message: "503"})
			h.w.status.registerWebhook(h.ctx)
			f.failWith("RegisterTicketWebhook", nil)
			h.w.status.registerWebhook(h.ctx)
			h.w.status.registerWebhook(h.ctx)
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fakePSA
			var urls []string
			h := newHarness(t, hookSettings(), func(clock func() time.Time) psa.Connector {
				f = newFakePSA(clock)
				return hookPSA{f, &urls}
			}, func(c *Config) { c.WebhookKey = func(string) secret.Secret { return secret.New("k") } })
			tt.run(h, f)
			if len(urls) != tt.wantURLs || urls[0] != "https://tb.example/hooks/it" {
				t.Errorf("registered %q, want %d times https://tb.example/hooks/it", urls, tt.wantURLs)
			}
		})
	}
	t.Run("an event for a ticket not ours costs no call", func(t *testing.T) {
		t.Parallel()
		var f *fakePSA
		h := newHarness(t, statusSettings(), fake(&f))
		calls := f.total() // the status labels
		h.w.status.enqueue(psa.WebhookEvent{TicketID: "99", Action: "update", Sequence: 1})
		if n, err := h.w.status.drainEvents(h.ctx); n != 1 || err != nil {
			t.Fatalf("drainEvents = %d, %v; want 1, nil", n, err)
		}
		if n := f.total() - calls; n != 0 {
			t.Errorf("%d PSA calls for a ticket that is not ours, want 0", n)
		}
	})
}

func hookSettings() integration.Settings {
	s := statusSettings()
	s.StatusSync.Webhooks, s.StatusSync.PublicURL = true, "https://tb.example/"
	return s
}

// A status push to a ticket deleted in the PSA does not fail: the push is
// done with a timeline line saying so, and the link ends.
func TestStatusPushToDeletedTicket(t *testing.T) {
	t.Parallel()
	var f *fakePSA
	h := newHarness(t, statusSettings(), fake(&f))
	sa, link := h.openTicket(f, newAlert("a1", "jane@acme.example"), "1")
	f.mu.Lock()
	delete(f.tickets, "1")
	f.mu.Unlock()
	payload, _ := json.Marshal(statusPayload{Status: "5", Label: "Complete", Reason: "auto-resolve"})
	d, err := h.st.InsertDelivery(h.ctx, store.Delivery{
		TenantID: store.DefaultTenant, IntegrationID: h.it.ID, TicketLinkID: link.ID, AlertSeq: sa.Seq, Kind: store.DeliverySetStatus,
		State: store.DeliveryPending, NextAttemptAt: h.clock(), Payload: payload,
	})
	h.must(err)
	h.must(h.w.status.setStatus(h.ctx, h.link(link.ID), d))
	if got, err := h.st.Delivery(h.ctx, d.ID); err != nil || got.State != store.DeliveryDone {
		t.Errorf("delivery = %+v (%v), want done", got, err)
	}
	if l := h.link(link.ID); l.State != store.LinkClosed {
		t.Errorf("link state = %s, want closed", l.State)
	}
	want := "status_pushed: ticket T1 was deleted in the PSA: status Complete not set"
	if ev := lastEvent(h.events(sa.Seq)); ev != want {
		t.Errorf("last timeline line = %q, want %q", ev, want)
	}
}
