package storetest

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// fixture is an integration with one alert, ready for deliveries.
type fixture struct {
	it    store.Integration
	alert store.StoredAlert
}

func newFixture(t *testing.T, s store.Store, tenant string) fixture {
	t.Helper()
	src := mustSource(t, s, tenant, "src")
	return fixture{it: mustIntegration(t, s, tenant, "psa"), alert: mustAlert(t, s, src, "a1")}
}

// delivery stores a delivery of kind on link, in state, next due at next.
func (f fixture) delivery(t *testing.T, s store.Store, link store.TicketLink, kind store.DeliveryKind,
	state store.DeliveryState, next time.Time,
) store.Delivery {
	t.Helper()
	d, err := s.InsertDelivery(t.Context(), store.Delivery{
		TenantID: f.it.TenantID, IntegrationID: f.it.ID, TicketLinkID: link.ID, AlertSeq: f.alert.Seq,
		Kind: kind, State: state, NextAttemptAt: next, Payload: []byte(`{"subject":"x"}`),
		CreatedAt: t0, UpdatedAt: t0,
	})
	must(t, err)
	return d
}

func testDeliveriesInsertUpdateGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	f := newFixture(t, s, "t1")
	link := mustLink(t, s, f.it, "c1", "g1")
	d := f.delivery(t, s, link, store.DeliveryCreateTicket, store.DeliveryPending, t0)
	if d.ID == 0 {
		t.Fatal("inserted delivery has no id")
	}
	got, err := s.Delivery(ctx, d.ID)
	must(t, err)
	diff(t, "inserted delivery", d, got)

	done := t0.Add(2 * time.Minute)
	d.State, d.Attempts, d.Result, d.LastError = store.DeliveryDone, 2, "1001", "timeout once"
	d.NextAttemptAt, d.UpdatedAt, d.CompletedAt = t0.Add(time.Minute), done, &done
	must(t, s.UpdateDelivery(ctx, d))
	got, err = s.Delivery(ctx, d.ID)
	must(t, err)
	d.Payload = nil // a spent delivery keeps no payload
	diff(t, "updated delivery", d, got)

	// Work without a link or alert (billing syncs) keeps its zero ids.
	bare, err := s.InsertDelivery(ctx, store.Delivery{TenantID: "t1", IntegrationID: f.it.ID,
		Kind: "sync_billable_users", State: store.DeliveryPending, NextAttemptAt: t0, CreatedAt: t0, UpdatedAt: t0})
	must(t, err)
	got, err = s.Delivery(ctx, bare.ID)
	must(t, err)
	diff(t, "delivery without link", bare, got)

	ghost := d
	ghost.ID = d.ID + 1000
	wantErr(t, s.UpdateDelivery(ctx, ghost), store.ErrNotFound)
	_, err = s.Delivery(ctx, ghost.ID)
	wantErr(t, err, store.ErrNotFound)
}

// testDeliveriesBatch: deliveries inserted together read back like
// deliveries inserted one by one, ids rising in their order.
func testDeliveriesBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	f := newFixture(t, s, "t1")
	link := mustLink(t, s, f.it, "c1", "g1")
	done := t0.Add(time.Minute)
	batch := []store.Delivery{
		{TenantID: "t1", IntegrationID: f.it.ID, TicketLinkID: link.ID, AlertSeq: f.alert.Seq,
			Kind: store.DeliveryCreateTicket, State: store.DeliveryPending, NextAttemptAt: t0,
			Payload: []byte(`{"subject":"ünïcode \"quoted\""}`), CreatedAt: t0, UpdatedAt: t0},
		// Work without a link or alert (billing syncs) keeps its zero ids.
		{TenantID: "t1", IntegrationID: f.it.ID, Kind: "sync_billable_users", State: store.DeliveryPending,
			NextAttemptAt: t0, CreatedAt: t0, UpdatedAt: t0},
		// A spent delivery keeps no payload.
		{TenantID: "t1", IntegrationID: f.it.ID, TicketLinkID: link.ID, AlertSeq: f.alert.Seq,
			Kind: store.DeliveryAddNote, State: store.DeliveryDone, Attempts: 2, NextAttemptAt: t0,
			LastError: "timeout once", Result: "1001", Payload: []byte(`{"subject":"y"}`),
			CreatedAt: t0, UpdatedAt: done, CompletedAt: &done},
	}
	none, err := s.InsertDeliveries(ctx, nil)
	must(t, err)
	diff(t, "no deliveries", []store.Delivery(nil), none)
	got, err := s.InsertDeliveries(ctx, batch)
	must(t, err)
	if len(got) != len(batch) {
		t.Fatalf("InsertDeliveries returned %d deliveries, want %d", len(got), len(batch))
	}
	for i := range got {
		if got[i].ID == 0 || (i > 0 && got[i].ID <= got[i-1].ID) {
			t.Errorf("delivery %d has id %d after %d: want ids rising in the batch's order", i, got[i].ID, got[max(i-1, 0)].ID)
		}
		read, err := s.Delivery(ctx, got[i].ID)
		must(t, err)
		diff(t, "returned vs read", got[i], read)
		want := batch[i]
		want.ID = got[i].ID
		if want.State.Spent() {
			want.Payload = nil
		}
		diff(t, "inserted together vs given", want, read)
	}
}

func testDueDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	f := newFixture(t, s, "t1")
	creating, open := mustLink(t, s, f.it, "c1", "g1"), mustLink(t, s, f.it, "c1", "g2")
	open = setLinkState(t, s, open, store.LinkOpen)
	create := f.delivery(t, s, creating, store.DeliveryCreateTicket, store.DeliveryPending, t0)
	waiting := f.delivery(t, s, creating, store.DeliveryAddNote, store.DeliveryPending, t0.Add(-time.Minute))
	note := f.delivery(t, s, open, store.DeliveryAddNote, store.DeliveryPending, t0.Add(-time.Second))
	f.delivery(t, s, open, store.DeliveryAddNote, store.DeliveryPending, t0.Add(time.Microsecond)) // not yet due
	f.delivery(t, s, open, store.DeliveryAddNote, store.DeliveryDone, t0.Add(-time.Hour))
	f.delivery(t, s, open, store.DeliveryAddNote, store.DeliveryFailed, t0.Add(-time.Hour))
	otherIt := mustIntegration(t, s, "t1", "other")
	otherLink := mustLink(t, s, otherIt, "c1", "g1")
	fixture{it: otherIt, alert: f.alert}.delivery(t, s, otherLink, store.DeliveryCreateTicket, store.DeliveryPending, t0)

	due, err := s.DueDeliveries(ctx, f.it.ID, t0, 0)
	must(t, err)
	diff(t, "due while link creating", []store.Delivery{create, note}, due)

	setLinkState(t, s, creating, store.LinkOpen)
	due, err = s.DueDeliveries(ctx, f.it.ID, t0, 0)
	must(t, err)
	diff(t, "due once link open", []int64{create.ID, waiting.ID, note.ID}, deliveryIDs(due))

	due, err = s.DueDeliveries(ctx, f.it.ID, t0, 2)
	must(t, err)
	diff(t, "due with limit", []int64{create.ID, waiting.ID}, deliveryIDs(due))
}

func testPendingNotes(t *testing.T, s store.Store) {
	ctx := t.Context()
	f := newFixture(t, s, "t1")
	link, other := mustLink(t, s, f.it, "c1", "g1"), mustLink(t, s, f.it, "c1", "g2")
	f.delivery(t, s, link, store.DeliveryCreateTicket, store.DeliveryPending, t0)
	n1 := f.delivery(t, s, link, store.DeliveryAddNote, store.DeliveryPending, t0.Add(time.Hour))
	f.delivery(t, s, link, store.DeliveryAddNote, store.DeliveryDone, t0)
	f.delivery(t, s, link, store.DeliveryAddNote, store.DeliveryMerged, t0)
	n2 := f.delivery(t, s, link, store.DeliveryAddNote, store.DeliveryPending, t0.Add(-time.Hour))
	f.delivery(t, s, other, store.DeliveryAddNote, store.DeliveryPending, t0)

	got, err := s.PendingNotes(ctx, link.ID)
	must(t, err)
	diff(t, "pending notes", []store.Delivery{n1, n2}, got)
}

