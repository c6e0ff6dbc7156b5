package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// resend stores a re-send of a with status st at at, as ingest does.
func resend(t *testing.T, s store.Store, a store.StoredAlert, st alert.Status, at time.Time) store.UpsertResult {
	t.Helper()
	a.Seq, a.Alert.Status, a.ReceivedAt, a.UpdatedAt = 0, st, at, at
	res, err := s.UpsertAlert(t.Context(), a)
	must(t, err)
	return res
}

func mustRoute(t *testing.T, s store.Store, a store.StoredAlert, it store.Integration, outcome store.RouteOutcome, handled alert.Status) {
	t.Helper()
	must(t, s.InsertRoute(t.Context(), store.Route{TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: it.ID,
		Outcome: outcome, HandledStatus: handled, CreatedAt: t0}))
}

func testTicketLinkByPSAID(t *testing.T, s store.Store) {
	ctx := t.Context()
	it, other := mustIntegration(t, s, "t1", "psa"), mustIntegration(t, s, "t1", "other")
	creating := mustLink(t, s, it, "c1", "creating")
	old := setLinkState(t, s, mustLink(t, s, it, "c1", "g1"), store.LinkOpen)
	setLinkState(t, s, old, store.LinkClosed)
	// The PSA reused ticket id 1001 (setLinkState gives every open link
	// that id): the newest link of the integration wins.
	reused := setLinkState(t, s, mustLink(t, s, it, "c1", "g1"), store.LinkOpen)
	setLinkState(t, s, mustLink(t, s, other, "c1", "g1"), store.LinkOpen) // newer, other integration

	got, err := s.TicketLinkByPSAID(ctx, it.ID, "1001")
	must(t, err)
	diff(t, "link of reused ticket id", reused, got)

	tests := []struct{ name, id string }{
		{"unknown_id", "999"},
		{"empty_id_of_creating_link", creating.PSATicketID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.TicketLinkByPSAID(ctx, it.ID, tc.id)
			wantErr(t, err, store.ErrNotFound)
		})
	}
}

func testSetAlertStatus(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	tests := []struct {
		name   string
		status alert.Status
		origin string
	}{
		{"psa", alert.StatusResolved, "psa:Example PSA EU"},
		{"source", alert.StatusInProgress, "source"},
		{"psa_ignored", alert.StatusIgnored, "psa:cw"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := mustAlert(t, s, src, "a-"+tc.name)
			at := t0.Add(time.Duration(i+1) * time.Hour)
			must(t, s.SetAlertStatus(ctx, a.Seq, tc.status, tc.origin, at))
			want := a
			want.Alert.Status, want.StatusOrigin, want.StatusChangedAt, want.UpdatedAt = tc.status, tc.origin, at, at
			got, err := s.AlertBySeq(ctx, a.Seq)
			must(t, err)
			diff(t, "alert by seq", want, got)
			got, err = s.AlertBySourceID(ctx, "t1", src.ID, a.Alert.ID)
			must(t, err)
			diff(t, "alert by source id", want, got)
		})
	}
	wantErr(t, s.SetAlertStatus(ctx, 1<<40, alert.StatusResolved, "source", t0), store.ErrNotFound)
}

// testUpsertStatusOrigin: a re-send moves the origin back to the source
// only when it changes the status.
func testUpsertStatusOrigin(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	a := mustAlert(t, s, src, "a1")
	psaAt := t0.Add(time.Hour)
	must(t, s.SetAlertStatus(ctx, a.Seq, alert.StatusResolved, "psa:psa", psaAt))

	steps := []struct {
		name        string
		status      alert.Status
		wantPrev    alert.Status
		wantOrigin  string
		wantChanged time.Time
	}{
		{"same_status_keeps_psa_origin", alert.StatusResolved, alert.StatusResolved, "psa:psa", psaAt},
		{"new_status_is_the_source's", alert.StatusOpen, alert.StatusResolved, "source", t0.Add(3 * time.Hour)},
		{"same_again_keeps_time", alert.StatusOpen, alert.StatusOpen, "source", t0.Add(3 * time.Hour)},
	}
	for i, st := range steps {
		at := t0.Add(time.Duration(i+2) * time.Hour)
		res := resend(t, s, a, st.status, at)
		if res.Created || res.PreviousStatus != st.wantPrev {
			t.Errorf("%s: upsert = %+v, want an update from %q", st.name, res, st.wantPrev)
		}
		got, err := s.AlertBySeq(ctx, a.Seq)
		must(t, err)
		if got.Alert.Status != st.status || got.StatusOrigin != st.wantOrigin || !got.StatusChangedAt.Equal(st.wantChanged) {
			t.Errorf("%s: status %q from %q at %v, want %q from %q at %v", st.name, got.Alert.Status,
				got.StatusOrigin, got.StatusChangedAt, st.status, st.wantOrigin, st.wantChanged)
		}
	}
}

