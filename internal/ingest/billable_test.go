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
