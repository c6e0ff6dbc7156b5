package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

func testSources(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mustSource(t, s, "t1", "src-a")
	b := mustSource(t, s, "t1", "src-b")
	mustSource(t, s, "t2", "src-c")
	noToken := store.Source{TenantID: "t1", ID: "src-mail", Name: "Mail", CreatedAt: t0}
	must(t, s.CreateSource(ctx, noToken))
	// A second source without a token is no duplicate token.
	must(t, s.CreateSource(ctx, store.Source{TenantID: "t1", ID: "src-mail2", Name: "Mail 2", CreatedAt: t0}))

	got, err := s.SourceByTokenHash(ctx, b.TokenHash)
	must(t, err)
	diff(t, "source by token", b, got)

	_, err = s.SourceByTokenHash(ctx, "no-such-hash")
	wantErr(t, err, store.ErrNotFound)

	list, err := s.Sources(ctx, "t1")
	must(t, err)
	if len(list) != 4 || list[0].ID != a.ID || list[1].ID != b.ID || list[2].ID != noToken.ID {
		t.Errorf("Sources(t1) = %+v, want src-a, src-b, src-mail, src-mail2", list)
	}

	dupToken := store.Source{TenantID: "t1", ID: "src-d", Name: "D", TokenHash: a.TokenHash}
	wantErr(t, s.CreateSource(ctx, dupToken), store.ErrConflict)
	dupID := store.Source{TenantID: "t1", ID: a.ID, Name: "again", TokenHash: "other-hash"}
	wantErr(t, s.CreateSource(ctx, dupID), store.ErrConflict)
}

// testSourcesByTokenHashes: one read finds the sources holding any of
// many hashes, each once, of any tenant.
func testSourcesByTokenHashes(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b, c := mustSource(t, s, "t1", "src-a"), mustSource(t, s, "t1", "src-b"), mustSource(t, s, "t2", "src-c")
	mustSource(t, s, "t1", "src-d")
	got, err := s.SourcesByTokenHashes(ctx, []string{c.TokenHash, "no-such-hash", a.TokenHash, c.TokenHash, b.TokenHash})
	must(t, err)
	slices.SortFunc(got, func(x, y store.Source) int { return cmp.Compare(x.ID, y.ID) })
	diff(t, "sources by token hashes", []store.Source{a, b, c}, got)
	got, err = s.SourcesByTokenHashes(ctx, nil)
	if err != nil || len(got) != 0 {
		t.Errorf("no hashes: %+v, %v; want none", got, err)
	}
}

// testSourceFormat: a source's format and settings come back as stored
// from every read; a source stored without them speaks canonical.
func testSourceFormat(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := store.Source{
		TenantID: "t1", ID: "am", Name: "Alertmanager", TokenHash: "hash-am", CreatedAt: t0,
		Format: "alertmanager", Settings: []byte(`{"default_organization":{"id":"org-42"}}`),
	}
	must(t, s.CreateSource(ctx, src))
	byToken, err := s.SourceByTokenHash(ctx, "hash-am")
	must(t, err)
	diff(t, "source by token", src, byToken)
	byID, err := s.SourceByID(ctx, "t1", "am")
	must(t, err)
	diff(t, "source by id", src, byID)

	must(t, s.CreateSource(ctx, store.Source{TenantID: "t1", ID: "plain", Name: "Plain", TokenHash: "hash-plain", CreatedAt: t0}))
	plain, err := s.SourceByTokenHash(ctx, "hash-plain")
	must(t, err)
	if plain.Format != "canonical" || string(plain.Settings) != "{}" {
		t.Errorf("source stored without a format: format %q, settings %q; want canonical, {}", plain.Format, plain.Settings)
	}

	must(t, s.SetSourceFormat(ctx, "t1", "plain", "saas-alerts", []byte(`{"organization_from":"customer.id"}`)))
	changed, err := s.SourceByTokenHash(ctx, "hash-plain")
	must(t, err)
	if changed.Format != "saas-alerts" || string(changed.Settings) != `{"organization_from":"customer.id"}` || changed.Name != "Plain" {
		t.Errorf("after SetSourceFormat: %+v", changed)
	}
	wantErr(t, s.SetSourceFormat(ctx, "t2", "plain", "canonical", nil), store.ErrNotFound)
}

func testAPITokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	tok := store.APIToken{TenantID: "t1", Name: "ci", TokenHash: "api-hash-1", Role: store.RoleAdmin, CreatedAt: t0}
	must(t, s.CreateAPIToken(ctx, tok))

	got, err := s.APITokenByHash(ctx, tok.TokenHash)
	must(t, err)
	diff(t, "api token", tok, got)

	_, err = s.APITokenByHash(ctx, "no-such-hash")
	wantErr(t, err, store.ErrNotFound)

	dup := store.APIToken{TenantID: "t2", Name: "other", TokenHash: tok.TokenHash, CreatedAt: t0}
	wantErr(t, s.CreateAPIToken(ctx, dup), store.ErrConflict)
}

func testUpsertCreatesThenUpdates(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	first := mustAlert(t, s, src, "sa-1")
	it := mustIntegration(t, s, "t1", "psa")

	second := first
	second.Seq = 0
	second.Alert.Status = alert.StatusResolved
	second.Alert.Title = "changed title"
	second.ReceivedAt, second.UpdatedAt = t0.Add(time.Hour), t0.Add(time.Hour)
	res, err := s.UpsertAlert(ctx, second)
	must(t, err)
	diff(t, "second upsert", store.UpsertResult{Seq: first.Seq, PreviousStatus: alert.StatusOpen}, res)

	got, err := s.AlertBySourceID(ctx, "t1", src.ID, "sa-1")
	must(t, err)
	want := second
	want.Seq, want.ReceivedAt = first.Seq, first.ReceivedAt // received is kept; updated moves
	want.StatusChangedAt = second.UpdatedAt                 // the re-send changed the status
	diff(t, "updated alert", want, got)

	third := second
	third.Alert.Status = alert.StatusInProgress
	res, err = s.UpsertAlert(ctx, third)
	must(t, err)
	diff(t, "third upsert", store.UpsertResult{Seq: first.Seq, PreviousStatus: alert.StatusResolved}, res)
	want.Alert.Status = alert.StatusInProgress

	bySeq, err := s.AlertBySeq(ctx, first.Seq)
	must(t, err)
	diff(t, "alert by seq", want, bySeq)

	all, err := s.UnroutedAlerts(ctx, "t1", it.ID, 0, 0)
	must(t, err)
	diff(t, "alerts after two upserts", []int64{first.Seq}, seqs(all))

	_, err = s.AlertBySeq(ctx, first.Seq+1000)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.AlertBySourceID(ctx, "t1", src.ID, "no-such-alert")
	wantErr(t, err, store.ErrNotFound)
}

// testUpsertAlertsInOrder: a batch of upserts answers like the same
// upserts one after another, a repeated id included, inside a transaction
// too; an unknown source fails the batch.
func testUpsertAlertsInOrder(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	old := mustAlert(t, s, src, "sa-1")
	at := func(id string, st alert.Status) store.StoredAlert {
		a := store.StoredAlert{TenantID: "t1", SourceID: src.ID, Alert: newAlert(id), ReceivedAt: t0, UpdatedAt: t0}
		a.Alert.Status = st
		return a
	}
	var got []store.UpsertResult
	must(t, s.InTx(ctx, func(q store.Queries) error {
		var err error
		got, err = q.UpsertAlerts(ctx, []store.StoredAlert{
			at("sa-2", alert.StatusOpen), at("sa-1", alert.StatusResolved), at("sa-2", alert.StatusIgnored),
		})
		return err
	}))
	if len(got) != 3 || got[0].Seq == 0 || got[0].Seq != got[2].Seq {
		t.Fatalf("UpsertAlerts = %+v, want three results, the first and last for one new alert", got)
	}
	want := []store.UpsertResult{
		{Seq: got[0].Seq, Created: true},
		{Seq: old.Seq, PreviousStatus: alert.StatusOpen},
		{Seq: got[0].Seq, PreviousStatus: alert.StatusOpen},
	}
	diff(t, "batched upserts", want, got)
	a2, err := s.AlertBySeq(ctx, got[0].Seq)
	must(t, err)
	if a2.Alert.Status != alert.StatusIgnored {
		t.Errorf("sa-2 status = %s, want the batch's last (ignored)", a2.Alert.Status)
	}
	empty, err := s.UpsertAlerts(ctx, nil)
	if err != nil || len(empty) != 0 {
		t.Errorf("UpsertAlerts(nil) = %v, %v; want nothing", empty, err)
	}
	bad := at("sa-3", alert.StatusOpen)
	bad.SourceID = "no-such-source"
	if _, err := s.UpsertAlerts(ctx, []store.StoredAlert{at("sa-4", alert.StatusOpen), bad}); err == nil {
		t.Error("a batch with an unknown source succeeded")
	}
}