func testNextDeliveryAt(t *testing.T, s store.Store) {
	ctx := t.Context()
	f := newFixture(t, s, "t1")
	_, err := s.NextDeliveryAt(ctx, f.it.ID)
	wantErr(t, err, store.ErrNotFound)

	link := mustLink(t, s, f.it, "c1", "g1")
	f.delivery(t, s, link, store.DeliveryAddNote, store.DeliveryDone, t0)
	_, err = s.NextDeliveryAt(ctx, f.it.ID)
	wantErr(t, err, store.ErrNotFound)

	// A note waiting for its ticket to be created is not due, however
	// early its time: counting it would wake the engine for nothing.
	f.delivery(t, s, link, store.DeliveryAddNote, store.DeliveryPending, t0.Add(-time.Hour))
	_, err = s.NextDeliveryAt(ctx, f.it.ID)
	wantErr(t, err, store.ErrNotFound)

	f.delivery(t, s, link, store.DeliveryCreateTicket, store.DeliveryPending, t0.Add(time.Hour))
	got, err := s.NextDeliveryAt(ctx, f.it.ID)
	must(t, err)
	if want := t0.Add(time.Hour); !got.Equal(want) {
		t.Errorf("NextDeliveryAt while creating = %v, want the create's %v", got, want)
	}

	setLinkState(t, s, link, store.LinkOpen)
	got, err = s.NextDeliveryAt(ctx, f.it.ID)
	must(t, err)
	if want := t0.Add(-time.Hour); !got.Equal(want) {
		t.Errorf("NextDeliveryAt once open = %v, want the note's %v", got, want)
	}
}

func testCountDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, g := newFixture(t, s, "t1"), newFixture(t, s, "t2")
	link, glink := mustLink(t, s, f.it, "c1", "g1"), mustLink(t, s, g.it, "c1", "g1")
	for _, st := range []store.DeliveryState{store.DeliveryPending, store.DeliveryPending, store.DeliveryFailed} {
		f.delivery(t, s, link, store.DeliveryAddNote, st, t0)
	}
	g.delivery(t, s, glink, store.DeliveryAddNote, store.DeliveryPending, t0)

	tests := []struct {
		tenant string
		state  store.DeliveryState
		want   int64
	}{
		{"t1", store.DeliveryPending, 2},
		{"t1", store.DeliveryFailed, 1},
		{"t1", store.DeliveryDone, 0},
		{"t1", "", 3},
		{"t2", store.DeliveryPending, 1},
		{"t3", "", 0},
	}
	for _, tc := range tests {
		got, err := s.CountDeliveries(ctx, tc.tenant, tc.state)
		must(t, err)
		if got != tc.want {
			t.Errorf("CountDeliveries(%q, %q) = %d, want %d", tc.tenant, tc.state, got, tc.want)
		}
	}
}

func testDeliveriesFilter(t *testing.T, s store.Store) {
	ctx := t.Context()
	f, g := newFixture(t, s, "t1"), newFixture(t, s, "t2")
	second := mustAlert(t, s, mustSource(t, s, "t1", "src2"), "a2")
	link, glink := mustLink(t, s, f.it, "c1", "g1"), mustLink(t, s, g.it, "c1", "g1")
	d1 := f.delivery(t, s, link, store.DeliveryCreateTicket, store.DeliveryDone, t0)
	d2 := f.delivery(t, s, link, store.DeliveryAddNote, store.DeliveryPending, t0)
	d3 := fixture{it: f.it, alert: second}.delivery(t, s, link, store.DeliveryAddNote, store.DeliveryFailed, t0)
	other := g.delivery(t, s, glink, store.DeliveryAddNote, store.DeliveryPending, t0)

	tests := []struct {
		name string
		f    store.DeliveryFilter
		want []int64
	}{
		{"tenant_newest_first", store.DeliveryFilter{TenantID: "t1"}, []int64{d3.ID, d2.ID, d1.ID}},
		{"state", store.DeliveryFilter{TenantID: "t1", State: store.DeliveryPending}, []int64{d2.ID}},
		{"integration", store.DeliveryFilter{TenantID: "t2", IntegrationID: g.it.ID}, []int64{other.ID}},
		{"alert", store.DeliveryFilter{TenantID: "t1", AlertSeq: second.Seq}, []int64{d3.ID}},
		{"limit", store.DeliveryFilter{TenantID: "t1", Limit: 2}, []int64{d3.ID, d2.ID}},
		{"all_tenants", store.DeliveryFilter{State: store.DeliveryPending}, []int64{other.ID, d2.ID}},
		{"none", store.DeliveryFilter{TenantID: "t1", IntegrationID: g.it.ID}, nil},
		{"integration_and_state", store.DeliveryFilter{TenantID: "t1", IntegrationID: f.it.ID, State: store.DeliveryFailed}, []int64{d3.ID}},
		{"alert_and_state", store.DeliveryFilter{TenantID: "t1", AlertSeq: second.Seq, State: store.DeliveryPending}, nil},
		{"every_field", store.DeliveryFilter{TenantID: "t1", IntegrationID: f.it.ID, State: store.DeliveryFailed,
			AlertSeq: second.Seq, Limit: 1}, []int64{d3.ID}},
		{"no_field", store.DeliveryFilter{}, []int64{other.ID, d3.ID, d2.ID, d1.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Deliveries(ctx, tc.f)
			must(t, err)
			diff(t, "delivery ids", tc.want, deliveryIDs(got))
		})
	}
	got, err := s.Deliveries(ctx, store.DeliveryFilter{TenantID: "t1", State: store.DeliveryFailed})
	must(t, err)
	diff(t, "filtered delivery", []store.Delivery{d3}, got)
}

