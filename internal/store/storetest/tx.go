package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"github.com/ticketbridge/ticketbridge/internal/alert"
	"slices"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

var errBoom = errors.New("boom")

func testTxRollback(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it := mustIntegration(t, s, "t1", "psa")
	var seq int64
	err := s.InTx(ctx, func(q store.Queries) error {
		must(t, q.CreateSource(ctx, store.Source{TenantID: "t1", ID: "tx-src", Name: "tx", TokenHash: "tx-hash"}))
		a := mustAlert(t, q, src, "tx-alert")
		seq = a.Seq
		mustLink(t, q, it, "c1", "g1")
		return errBoom
	})
	wantErr(t, err, errBoom)

	_, err = s.SourceByTokenHash(ctx, "tx-hash")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.AlertBySourceID(ctx, "t1", src.ID, "tx-alert")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.AlertBySeq(ctx, seq)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.OpenTicketLink(ctx, it.ID, "c1", "g1")
	wantErr(t, err, store.ErrNotFound)

	// The store is still usable after a rollback.
	mustAlert(t, s, src, "after")
}

func testTxCommit(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it := mustIntegration(t, s, "t1", "psa")
	var a store.StoredAlert
	var link store.TicketLink
	err := s.InTx(ctx, func(q store.Queries) error {
		a = mustAlert(t, q, src, "tx-alert")
		link = mustLink(t, q, it, "c1", "g1")
		// A transaction reads its own writes.
		got, err := q.AlertBySeq(ctx, a.Seq)
		if err != nil {
			return err
		}
		diff(t, "alert read inside tx", a, got)
		if _, err := q.OpenTicketLink(ctx, it.ID, "c1", "g1"); err != nil {
			return err
		}
		// A conflict inside a transaction is an answer, not the end of it.
		dup := link
		dup.ExternalRef = "tb-dup"
		if _, err := q.CreateTicketLink(ctx, dup); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate link in tx: %v, want ErrConflict", err)
		}
		return q.InsertRoute(ctx, store.Route{TenantID: "t1", AlertSeq: a.Seq, IntegrationID: it.ID,
			Outcome: store.RouteQueued, TicketLinkID: link.ID, CreatedAt: t0})
	})
	must(t, err)

	got, err := s.AlertBySeq(ctx, a.Seq)
	must(t, err)
	diff(t, "committed alert", a, got)
	byLink, err := s.AlertsByTicketLink(ctx, link.ID)
	must(t, err)
	diff(t, "committed route", []int64{a.Seq}, seqs(byLink))
}

func testTimeline(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it := mustIntegration(t, s, "t1", "psa")
	a, b := mustAlert(t, s, src, "a1"), mustAlert(t, s, src, "a2")
	entries := []store.TimelineEntry{
		{TenantID: "t1", AlertSeq: a.Seq, At: t0, Event: "received", Detail: "via http"},
		{TenantID: "t1", AlertSeq: a.Seq, IntegrationID: it.ID, At: t0.Add(time.Second), Event: "queued", Detail: "new ticket"},
		{TenantID: "t1", AlertSeq: a.Seq, IntegrationID: it.ID, At: t0.Add(time.Second), Event: "ticket_created", Detail: "T1"},
		{TenantID: "t1", AlertSeq: a.Seq, IntegrationID: it.ID, At: t0.Add(2 * time.Second), Event: "note_added", Detail: "N1"},
	}
	must(t, s.AppendTimeline(ctx, store.TimelineEntry{TenantID: "t1", AlertSeq: b.Seq, At: t0, Event: "received"}))
	for _, e := range entries {
		must(t, s.AppendTimeline(ctx, e))
	}
	got, err := s.Timeline(ctx, a.Seq)
	must(t, err)
	if len(got) != len(entries) {
		t.Fatalf("timeline has %d entries, want %d: %+v", len(got), len(entries), got)
	}
	for i := range got {
		if got[i].ID == 0 {
			t.Errorf("entry %d has no id", i)
		}
		entries[i].ID = got[i].ID
	}
	diff(t, "timeline", entries, got)
}