func testStatusChanges(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it, other := mustIntegration(t, s, "t1", "psa"), mustIntegration(t, s, "t1", "other")
	a1, a2, a3 := mustAlert(t, s, src, "a1"), mustAlert(t, s, src, "a2"), mustAlert(t, s, src, "a3")
	mustAlert(t, s, src, "unrouted")
	mustRoute(t, s, a1, it, store.RouteQueued, alert.StatusOpen)
	mustRoute(t, s, a2, it, store.RouteQueued, alert.StatusOpen)
	mustRoute(t, s, a3, it, store.RouteSkipped, "") // skipped: never a status change
	mustRoute(t, s, a1, other, store.RouteQueued, alert.StatusOpen)

	changes := func(id int64, n int) []int64 {
		t.Helper()
		got, err := s.StatusChanges(ctx, id, n)
		must(t, err)
		return seqs(got)
	}
	diff(t, "changes before any re-send", []int64{}, changes(it.ID, 0))

	resend(t, s, a2, alert.StatusResolved, t0.Add(time.Hour))
	resend(t, s, a1, alert.StatusInProgress, t0.Add(2*time.Hour))
	resend(t, s, a3, alert.StatusResolved, t0.Add(time.Hour))
	diff(t, "oldest change first", []int64{a2.Seq, a1.Seq}, changes(it.ID, 0))
	diff(t, "limit", []int64{a2.Seq}, changes(it.ID, 1))
	diff(t, "other integration", []int64{a1.Seq}, changes(other.ID, 0))

	got, err := s.StatusChanges(ctx, it.ID, 1)
	must(t, err)
	want := a2
	want.Alert.Status, want.UpdatedAt, want.StatusChangedAt = alert.StatusResolved, t0.Add(time.Hour), t0.Add(time.Hour)
	diff(t, "changed alert", []store.StoredAlert{want}, got)

	must(t, s.MarkStatusHandled(ctx, a2.Seq, it.ID, alert.StatusResolved))
	diff(t, "after handling a2", []int64{a1.Seq}, changes(it.ID, 0))
	diff(t, "other integration keeps its own mark", []int64{a1.Seq}, changes(other.ID, 0))
	routes, err := s.Routes(ctx, a2.Seq)
	must(t, err)
	if len(routes) != 1 || routes[0].HandledStatus != alert.StatusResolved {
		t.Errorf("routes of a2 = %+v, want one handled at resolved", routes)
	}

	// A status the PSA set back to the handled one leaves nothing to do.
	must(t, s.SetAlertStatus(ctx, a1.Seq, alert.StatusOpen, "psa:psa", t0.Add(3*time.Hour)))
	diff(t, "after psa reverts a1", []int64{}, changes(it.ID, 0))

	wantErr(t, s.MarkStatusHandled(ctx, a3.Seq, other.ID, alert.StatusOpen), store.ErrNotFound)
}