// testSpentDeliveriesKeepNoPayload: a delivery's payload is kept while it
// may run (pending, failed) and dropped once it is spent (done, merged),
// whether written so by an update or an insert.
func testSpentDeliveriesKeepNoPayload(t *testing.T, s store.Store) {
	ctx := t.Context()
	f := newFixture(t, s, "t1")
	link := mustLink(t, s, f.it, "c1", "g1")
	payload := []byte(`{"subject":"x"}`)
	d := f.delivery(t, s, link, store.DeliveryAddNote, store.DeliveryPending, t0)
	for _, tc := range []struct {
		state store.DeliveryState
		want  []byte
	}{
		{store.DeliveryFailed, payload},
		{store.DeliveryPending, payload}, // a person's retry
		{store.DeliveryMerged, nil},
	} {
		d.State, d.Payload = tc.state, payload
		must(t, s.UpdateDelivery(ctx, d))
		got, err := s.Delivery(ctx, d.ID)
		must(t, err)
		diff(t, "payload of a "+string(tc.state)+" delivery", tc.want, got.Payload)
	}
	done := f.delivery(t, s, link, store.DeliveryAddNote, store.DeliveryDone, t0)
	diff(t, "payload returned by inserting a done delivery", []byte(nil), done.Payload)
	got, err := s.Delivery(ctx, done.ID)
	must(t, err)
	diff(t, "payload of an inserted done delivery", []byte(nil), got.Payload)
}

func testOldestPendingDelivery(t *testing.T, s store.Store) {
	ctx := t.Context()
	f := newFixture(t, s, "t1")
	_, err := s.OldestPendingDelivery(ctx, f.it.ID)
	wantErr(t, err, store.ErrNotFound)

	link := mustLink(t, s, f.it, "c1", "g1")
	d := f.delivery(t, s, link, store.DeliveryCreateTicket, store.DeliveryDone, t0)
	_, err = s.OldestPendingDelivery(ctx, f.it.ID)
	wantErr(t, err, store.ErrNotFound)

	// Pending ones count whether due or not, by when they were queued.
	for i, at := range []time.Time{t0.Add(2 * time.Hour), t0.Add(time.Hour)} {
		_, err := s.InsertDelivery(ctx, store.Delivery{
			TenantID: f.it.TenantID, IntegrationID: f.it.ID, TicketLinkID: link.ID, AlertSeq: f.alert.Seq,
			Kind: store.DeliveryAddNote, State: store.DeliveryPending, NextAttemptAt: t0.Add(time.Duration(i+5) * time.Hour),
			Payload: []byte(`{}`), CreatedAt: at, UpdatedAt: at,
		})
		must(t, err)
	}
	got, err := s.OldestPendingDelivery(ctx, f.it.ID)
	must(t, err)
	if !got.Equal(t0.Add(time.Hour)) {
		t.Errorf("oldest pending = %v, want %v (done delivery %d not counted)", got, t0.Add(time.Hour), d.ID)
	}
	other := newFixture(t, s, "t2")
	_, err = s.OldestPendingDelivery(ctx, other.it.ID)
	wantErr(t, err, store.ErrNotFound)
}