// testTimelineBatch: entries appended together read back like entries
// appended one by one, in their order, with and without an integration.
func testTimelineBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it := mustIntegration(t, s, "t1", "psa")
	a, b := mustAlert(t, s, src, "a1"), mustAlert(t, s, src, "a2")
	must(t, s.AppendTimelines(ctx, nil))
	batch := []store.TimelineEntry{
		{TenantID: "t1", AlertSeq: a.Seq, At: t0, Event: "received", Detail: "from source \"x\" — ünïcode"},
		{TenantID: "t1", AlertSeq: b.Seq, At: t0, Event: "received", Detail: "b"},
		{TenantID: "t1", AlertSeq: a.Seq, IntegrationID: it.ID, At: t0, Event: "queued", Detail: "same instant, later in the batch"},
		{TenantID: "t1", AlertSeq: a.Seq, At: t0.Add(1500 * time.Microsecond), Event: "updated", Detail: ""},
	}
	must(t, s.AppendTimelines(ctx, batch))
	got, err := s.Timeline(ctx, a.Seq)
	must(t, err)
	want := []store.TimelineEntry{batch[0], batch[2], batch[3]}
	if len(got) != len(want) {
		t.Fatalf("timeline has %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range got {
		want[i].ID = got[i].ID
	}
	diff(t, "batched timeline", want, got)
	if got[0].ID >= got[1].ID {
		t.Errorf("ids %d, %d: want the batch's order", got[0].ID, got[1].ID)
	}
}

// testAlertsByKeys: one read finds the stored alerts among many keys of
// several sources and tenants, each once, and only under its own source
// and tenant.
func testAlertsByKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	src, other, far := mustSource(t, s, "t1", "src"), mustSource(t, s, "t1", "other"), mustSource(t, s, "t2", "src")
	a1, a2 := mustAlert(t, s, src, "a1"), mustAlert(t, s, src, "a'2")
	o3, f1 := mustAlert(t, s, other, "a3"), mustAlert(t, s, far, "a1")
	key := func(a store.StoredAlert) store.AlertKey {
		return store.AlertKey{TenantID: a.TenantID, SourceID: a.SourceID, AlertID: a.Alert.ID}
	}
	got, err := s.AlertsByKeys(ctx, []store.AlertKey{
		key(o3), key(a2), {TenantID: "t1", SourceID: "src", AlertID: "missing"}, key(a1), key(a2),
		{TenantID: "t1", SourceID: "src", AlertID: "a3"},   // another source's id
		{TenantID: "t2", SourceID: "other", AlertID: "a3"}, // another tenant's source
		key(f1),
	})
	must(t, err)
	slices.SortFunc(got, func(a, b store.StoredAlert) int { return cmp.Compare(a.Seq, b.Seq) })
	diff(t, "alerts by keys", []store.StoredAlert{a1, a2, o3, f1}, got)
	got, err = s.AlertsByKeys(ctx, nil)
	if err != nil || len(got) != 0 {
		t.Errorf("no keys: %+v, %v; want none", got, err)
	}
}

// testTimesRoundTrip stores times in other zones with sub-second parts:
// they read back as the same instants, in UTC.
func testTimesRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	at := time.Date(2026, 3, 4, 5, 6, 7, 891234000, zone)
	src := store.Source{TenantID: "t1", ID: "src", Name: "s", TokenHash: "h", CreatedAt: at}
	must(t, s.CreateSource(ctx, src))
	gotSrc, err := s.SourceByTokenHash(ctx, "h")
	must(t, err)

	al := newAlert("a1")
	al.OccurredAt = at.Add(-time.Millisecond)
	res, err := s.UpsertAlert(ctx, store.StoredAlert{TenantID: "t1", SourceID: "src", Alert: al, ReceivedAt: at, UpdatedAt: at})
	must(t, err)
	gotAlert, err := s.AlertBySeq(ctx, res.Seq)
	must(t, err)

	it := mustIntegration(t, s, "t1", "psa")
	link := mustLink(t, s, it, "c1", "g1")
	link.State, link.ClosedAt = store.LinkClosed, &at
	must(t, s.UpdateTicketLink(ctx, link))
	gotLink, err := s.TicketLink(ctx, link.ID)
	must(t, err)

	times := []struct {
		name string
		got  time.Time
		want time.Time
	}{
		{"source created", gotSrc.CreatedAt, at},
		{"alert occurred", gotAlert.Alert.OccurredAt, al.OccurredAt},
		{"alert received", gotAlert.ReceivedAt, at},
		{"link closed", *gotLink.ClosedAt, at},
	}
	for _, tc := range times {
		if !tc.got.Equal(tc.want) || tc.got.Location() != time.UTC {
			t.Errorf("%s = %v, want %v in UTC", tc.name, tc.got, tc.want.UTC())
		}
	}
}

