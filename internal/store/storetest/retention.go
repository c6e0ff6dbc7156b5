package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// retentionFixture is a tenant's source and integration, with the age
// retention prunes at: alerts last changed before cutoff.
type retentionFixture struct {
	s      store.Store
	src    store.Source
	it     store.Integration
	cutoff time.Time
}

// alert stores an alert in status st last changed age before the cutoff
// (a negative age: after it), with two timeline entries.
func (f retentionFixture) alert(t *testing.T, id string, age time.Duration, st alert.Status) store.StoredAlert {
	t.Helper()
	at := f.cutoff.Add(-age)
	a := store.StoredAlert{TenantID: f.src.TenantID, SourceID: f.src.ID, Alert: newAlert(id), ReceivedAt: at, UpdatedAt: at}
	a.Alert.Status = st
	res, err := f.s.UpsertAlert(t.Context(), a)
	must(t, err)
	a.Seq = res.Seq
	must(t, f.s.AppendTimelines(t.Context(), []store.TimelineEntry{
		{TenantID: a.TenantID, AlertSeq: a.Seq, At: at, Event: "received"},
		{TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: f.it.ID, At: at, Event: "queued"},
	}))
	return a
}

// route records a's route: queued to link (handled at handled), or
// skipped when link is zero.
func (f retentionFixture) route(t *testing.T, a store.StoredAlert, link store.TicketLink, handled alert.Status) {
	t.Helper()
	r := store.Route{TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: f.it.ID, Outcome: store.RouteQueued,
		TicketLinkID: link.ID, HandledStatus: handled, CreatedAt: a.UpdatedAt}
	if link.ID == 0 {
		r.Outcome, r.Code, r.Reason = store.RouteSkipped, "excluded_type", "type excluded"
	}
	must(t, f.s.InsertRoute(t.Context(), r))
}

func (f retentionFixture) delivery(t *testing.T, a store.StoredAlert, link store.TicketLink, kind store.DeliveryKind, state store.DeliveryState) {
	t.Helper()
	_, err := f.s.InsertDelivery(t.Context(), store.Delivery{
		TenantID: a.TenantID, IntegrationID: f.it.ID, TicketLinkID: link.ID, AlertSeq: a.Seq, Kind: kind,
		State: state, NextAttemptAt: a.UpdatedAt, Payload: []byte(`{}`), CreatedAt: a.UpdatedAt, UpdatedAt: a.UpdatedAt,
	})
	must(t, err)
}

