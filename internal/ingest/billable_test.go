package ingest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestBillableCountInAlert: organization.billable_users in an alert is
// stored as the organization's count; the newest report wins.
func TestBillableCountInAlert(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	h := newHandler(st)
	for _, at := range []struct{ at, count string }{{"2026-11-20T10:00:00Z", "40"}, {"2026-11-21T10:00:00Z", "42"}, {"2026-11-19T10:00:00Z", "7"}} {
		body := `{"id":"b-` + at.count + `","organization":{"id":"org-42","billable_users":` + at.count + `},"type":"t","severity":"low","title":"x","occurred_at":"` + at.at + `"}`
		if rec := post(h, tokenA, body); rec.Code != http.StatusAccepted {
			t.Fatalf("post: %d %s", rec.Code, rec.Body)
		}
	}
	counts, err := st.BillableCounts(context.Background(), store.DefaultTenant)
	if err != nil || len(counts) != 1 || counts[0].Count != 42 || counts[0].Organization != "org-42" {
		t.Fatalf("counts = %+v, %v; want org-42 at 42 (the newest report)", counts, err)
	}
	bad := `{"id":"b-bad","organization":{"id":"org-42","billable_users":-3},"type":"t","severity":"low","title":"x","occurred_at":"2026-11-21T10:00:00Z"}`
	if rec := post(h, tokenA, bad); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "organization.billable_users") {
		t.Errorf("negative count: %d %s, want 400 naming the field", rec.Code, rec.Body)
	}
}

// TestBillableCountsInOneBody: counts sent with the alerts of one body,
// in any order, leave each organization's newest report, on both engines.
func TestBillableCountsInOneBody(t *testing.T) {
	t.Parallel()
	for name, open := range engines() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			h := newHandler(st)
			item := func(id, org, count, at string) string {
				return `{"id":"` + id + `","organization":{"id":"` + org + `","billable_users":` + count +
					`},"type":"t","severity":"low","title":"x","occurred_at":"` + at + `"}`
			}
			body := "[" + strings.Join([]string{
				item("b-1", "org-42", "40", "2026-11-20T10:00:00Z"),
				item("b-2", "org-42", "42", "2026-11-21T10:00:00Z"),
				item("b-3", "org-42", "7", "2026-11-19T10:00:00Z"),
				item("b-4", "org-7", "3", "2026-11-19T10:00:00Z"),
				item("b-2", "org-42", "42", "2026-11-21T10:00:00Z"), // an identical re-send
			}, ",") + "]"
			if rec := post(h, tokenA, body); rec.Code != http.StatusAccepted {
				t.Fatalf("post: %d %s", rec.Code, rec.Body)
			}
			counts, err := st.BillableCounts(context.Background(), store.DefaultTenant)
			if err != nil || len(counts) != 2 || counts[0].Organization != "org-42" || counts[0].Count != 42 ||
				counts[1].Organization != "org-7" || counts[1].Count != 3 {
				t.Fatalf("counts = %+v, %v; want org-42 at 42 (the newest report) and org-7 at 3", counts, err)
			}
		})
	}
}
