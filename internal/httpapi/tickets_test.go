package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/httpapi"
)

func TestListTickets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handler(httpapi.Config{})
	type page struct {
		Tickets []struct {
			ID           int64  `json:"id"`
			Integration  string `json:"integration"`
			PSATicketID  string `json:"psa_ticket_id"`
			TicketNumber string `json:"ticket_number"`
			State        string `json:"state"`
			AlertCount   int64  `json:"alert_count"`
			Alerts       []struct {
				Seq    int64
				Source string
				ID     string
				Title  string
			}
		}
		NextCursor string `json:"next_cursor"`
	}
	got := decode[page](t, do(h, "GET", "/api/v1/tickets?integration=autotask-main", adminToken, ""), http.StatusOK)
	if len(got.Tickets) != 1 || got.NextCursor != "" {
		t.Fatalf("tickets %+v", got)
	}
	tk := got.Tickets[0]
	if tk.ID != f.link.ID || tk.TicketNumber != "T20261121.0001" || tk.PSATicketID != "7001" || tk.State != "open" ||
		tk.AlertCount != 1 || len(tk.Alerts) != 1 || tk.Alerts[0].Seq != f.alert.Seq || tk.Alerts[0].Title != "Malware found" {
		t.Errorf("ticket %+v", tk)
	}
	// A full page says where to go on; the next page is past the link.
	one := decode[page](t, do(h, "GET", "/api/v1/tickets?integration=autotask-main&limit=1", adminToken, ""), http.StatusOK)
	if one.NextCursor != itoa(f.link.ID) {
		t.Errorf("next_cursor %q, want %d", one.NextCursor, f.link.ID)
	}
	next := decode[page](t, do(h, "GET", "/api/v1/tickets?integration=autotask-main&cursor="+one.NextCursor, adminToken, ""), http.StatusOK)
	if len(next.Tickets) != 0 {
		t.Errorf("page after the last %+v", next)
	}
	closed := decode[page](t, do(h, "GET", "/api/v1/tickets?integration=autotask-main&state=closed", adminToken, ""), http.StatusOK)
	if len(closed.Tickets) != 0 {
		t.Errorf("closed tickets %+v, want none", closed)
	}

	tests := []struct {
		name, query string
		status      int
		fields      []string
	}{
		{"no_integration", "", http.StatusBadRequest, []string{"integration"}},
		{"bad_values", "?integration=autotask-main&state=lost&limit=0&cursor=x", http.StatusBadRequest, []string{"state", "cursor", "limit"}},
		{"unknown_integration", "?integration=nope", http.StatusNotFound, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := assertProblem(t, do(h, "GET", "/api/v1/tickets"+tc.query, adminToken, ""), tc.status)
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
			}
			if len(fields) != len(tc.fields) {
				t.Fatalf("fields %v, want %v", fields, tc.fields)
			}
			for i := range fields {
				if fields[i] != tc.fields[i] {
					t.Errorf("fields %v, want %v", fields, tc.fields)
				}
			}
		})
	}
	// Another tenant's integration does not exist for this caller.
	assertProblem(t, do(h, "GET", "/api/v1/tickets?integration=autotask-main", otherAdmin, ""), http.StatusNotFound)
	assertProblem(t, do(h, "GET", "/api/v1/tickets?integration=autotask-main", tokenA, ""), http.StatusForbidden)
}

func TestDeliveryBacklog(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handler(httpapi.Config{})
	type backlog struct {
		Integrations []struct {
			Integration     string     `json:"integration"`
			P               int64      `json:"pending"`
			F               int64      `json:"failed"`
			OldestPendingAt *time.Time `json:"oldest_pending_at"`
		}
	}
	got := decode[backlog](t, do(h, "GET", "/api/v1/deliveries/backlog", adminToken, ""), http.StatusOK)
	if len(got.Integrations) != 1 || got.Integrations[0].Integration != "autotask-main" || got.Integrations[0].F != 1 ||
		got.Integrations[0].P != 0 || got.Integrations[0].OldestPendingAt != nil {
		t.Fatalf("backlog %+v", got)
	}
	do(h, "POST", "/api/v1/deliveries/"+itoa(f.delivery.ID)+"/retry", adminToken, "")
	got = decode[backlog](t, do(h, "GET", "/api/v1/deliveries/backlog", adminToken, ""), http.StatusOK)
	if len(got.Integrations) != 1 || got.Integrations[0].F != 0 || got.Integrations[0].P != 1 || got.Integrations[0].OldestPendingAt == nil {
		t.Fatalf("backlog after retry %+v", got)
	}
	other := decode[backlog](t, do(h, "GET", "/api/v1/deliveries/backlog", otherAdmin, ""), http.StatusOK)
	if len(other.Integrations) != 0 {
		t.Errorf("other tenant's backlog %+v, want none", other)
	}
}