// testPruneAlerts: retention deletes the old alerts whose work is over,
// oldest first and at most a batch at a time, with every row that points
// at them, and keeps each alert that a live ticket or pending work still
// needs, another tenant's, and any changed since the cutoff.
func testPruneAlerts(t *testing.T, s store.Store) {
	ctx := t.Context()
	f := retentionFixture{s: s, src: mustSource(t, s, "t1", "src"), it: mustIntegration(t, s, "t1", "psa"), cutoff: t0.Add(-90 * 24 * time.Hour)}
	closed := setLinkState(t, s, mustLink(t, s, f.it, "c1", "closed"), store.LinkClosed)
	open := setLinkState(t, s, mustLink(t, s, f.it, "c1", "open"), store.LinkOpen)
	creating := mustLink(t, s, f.it, "c1", "creating")
	resolved := alert.StatusResolved

	const h = time.Hour
	// Pruned, oldest first.
	skipped := f.alert(t, "skipped", 50*h, alert.StatusOpen)
	f.route(t, skipped, store.TicketLink{}, "")
	ticketClosed := f.alert(t, "ticket-closed", 40*h, resolved)
	f.route(t, ticketClosed, closed, resolved)
	f.delivery(t, ticketClosed, closed, store.DeliveryCreateTicket, store.DeliveryDone)
	f.delivery(t, ticketClosed, closed, store.DeliveryAddNote, store.DeliveryMerged)
	f.delivery(t, ticketClosed, closed, store.DeliverySetStatus, store.DeliveryFailed)
	unrouted := f.alert(t, "unrouted", 30*h, alert.StatusOpen)
	callbackDone := f.alert(t, "callback-done", 20*h, resolved)
	callback(t, s, callbackDone, store.DeliveryDone, t0)
	justOld := f.alert(t, "just-old", time.Microsecond, alert.StatusOpen)
	pruned := []store.StoredAlert{skipped, ticketClosed, unrouted, callbackDone, justOld}

	// Kept, however old.
	onOpen := f.alert(t, "on-open-ticket", 100*h, alert.StatusOpen)
	f.route(t, onOpen, open, alert.StatusOpen)
	f.delivery(t, onOpen, open, store.DeliveryCreateTicket, store.DeliveryDone)
	onCreating := f.alert(t, "on-creating-ticket", 100*h, alert.StatusOpen)
	f.route(t, onCreating, creating, alert.StatusOpen)
	f.delivery(t, onCreating, creating, store.DeliveryCreateTicket, store.DeliveryFailed)
	movedToOpen := f.alert(t, "moved-to-open-ticket", 100*h, alert.StatusOpen) // route still on the closed link
	f.route(t, movedToOpen, closed, alert.StatusOpen)
	f.delivery(t, movedToOpen, open, store.DeliveryAddNote, store.DeliveryDone)
	pendingDelivery := f.alert(t, "pending-delivery", 100*h, resolved)
	f.route(t, pendingDelivery, closed, resolved)
	f.delivery(t, pendingDelivery, closed, store.DeliverySetStatus, store.DeliveryPending)
	pendingCallback := f.alert(t, "pending-callback", 100*h, resolved)
	callback(t, s, pendingCallback, store.DeliveryPending, t0)
	statusChange := f.alert(t, "status-change", 100*h, resolved)
	f.route(t, statusChange, closed, alert.StatusOpen) // the engine has not acted on resolved yet
	// Before the cutoff means strictly before.
	atCutoff := f.alert(t, "at-cutoff", 0, alert.StatusOpen)
	young := f.alert(t, "young", -h, alert.StatusOpen)
	resent := f.alert(t, "resent", 100*h, alert.StatusOpen)
	again := resent
	again.UpdatedAt = f.cutoff.Add(time.Hour)
	_, err := s.UpsertAlert(ctx, again)
	must(t, err)
	otherTenant := retentionFixture{s: s, src: mustSource(t, s, "t2", "src"), it: mustIntegration(t, s, "t2", "psa"), cutoff: f.cutoff}
	elsewhere := otherTenant.alert(t, "elsewhere", 100*h, alert.StatusOpen)
	kept := []store.StoredAlert{onOpen, onCreating, movedToOpen, pendingDelivery, pendingCallback, statusChange, atCutoff, young, resent, elsewhere}

	_, err = s.PruneAlerts(ctx, "t1", f.cutoff, 0)
	if err == nil {
		t.Error("PruneAlerts with limit 0: no error, want one (a batch has a size)")
	}
	var batches []int
	var left []string
	for n := -1; n != 0; {
		n, err = s.PruneAlerts(ctx, "t1", f.cutoff, 2)
		must(t, err)
		batches = append(batches, n)
		left = left[:0]
		for _, a := range pruned {
			if _, err := s.AlertBySeq(ctx, a.Seq); err == nil {
				left = append(left, a.Alert.ID)
			}
		}
		if len(batches) == 1 {
			diff(t, "alerts left after the first batch (oldest go first)", []string{"unrouted", "callback-done", "just-old"}, left)
		}
		if len(batches) > 5 {
			t.Fatalf("still pruning after batches %v", batches)
		}
	}
	diff(t, "batch sizes", []int{2, 2, 1, 0}, batches)
	diff(t, "old finished alerts left", []string{}, left)

	for _, a := range pruned {
		checkGone(t, s, a)
	}
	for _, a := range kept {
		if _, err := s.AlertBySeq(ctx, a.Seq); err != nil {
			t.Errorf("alert %s: %v, want it kept", a.Alert.ID, err)
		}
		if tl, err := s.Timeline(ctx, a.Seq); err != nil || len(tl) < 2 {
			t.Errorf("alert %s: timeline %d entries (%v), want its 2 kept", a.Alert.ID, len(tl), err)
		}
	}
	if got, err := s.TicketLink(ctx, closed.ID); err != nil || got.State != store.LinkClosed {
		t.Errorf("closed ticket link after pruning its alerts: %+v, %v; want it kept", got, err)
	}
}

// checkGone fails unless a and every row about it are gone.
func checkGone(t *testing.T, s store.Store, a store.StoredAlert) {
	t.Helper()
	ctx := t.Context()
	_, err := s.AlertBySeq(ctx, a.Seq)
	wantErr(t, err, store.ErrNotFound)
	tl, err := s.Timeline(ctx, a.Seq)
	must(t, err)
	rs, err := s.Routes(ctx, a.Seq)
	must(t, err)
	ds, err := s.Deliveries(ctx, store.DeliveryFilter{TenantID: a.TenantID, AlertSeq: a.Seq})
	must(t, err)
	cs, err := s.Callbacks(ctx, a.TenantID, a.Seq)
	must(t, err)
	if got := fmt.Sprintf("%d/%d/%d/%d", len(tl), len(rs), len(ds), len(cs)); got != "0/0/0/0" {
		t.Errorf("pruned alert %s keeps timeline/routes/deliveries/callbacks %s, want none", a.Alert.ID, got)
	}
}
