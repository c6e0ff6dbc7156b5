package storetest

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// testBillableCounts: the report with the latest as-of wins, whatever order
// reports arrive in.
func testBillableCounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	count := func(org string, n int, asOf, at time.Time) store.BillableCount {
		return store.BillableCount{TenantID: "t1", Organization: org, Count: n, AsOf: asOf, UpdatedAt: at}
	}
	steps := []struct {
		name string
		put  store.BillableCount
		want store.BillableCount // org-a afterwards
	}{
		{"first", count("org-a", 10, t0, t0), count("org-a", 10, t0, t0)},
		{"older_ignored", count("org-a", 5, t0.Add(-time.Hour), t0.Add(time.Minute)), count("org-a", 10, t0, t0)},
		{"newer_wins", count("org-a", 12, t0.Add(time.Hour), t0.Add(2*time.Minute)),
			count("org-a", 12, t0.Add(time.Hour), t0.Add(2*time.Minute))},
		{"same_as_of_corrects", count("org-a", 13, t0.Add(time.Hour), t0.Add(3*time.Minute)),
			count("org-a", 13, t0.Add(time.Hour), t0.Add(3*time.Minute))},
	}
	for _, st := range steps {
		must(t, s.PutBillableCount(ctx, st.put))
		got, err := s.BillableCounts(ctx, "t1")
		must(t, err)
		diff(t, st.name, []store.BillableCount{st.want}, got)
	}

	orgB := count("org-b", 3, t0, t0)
	must(t, s.PutBillableCount(ctx, orgB))
	must(t, s.PutBillableCount(ctx, store.BillableCount{TenantID: "t2", Organization: "org-a", Count: 99, AsOf: t0.Add(24 * time.Hour), UpdatedAt: t0}))
	got, err := s.BillableCounts(ctx, "t1")
	must(t, err)
	diff(t, "tenant's counts by organization", []store.BillableCount{steps[len(steps)-1].want, orgB}, got)
	got, err = s.BillableCounts(ctx, "t3")
	must(t, err)
	diff(t, "tenant without counts", []store.BillableCount{}, got)
}

// testBillableCountsMany: one call of many counts, over organizations and
// tenants, in any as-of order with ties, some older than the stored count,
// leaves what putting them one after another leaves on a twin tenant.
func testBillableCountsMany(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, tenant := range []string{"t-many", "t-single"} {
		must(t, s.PutBillableCount(ctx, store.BillableCount{TenantID: tenant, Organization: "org-stored", Count: 50, AsOf: t0, UpdatedAt: t0}))
		must(t, s.PutBillableCount(ctx, store.BillableCount{TenantID: tenant, Organization: "org-newer", Count: 60, AsOf: t0.Add(9 * time.Hour), UpdatedAt: t0}))
	}
	counts := func(tenant string) []store.BillableCount {
		var cs []store.BillableCount
		for i := range 40 {
			org := []string{"org-stored", "org-newer", "org-new", "org-ties"}[i%4]
			asOf := t0.Add(time.Duration((i*7)%5-2) * time.Hour) // -2h..+2h, out of order, with repeats
			if org == "org-ties" {
				asOf = t0
			}
			cs = append(cs, store.BillableCount{TenantID: tenant, Organization: org, Count: i, AsOf: asOf, UpdatedAt: t0.Add(time.Minute)})
		}
		return cs
	}
	must(t, s.InTx(ctx, func(q store.Queries) error { return q.PutBillableCounts(ctx, counts("t-many")) }))
	for _, c := range counts("t-single") {
		must(t, s.PutBillableCount(ctx, c))
	}
	must(t, s.PutBillableCounts(ctx, nil))
	got, err := s.BillableCounts(ctx, "t-many")
	must(t, err)
	want, err := s.BillableCounts(ctx, "t-single")
	must(t, err)
	for i := range want {
		want[i].TenantID = "t-many"
	}
	diff(t, "counts put together vs one by one", want, got)
}

func testBillingAudits(t *testing.T, s store.Store) {
	ctx := t.Context()
	it, other := mustIntegration(t, s, "t1", "psa"), mustIntegration(t, s, "t1", "other")
	audit := func(it store.Integration, action string, at time.Time) store.BillingAudit {
		a := store.BillingAudit{
			TenantID: it.TenantID, IntegrationID: it.ID, Organization: "org-42", Period: "2026-11",
			ContractID: "29684", ContractServiceID: "77", Action: action, Before: 10, After: 12.5,
			EffectiveDate: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), At: at, Detail: "from source",
		}
		must(t, s.AppendBillingAudit(ctx, a))
		return a
	}
	want := []store.BillingAudit{
		audit(it, "service_added", t0),
		audit(it, "adjusted", t0.Add(time.Hour)),
		audit(it, "unchanged", t0.Add(2*time.Hour)),
	}
	audit(other, "failed", t0.Add(3*time.Hour))
	want[0], want[2] = want[2], want[0] // newest first

	got, err := s.BillingAudits(ctx, it.ID, 0)
	must(t, err)
	if len(got) != len(want) {
		t.Fatalf("BillingAudits = %+v, want %d entries", got, len(want))
	}
	for i := range got {
		if got[i].ID == 0 {
			t.Errorf("audit %d has no id", i)
		}
		want[i].ID = got[i].ID
	}
	diff(t, "audits newest first", want, got)

	got, err = s.BillingAudits(ctx, it.ID, 2)
	must(t, err)
	diff(t, "audits with limit", want[:2], got)

	bad := store.BillingAudit{TenantID: "t1", IntegrationID: 1 << 40, Action: "failed", At: t0}
	wantErr(t, s.AppendBillingAudit(ctx, bad), store.ErrNotFound)
}