// testUpsertAlertsMany: a call of hundreds of alerts mixing new ones,
// changed and unchanged re-sends, several sources and tenants and repeated
// ids answers and stores exactly what the same upserts one after another
// do on a twin tenant, and new alerts take their seqs in the call's order.
func testUpsertAlertsMany(t *testing.T, s store.Store) {
	ctx := t.Context()
	later := t0.Add(time.Hour)
	// batch builds the same sequence of upserts for tenant: 60 changed
	// re-sends, 60 unchanged ones, 120 new alerts over two sources, then 20
	// re-sends of alerts new in this call.
	batch := func(tenant string) []store.StoredAlert {
		a, b := mustSource(t, s, tenant, "src-a"), mustSource(t, s, tenant, "src-b")
		for i := range 60 {
			mustAlert(t, s, a, fmt.Sprintf("changed-%d", i))
			mustAlert(t, s, a, fmt.Sprintf("same-%d", i))
		}
		at := func(src store.Source, id string, st alert.Status) store.StoredAlert {
			al := newAlert(id)
			al.Status = st
			return store.StoredAlert{TenantID: tenant, SourceID: src.ID, Alert: al, ReceivedAt: later, UpdatedAt: later}
		}
		var as []store.StoredAlert
		for i := range 60 {
			as = append(as,
				at(a, fmt.Sprintf("changed-%d", i), alert.StatusResolved),
				at(a, fmt.Sprintf("same-%d", i), alert.StatusOpen),
				at(a, fmt.Sprintf("new-%d", i), alert.StatusOpen),
				at(b, fmt.Sprintf("new-%d", i), alert.StatusOpen))
		}
		for i := range 20 {
			as = append(as, at(b, fmt.Sprintf("new-%d", i*3), alert.StatusInProgress))
		}
		return as
	}
	many, single := batch("t-many"), batch("t-single")
	var got []store.UpsertResult
	must(t, s.InTx(ctx, func(q store.Queries) error {
		var err error
		got, err = q.UpsertAlerts(ctx, many)
		return err
	}))
	if len(got) != len(many) {
		t.Fatalf("UpsertAlerts answered %d results for %d alerts", len(got), len(many))
	}
	var lastNew int64
	for i, a := range single {
		want, err := s.UpsertAlert(ctx, a)
		must(t, err)
		if got[i].Created != want.Created || got[i].PreviousStatus != want.PreviousStatus {
			t.Errorf("alert %d (%s of %s): UpsertAlerts = %+v, one by one = %+v", i, a.Alert.ID, a.SourceID, got[i], want)
		}
		if got[i].Created {
			if got[i].Seq <= lastNew {
				t.Errorf("alert %d (%s of %s): seq %d after %d, want new alerts numbered in the call's order", i, a.Alert.ID, a.SourceID, got[i].Seq, lastNew)
			}
			lastNew = got[i].Seq
		}
	}
	for i, a := range many {
		stored, err := s.AlertBySourceID(ctx, "t-many", a.SourceID, a.Alert.ID)
		must(t, err)
		twin, err := s.AlertBySourceID(ctx, "t-single", a.SourceID, a.Alert.ID)
		must(t, err)
		if stored.Seq != got[i].Seq {
			t.Errorf("alert %d (%s of %s) stored with seq %d, answered %d", i, a.Alert.ID, a.SourceID, stored.Seq, got[i].Seq)
		}
		twin.Seq, twin.TenantID = stored.Seq, stored.TenantID
		diff(t, "alert stored by UpsertAlerts vs one by one", twin, stored)
	}
}

func testUpsertSameIDTwoSources(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mustAlert(t, s, mustSource(t, s, "t1", "src-a"), "same-id")
	b := mustAlert(t, s, mustSource(t, s, "t1", "src-b"), "same-id")
	if a.Seq == b.Seq {
		t.Fatalf("both sources' alerts got seq %d", a.Seq)
	}
	for _, want := range []store.StoredAlert{a, b} {
		got, err := s.AlertBySourceID(ctx, "t1", want.SourceID, "same-id")
		must(t, err)
		diff(t, "alert of "+want.SourceID, want, got)
	}
}

// An alert names its source; a source the store does not know is not found.
func testUpsertUnknownSource(t *testing.T, s store.Store) {
	a := store.StoredAlert{TenantID: "t1", SourceID: "ghost", Alert: newAlert("x"), ReceivedAt: t0, UpdatedAt: t0}
	_, err := s.UpsertAlert(t.Context(), a)
	wantErr(t, err, store.ErrNotFound)
}

func testTenantIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	srcA, srcB := mustSource(t, s, "tenant-a", "src-a"), mustSource(t, s, "tenant-b", "src-b")
	alertA, alertB := mustAlert(t, s, srcA, "al-1"), mustAlert(t, s, srcB, "al-1")
	itA, itB := mustIntegration(t, s, "tenant-a", "psa-a"), mustIntegration(t, s, "tenant-b", "psa-b")

	unrouted, err := s.UnroutedAlerts(ctx, "tenant-a", itA.ID, 0, 0)
	must(t, err)
	diff(t, "tenant a unrouted", []int64{alertA.Seq}, seqs(unrouted))
	unrouted, err = s.UnroutedAlerts(ctx, "tenant-b", itB.ID, 0, 0)
	must(t, err)
	diff(t, "tenant b unrouted", []int64{alertB.Seq}, seqs(unrouted))

	its, err := s.Integrations(ctx, "tenant-a")
	must(t, err)
	diff(t, "tenant a integrations", []store.Integration{itA}, its)

	srcs, err := s.Sources(ctx, "tenant-a")
	must(t, err)
	diff(t, "tenant a sources", []store.Source{srcA}, srcs)

	_, err = s.IntegrationByName(ctx, "tenant-a", itB.Name)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.AlertBySourceID(ctx, "tenant-a", srcB.ID, "al-1")
	wantErr(t, err, store.ErrNotFound)
}

func testUnroutedAlerts(t *testing.T, s store.Store) {
	ctx := t.Context()
	src := mustSource(t, s, "t1", "src")
	it, other := mustIntegration(t, s, "t1", "psa"), mustIntegration(t, s, "t1", "other")
	var all []store.StoredAlert
	for _, id := range []string{"a1", "a2", "a3", "a4", "a5"} {
		all = append(all, mustAlert(t, s, src, id))
	}
	must(t, s.InsertRoute(ctx, store.Route{TenantID: "t1", AlertSeq: all[1].Seq, IntegrationID: it.ID,
		Outcome: store.RouteSkipped, Code: "excluded_type", CreatedAt: t0}))

	tests := []struct {
		name        string
		integration int64
		after       int64
		limit       int
		want        []int64
	}{
		{"all", it.ID, 0, 0, []int64{all[0].Seq, all[2].Seq, all[3].Seq, all[4].Seq}},
		{"after_first", it.ID, all[0].Seq, 0, []int64{all[2].Seq, all[3].Seq, all[4].Seq}},
		{"limit", it.ID, all[0].Seq, 2, []int64{all[2].Seq, all[3].Seq}},
		{"after_last", it.ID, all[4].Seq, 10, nil},
		{"other_integration_sees_all", other.ID, 0, 0, seqs(all)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.UnroutedAlerts(ctx, "t1", tc.integration, tc.after, tc.limit)
			must(t, err)
			diff(t, "unrouted seqs", tc.want, seqs(got))
		})
	}
	got, err := s.UnroutedAlerts(ctx, "t1", it.ID, 0, 1)
	must(t, err)
	diff(t, "first unrouted alert", []store.StoredAlert{all[0]}, got)
}

// testRecentAlertTypes lists the distinct types of the tenant's latest
// alerts only: older alerts and other tenants' are not read.
func testRecentAlertTypes(t *testing.T, s store.Store) {
	ctx := t.Context()
	src, other := mustSource(t, s, "t1", "src"), mustSource(t, s, "t2", "src")
	types, err := s.RecentAlertTypes(ctx, "t1", 10)
	must(t, err)
	if len(types) != 0 {
		t.Fatalf("RecentAlertTypes with no alerts = %q, want none", types)
	}
	put := func(src store.Source, id, typ string) {
		a := store.StoredAlert{TenantID: src.TenantID, SourceID: src.ID, Alert: newAlert(id), ReceivedAt: t0, UpdatedAt: t0}
		a.Alert.Type = typ
		must(t, s.InTx(ctx, func(q store.Queries) error { _, err := q.UpsertAlerts(ctx, []store.StoredAlert{a}); return err }))
	}
	put(src, "a1", "Old Type")
	put(src, "a2", "Too Many Downloads")
	put(src, "a3", "Multiple MFA Failures")
	put(src, "a4", "Too Many Downloads")
	put(other, "b1", "Other Tenant's Type")
	types, err = s.RecentAlertTypes(ctx, "t1", 3)
	must(t, err)
	diff(t, "types of the latest 3 alerts", []string{"Multiple MFA Failures", "Too Many Downloads"}, types)
	types, err = s.RecentAlertTypes(ctx, "t1", 10)
	must(t, err)
	diff(t, "types of every alert", []string{"Multiple MFA Failures", "Old Type", "Too Many Downloads"}, types)
}
