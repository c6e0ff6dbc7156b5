package sqlite_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

// TestHistoryReadsUseIndexes pins the plans of the reads made on every
// worker cycle and API request, so their cost follows the pending work or
// the page asked for, not the alerts stored (BenchmarkHistory has the
// figures). The store keeps no statistics (no ANALYZE), so an empty file
// plans exactly as a full one does.
func TestHistoryReadsUseIndexes(t *testing.T) {
	t.Parallel()
	s := openFile(t, filepath.Join(t.TempDir(), "tb.db"), sqlite.Options{})
	defer s.Close()
	type planCase struct {
		name  string
		query string
		args  []any
		use   string // a step of the plan must name this
		sorts bool   // a temporary b-tree sorts the rows found (fine over pending rows only)
	}
	tests := []planCase{
		{"status_changes", sqlite.SQLStatusChanges, []any{1, 500}, "USING INDEX routes_status_pending (integration_id=?)", true},
		{"due_deliveries", sqlite.SQLDueDeliveries, []any{1, 0, 100}, "USING INDEX deliveries_due", true},
		{"count_in_state", sqlite.SQLCountDeliveriesInState, []any{"t1", "pending"}, "deliveries_tenant_state (tenant_id=? AND state=?)", false},
		{"alert_by_source_id", sqlite.SQLAlertBySourceID, []any{"t1", "src", "a1"}, "sqlite_autoindex_alerts_1", false},
		{"alerts_of_source_by_ids", sqlite.SQLAlertsOfSourceByIDs, []any{"t1", "src", `["a1","a2"]`},
			"USING INDEX sqlite_autoindex_alerts_1 (tenant_id=? AND source_id=? AND alert_id=?)", false},
		{"timeline_of_alert", sqlite.SQLTimelineOfAlert, []any{1}, "USING INDEX timeline_alert (alert_seq=?)", false},
		// The tickets list: a page walks its index from the cursor; a
		// ticket's alerts are its routes, sorted (the one ticket's, not
		// the tenant's); the backlog reads pending and failed rows only.
		{"ticket_page", sqlite.SQLTicketPage, []any{"t1", 1, 1 << 62, 50}, "USING INDEX ticket_links_integration (integration_id=? AND id<?)", false},
		{"ticket_page_in_state", sqlite.SQLTicketPageInState, []any{"t1", 1, "open", 1 << 62, 50},
			"USING INDEX ticket_links_integration_state (integration_id=? AND state=? AND id<?)", false},
		{"ticket_alert_count", sqlite.SQLTicketPage, []any{"t1", 1, 1 << 62, 50}, "USING COVERING INDEX routes_ticket_link (ticket_link_id=?)", false},
		{"ticket_link_alerts", sqlite.SQLTicketLinkAlerts, []any{"t1", 1, 20}, "USING INDEX routes_ticket_link (ticket_link_id=?)", true},
		{"delivery_backlog", sqlite.SQLDeliveryBacklog, []any{"t1"}, "deliveries_tenant_state (tenant_id=? AND state=?)", true},
		{"last_closed_link", sqlite.SQLLastClosedTicketLink, []any{1, "c1", "g1", 0}, "USING INDEX ticket_links_closed_group (integration_id=? AND company_id=? AND group_key=? AND closed_at>?)", false},
	}
	shapes := []struct {
		name  string
		f     store.DeliveryFilter
		use   string
		sorts bool
	}{
		{"deliveries_of_alert", store.DeliveryFilter{TenantID: "t1", AlertSeq: 7}, "USING INDEX deliveries_alert (alert_seq=?)", false},
		{"deliveries_in_state", store.DeliveryFilter{TenantID: "t1", State: store.DeliveryPending, Limit: 100},
			"USING INDEX deliveries_tenant_state (tenant_id=? AND state=?)", false},
		{"deliveries_of_integration_in_state", store.DeliveryFilter{TenantID: "t1", IntegrationID: 1, State: store.DeliveryFailed},
			"(integration_id=? AND state=?)", false},
		// No index orders these: the ids are walked down to the limit.
		{"deliveries_newest", store.DeliveryFilter{TenantID: "t1", Limit: 100}, "SCAN d", false},
		{"deliveries_of_integration", store.DeliveryFilter{TenantID: "t1", IntegrationID: 1, Limit: 100}, "SCAN d", false},
	}
	for _, sh := range shapes {
		q, args := sqlite.FilterQuery(sh.f)
		tests = append(tests, planCase{sh.name, q, args, sh.use, sh.sorts})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := s.QueryPlan(t.Context(), tc.query, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(plan, "\n")
			if !strings.Contains(all, tc.use) {
				t.Errorf("plan does not use %q:\n%s", tc.use, all)
			}
			if sorts := strings.Contains(all, "TEMP B-TREE"); sorts != tc.sorts {
				t.Errorf("plan sorts = %v, want %v:\n%s", sorts, tc.sorts, all)
			}
		})
	}
}

// TestNoBareLimitParameter guards what limit's comment explains: a bare
// LIMIT ? makes SQLite compile its statement again on every run.
func TestNoBareLimitParameter(t *testing.T) {
	bare := regexp.MustCompile(`(?i)\bLIMIT\s+\(?\s*\?`)
	filtered, _ := sqlite.FilterQuery(store.DeliveryFilter{State: "failed", Limit: 10})
	for _, q := range append(sqlite.Statements(), filtered) {
		if bare.MatchString(q) {
			t.Errorf("a bare LIMIT parameter, recompiled on every run:\n%s", q)
		}
	}
}