// testStatusChangesFollowEveryWriter: whichever way an alert's status
// moves (a re-send, a PSA sync, moving back), and whenever its route is
// made (before or after the move), StatusChanges lists exactly the queued
// routes whose alert's status is not the handled one. Engines may keep a
// copy of the status beside the route to index this; the copy must never
// drift from the alert.
func testStatusChangesFollowEveryWriter(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it, other := mustIntegration(t, s, "t1", "psa"), mustIntegration(t, s, "t1", "other")
	early, late, same := mustAlert(t, s, src, "early"), mustAlert(t, s, src, "late"), mustAlert(t, s, src, "same")
	mustRoute(t, s, early, it, store.RouteQueued, alert.StatusOpen)
	mustRoute(t, s, early, other, store.RouteQueued, alert.StatusOpen)
	mustRoute(t, s, same, it, store.RouteQueued, alert.StatusOpen)
	changes := func(id int64) []int64 {
		t.Helper()
		got, err := s.StatusChanges(ctx, id, 0)
		must(t, err)
		return seqs(got)
	}

	steps := []struct {
		name        string
		do          func()
		want, other []int64
	}{
		{"resend_without_change", func() { resend(t, s, same, alert.StatusOpen, t0.Add(time.Minute)) }, []int64{}, []int64{}},
		{"resend_with_change", func() { resend(t, s, early, alert.StatusInProgress, t0.Add(2*time.Minute)) },
			[]int64{early.Seq}, []int64{early.Seq}},
		// The route is made after the move, handled at what the router
		// read before it: still a change to act on.
		{"route_after_change", func() {
			resend(t, s, late, alert.StatusResolved, t0.Add(3*time.Minute))
			mustRoute(t, s, late, it, store.RouteQueued, alert.StatusOpen)
		}, []int64{early.Seq, late.Seq}, []int64{early.Seq}},
		{"handled", func() { must(t, s.MarkStatusHandled(ctx, early.Seq, it.ID, alert.StatusInProgress)) },
			[]int64{late.Seq}, []int64{early.Seq}},
		{"psa_sets_status_in_tx", func() {
			must(t, s.InTx(ctx, func(q store.Queries) error {
				if err := q.SetAlertStatus(ctx, early.Seq, alert.StatusResolved, "psa:psa", t0.Add(4*time.Minute)); err != nil {
					return err
				}
				return q.MarkStatusHandled(ctx, early.Seq, it.ID, alert.StatusResolved)
			}))
		}, []int64{late.Seq}, []int64{early.Seq}},
		{"moved_back_to_handled", func() { resend(t, s, late, alert.StatusOpen, t0.Add(5*time.Minute)) },
			[]int64{}, []int64{early.Seq}},
		{"rolled_back", func() {
			err := s.InTx(ctx, func(q store.Queries) error {
				must(t, q.SetAlertStatus(ctx, same.Seq, alert.StatusIgnored, "psa:other", t0.Add(6*time.Minute)))
				return errors.New("roll back")
			})
			if err == nil {
				t.Fatal("InTx committed, want the rollback")
			}
		}, []int64{}, []int64{early.Seq}},
	}
	for _, st := range steps {
		st.do()
		diff(t, st.name+": changes of psa", st.want, changes(it.ID))
		diff(t, st.name+": changes of other", st.other, changes(other.ID))
	}
}

func testCursors(t *testing.T, s store.Store) {
	ctx := t.Context()
	it, other := mustIntegration(t, s, "t1", "psa"), mustIntegration(t, s, "t2", "psa")
	_, err := s.Cursor(ctx, it.ID, "status_poll")
	wantErr(t, err, store.ErrNotFound)

	must(t, s.SetCursor(ctx, it.ID, "status_poll", "2026-11-21T10:00:00Z"))
	must(t, s.SetCursor(ctx, it.ID, "status_poll", "2026-11-21T11:00:00Z"))
	must(t, s.SetCursor(ctx, it.ID, "billing_period", "2026-10"))
	must(t, s.SetCursor(ctx, other.ID, "status_poll", "other"))
	wantErr(t, s.SetCursor(ctx, 1<<40, "status_poll", "x"), store.ErrNotFound)

	tests := []struct {
		name        string
		integration int64
		cursor      string
		want        string
	}{
		{"last_write_wins", it.ID, "status_poll", "2026-11-21T11:00:00Z"},
		{"names_apart", it.ID, "billing_period", "2026-10"},
		{"integrations_apart", other.ID, "status_poll", "other"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Cursor(ctx, tc.integration, tc.cursor)
			must(t, err)
			if got != tc.want {
				t.Errorf("Cursor(%d, %q) = %q, want %q", tc.integration, tc.cursor, got, tc.want)
			}
		})
	}
	_, err = s.Cursor(ctx, other.ID, "billing_period")
	wantErr(t, err, store.ErrNotFound)
}

func testMarkSeen(t *testing.T, s store.Store) {
	ctx := t.Context()
	it, other := mustIntegration(t, s, "t1", "psa"), mustIntegration(t, s, "t1", "other")
	must(t, s.MarkSeen(ctx, it.ID, "1001:7", t0))
	wantErr(t, s.MarkSeen(ctx, it.ID, "1001:7", t0.Add(time.Second)), store.ErrConflict)
	must(t, s.MarkSeen(ctx, other.ID, "1001:7", t0))
	must(t, s.MarkSeen(ctx, it.ID, "1001:8", t0))
	wantErr(t, s.MarkSeen(ctx, 1<<40, "1001:7", t0), store.ErrNotFound)

	// A duplicate inside a transaction is an answer, not the end of it.
	err := s.InTx(ctx, func(q store.Queries) error {
		wantErr(t, q.MarkSeen(ctx, it.ID, "1001:8", t0), store.ErrConflict)
		return q.MarkSeen(ctx, it.ID, "1001:9", t0)
	})
	must(t, err)
	wantErr(t, s.MarkSeen(ctx, it.ID, "1001:9", t0), store.ErrConflict)

	// Keys are kept 30 days, then forgotten.
	must(t, s.MarkSeen(ctx, it.ID, "recent", t0.Add(20*24*time.Hour)))
	later := t0.Add(31 * 24 * time.Hour)
	must(t, s.MarkSeen(ctx, it.ID, "1001:7", later))
	wantErr(t, s.MarkSeen(ctx, it.ID, "recent", later), store.ErrConflict)
}