// testCountAlertsSince counts by when alerts occurred, at or after the
// cut-off, within the tenant only.
func testCountAlertsSince(t *testing.T, s store.Store) {
	ctx := t.Context()
	src, far := mustSource(t, s, "t1", "src"), mustSource(t, s, "t2", "src")
	for i, age := range []time.Duration{time.Hour, 2 * time.Hour, 48 * time.Hour} {
		a := store.StoredAlert{TenantID: src.TenantID, SourceID: src.ID, Alert: newAlert(fmt.Sprintf("a%d", i)), ReceivedAt: t0, UpdatedAt: t0}
		a.Alert.OccurredAt = t0.Add(-age)
		_, err := s.UpsertAlert(ctx, a)
		must(t, err)
	}
	mustAlert(t, s, far, "other-tenant")
	for _, c := range []struct {
		since time.Time
		want  int64
	}{
		{t0.Add(-72 * time.Hour), 3},
		{t0.Add(-2 * time.Hour), 2}, // at the cut-off counts
		{t0.Add(-90 * time.Minute), 1},
		{t0, 0},
	} {
		n, err := s.CountAlertsSince(ctx, "t1", c.since)
		if err != nil || n != c.want {
			t.Errorf("since %s: %d, %v; want %d", c.since, n, err, c.want)
		}
	}
}

// testListAlerts: alerts list newest first, each filter narrows, pages
// follow BeforeSeq, and another tenant's alerts never show.
func testListAlerts(t *testing.T, s store.Store) {
	ctx := t.Context()
	src, other, far := mustSource(t, s, "t1", "src"), mustSource(t, s, "t1", "other"), mustSource(t, s, "t2", "src")
	put := func(src store.Source, id, typ, org string, status alert.Status, age time.Duration) int64 {
		a := store.StoredAlert{TenantID: src.TenantID, SourceID: src.ID, Alert: newAlert(id), ReceivedAt: t0, UpdatedAt: t0}
		a.Alert.Type, a.Alert.Organization, a.Alert.Status, a.Alert.OccurredAt = typ, alert.Organization{ID: org}, status, t0.Add(-age)
		res, err := s.UpsertAlert(ctx, a)
		must(t, err)
		return res.Seq
	}
	a1 := put(src, "a1", "Too Many Downloads", "org-1", alert.StatusOpen, 3*time.Hour)
	a2 := put(src, "a2", "Impossible Travel", "org-2", alert.StatusResolved, 2*time.Hour)
	a3 := put(other, "a3", "Too Many Downloads", "org-1", alert.StatusOpen, time.Hour)
	put(far, "a1", "Too Many Downloads", "org-1", alert.StatusOpen, time.Hour)
	seqs := func(f store.AlertFilter) []int64 {
		t.Helper()
		f.TenantID = "t1"
		as, err := s.ListAlerts(ctx, f)
		must(t, err)
		out := []int64{}
		for _, a := range as {
			out = append(out, a.Seq)
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    store.AlertFilter
		want []int64
	}{
		{"all, newest first", store.AlertFilter{}, []int64{a3, a2, a1}},
		{"source", store.AlertFilter{SourceID: "src"}, []int64{a2, a1}},
		{"organization", store.AlertFilter{Organization: alert.Organization{ID: "org-1"}.Key()}, []int64{a3, a1}},
		{"status", store.AlertFilter{Status: string(alert.StatusResolved)}, []int64{a2}},
		{"type", store.AlertFilter{Type: "Too Many Downloads"}, []int64{a3, a1}},
		{"occurred from", store.AlertFilter{OccurredFrom: t0.Add(-2 * time.Hour)}, []int64{a3, a2}},
		{"occurred to", store.AlertFilter{OccurredTo: t0.Add(-2 * time.Hour)}, []int64{a1}},
		{"first page", store.AlertFilter{Limit: 2}, []int64{a3, a2}},
		{"next page", store.AlertFilter{Limit: 2, BeforeSeq: a2}, []int64{a1}},
		{"nothing matches", store.AlertFilter{Type: "Nope"}, []int64{}},
	} {
		if got := seqs(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
