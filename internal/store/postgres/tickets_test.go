package postgres_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/postgres"
)

// TestTicketPageUsesIndexes pins the plans of the tickets list on a table
// never analyzed: a page of one state walks ticket_links_integration_state
// from the cursor, and a ticket's alerts come by routes_ticket_link, so a
// page costs its rows, not the integration's history of tickets.
func TestTicketPageUsesIndexes(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	s := closeStore(t, openStore(t, url, freshSchema(t, url)))
	ctx := t.Context()
	it, err := s.PutIntegration(ctx, store.Integration{TenantID: "t1", Name: "psa", PSA: "testpsa", Settings: []byte(`{}`), Credentials: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	src := store.Source{TenantID: "t1", ID: "src", Name: "src", TokenHash: "h"}
	if err := s.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	var as []store.StoredAlert
	for i := range 1000 {
		as = append(as, benchAlert(src, i*10))
	}
	res, err := s.UpsertAlerts(ctx, as)
	if err != nil {
		t.Fatal(err)
	}
	// One transaction: a thousand round trips each committing would
	// make this the slowest test of the package.
	err = s.InTx(ctx, func(q store.Queries) error {
		for i, r := range res {
			l, err := q.CreateTicketLink(ctx, store.TicketLink{TenantID: "t1", IntegrationID: it.ID, CompanyID: "c", GroupKey: fmt.Sprint("g", i)})
			if err != nil {
				return err
			}
			if i%10 != 0 { // most of the history is closed
				l.State = store.LinkClosed
				if err := q.UpdateTicketLink(ctx, l); err != nil {
					return err
				}
			}
			route := store.Route{TenantID: "t1", AlertSeq: r.Seq, IntegrationID: it.ID, Outcome: store.RouteQueued, TicketLinkID: l.ID}
			if err := q.InsertRoute(ctx, route); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, query string
		args        []any
		use         string
	}{
		{"page_in_state", postgres.SQLTicketPageInState, []any{"t1", it.ID, "creating", int64(math.MaxInt64), 50}, "ticket_links_integration_state"},
		{"alerts_of_ticket", postgres.SQLTicketLinkAlerts, []any{"t1", int64(1), 20}, "routes_ticket_link"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := s.Plan(ctx, tc.query, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(plan, "\n")
			if !strings.Contains(all, tc.use) || strings.Contains(all, "Seq Scan") {
				t.Errorf("plan does not use %s:\n%s", tc.use, all)
			}
		})
	}
}