// testSetStatusDeliveryDue: a status push, like a note, needs the PSA
// ticket: it is due only while its link is open.
func testSetStatusDeliveryDue(t *testing.T, s store.Store) {
	ctx := t.Context()
	f := newFixture(t, s, "t1")
	link := mustLink(t, s, f.it, "c1", "g1")
	create := f.delivery(t, s, link, store.DeliveryCreateTicket, store.DeliveryPending, t0)
	push := f.delivery(t, s, link, store.DeliverySetStatus, store.DeliveryPending, t0.Add(-time.Minute))

	due := func() []int64 {
		t.Helper()
		got, err := s.DueDeliveries(ctx, f.it.ID, t0, 0)
		must(t, err)
		return deliveryIDs(got)
	}
	diff(t, "due while creating", []int64{create.ID}, due())
	link = setLinkState(t, s, link, store.LinkOpen)
	diff(t, "due once open", []int64{create.ID, push.ID}, due())
	setLinkState(t, s, link, store.LinkClosed)
	diff(t, "due once closed", []int64{create.ID}, due())

	notes, err := s.PendingNotes(ctx, link.ID)
	must(t, err)
	diff(t, "pending notes hold no status push", []int64{}, deliveryIDs(notes))
}

// testMarkSeenConcurrent: replicas receiving the same webhook at once
// handle it once.
func testMarkSeenConcurrent(t *testing.T, s store.Store) {
	it := mustIntegration(t, s, "t1", "psa")
	const n = 8
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.MarkSeen(t.Context(), it.ID, "1001:7", t0)
		}()
	}
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("MarkSeen: %v, want nil or ErrConflict", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent MarkSeen calls recorded the key, want 1", won, n)
	}
}

// testStatusWritesInTx: a not-found answer inside a transaction leaves it
// usable, on every engine.
func testStatusWritesInTx(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it := mustIntegration(t, s, "t1", "psa")
	a := mustAlert(t, s, src, "a1")
	const ghost = 1 << 40
	err := s.InTx(ctx, func(q store.Queries) error {
		_, err := q.InsertCallback(ctx, store.Callback{TenantID: "t1", SourceID: "ghost", AlertSeq: a.Seq,
			State: store.DeliveryPending, NextAttemptAt: t0})
		wantErr(t, err, store.ErrNotFound)
		_, err = q.InsertCallback(ctx, store.Callback{TenantID: "t1", SourceID: src.ID, AlertSeq: ghost,
			State: store.DeliveryPending, NextAttemptAt: t0})
		wantErr(t, err, store.ErrNotFound)
		wantErr(t, q.AppendBillingAudit(ctx, store.BillingAudit{TenantID: "t1", IntegrationID: ghost, At: t0}), store.ErrNotFound)
		wantErr(t, q.SetAlertStatus(ctx, ghost, alert.StatusResolved, "source", t0), store.ErrNotFound)
		wantErr(t, q.MarkStatusHandled(ctx, a.Seq, it.ID, alert.StatusResolved), store.ErrNotFound)
		wantErr(t, q.SetCursor(ctx, ghost, "status_poll", "x"), store.ErrNotFound)
		wantErr(t, q.MarkSeen(ctx, ghost, "k", t0), store.ErrNotFound)
		if err := q.SetAlertStatus(ctx, a.Seq, alert.StatusResolved, "psa:psa", t0.Add(time.Hour)); err != nil {
			return err
		}
		return q.SetCursor(ctx, it.ID, "status_poll", "after the answers")
	})
	must(t, err)
	got, err := s.Cursor(ctx, it.ID, "status_poll")
	must(t, err)
	if got != "after the answers" {
		t.Errorf("cursor = %q, want the value written in the transaction", got)
	}
	stored, err := s.AlertBySeq(ctx, a.Seq)
	must(t, err)
	if stored.Alert.Status != alert.StatusResolved || stored.StatusOrigin != "psa:psa" {
		t.Errorf("alert status %q from %q, want resolved from psa:psa", stored.Alert.Status, stored.StatusOrigin)
	}
}
