package connectwise

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// boardStatuses is board 1's status list in the fakes.
const boardStatuses = `[{"id":10,"name":"New"},{"id":11,"name":"In Progress"},{"id":15,"name":"Completed","closedStatus":true}]`

func ptr(s string) *string { return &s }

func TestUpdateTicketPatchBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		patch psa.TicketPatch
		want  string // JSON body; "" when no request is sent
	}{
		{name: "status", patch: psa.TicketPatch{Status: ptr("11")},
			want: `[{"op":"replace","path":"status","value":{"id":11}}]`},
		{name: "agreement", patch: psa.TicketPatch{ContractID: ptr("42")},
			want: `[{"op":"replace","path":"agreement","value":{"id":42}}]`},
		{name: "agreement cleared", patch: psa.TicketPatch{ContractID: ptr("")},
			want: `[{"op":"remove","path":"agreement"}]`},
		{name: "both", patch: psa.TicketPatch{Status: ptr("15"), ContractID: ptr("42")},
			want: `[{"op":"replace","path":"status","value":{"id":15}},{"op":"replace","path":"agreement","value":{"id":42}}]`},
		{name: "nothing", patch: psa.TicketPatch{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.api("PATCH", "service/tickets/{id}", answer(200, `{"id":7}`))
			if err := f.connector(t).UpdateTicket(context.Background(), "7", tt.patch); err != nil {
				t.Fatalf("UpdateTicket: %v", err)
			}
			reqs := f.requests(apiPrefix + "service/tickets/7")
			if tt.want == "" {
				if len(reqs) != 0 {
					t.Fatalf("empty patch sent %d requests", len(reqs))
				}
				return
			}
			if len(reqs) != 1 {
				t.Fatalf("requests = %d, want 1", len(reqs))
			}
			if reqs[0].Body != tt.want {
				t.Errorf("body = %s, want %s", reqs[0].Body, tt.want)
			}
			if ct := reqs[0].Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestUpdateTicketRejectsBadIDs(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := f.connector(t)
	for _, tt := range []struct {
		id string
		p  psa.TicketPatch
	}{{"x", psa.TicketPatch{Status: ptr("1")}}, {"7", psa.TicketPatch{Status: ptr("New")}}, {"7", psa.TicketPatch{ContractID: ptr("-1")}}} {
		if err := c.UpdateTicket(context.Background(), tt.id, tt.p); psa.ClassOf(err) != psa.Permanent {
			t.Errorf("UpdateTicket(%q, %+v) = %v, want permanent", tt.id, tt.p, err)
		}
	}
	if n := len(f.requests("")); n != 0 {
		t.Errorf("bad ids sent %d requests", n)
	}
}

func TestCreateTicketBody(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.api("GET", "service/boards/{id}/statuses", answer(200, boardStatuses))
	f.api("POST", "service/tickets", answer(201, `{"id":501,"summary":"s","company":{"id":250},"board":{"id":1},
		"status":{"id":10},"priority":{"id":3},"externalXRef":"tb-1","_info":{"lastUpdated":"2026-01-02T03:04:05Z"}}`))
	long := "Suspicious sign-in for jane@acme.example from an unusual country, flagged by the identity provider (x)"
	got, err := f.connector(t).CreateTicket(context.Background(), psa.NewTicket{
		CompanyID: "250", ContactID: "9", ContractID: "42", Title: long, Description: "details",
		Status: "10", Priority: "3", Queue: "1", Source: "2", IssueType: "4", SubIssueType: "5",
		DueAt: time.Date(2030, 1, 1, 17, 0, 0, 0, time.UTC), ExternalRef: "tb-1",
	})
	if err != nil {
		t.Fatalf("CreateTicket: %v", err)
	}
	want := psa.Ticket{ID: "501", Number: "501", CompanyID: "250", Title: "s", Status: "10", Priority: "3",
		Queue: "1", ExternalRef: "tb-1", LastModified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ticket (-want +got):\n%s", diff)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(f.requests(apiPrefix + "service/tickets")[0].Body), &body); err != nil {
		t.Fatal(err)
	}
	wantBody := map[string]any{
		"summary": strings.TrimSpace(long[:99]) + "…", "recordType": "ServiceTicket",
		"company": map[string]any{"id": 250.0}, "contact": map[string]any{"id": 9.0},
		"agreement": map[string]any{"id": 42.0}, "board": map[string]any{"id": 1.0},
		"status": map[string]any{"id": 10.0}, "priority": map[string]any{"id": 3.0},
		"source": map[string]any{"id": 2.0}, "type": map[string]any{"id": 4.0},
		"subType": map[string]any{"id": 5.0}, "initialDescription": "details",
		"requiredDate": "2030-01-01T17:00:00Z", "externalXRef": "tb-1",
	}
	if diff := cmp.Diff(wantBody, body); diff != "" {
		t.Errorf("create body (-want +got):\n%s", diff)
	}
}

func TestCreateTicketRefusesFieldsConnectWiseLacks(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := f.connector(t)
	for _, nt := range []psa.NewTicket{
		{CompanyID: "250", Title: "x", Category: "3"},
		{CompanyID: "250", Title: "x", Type: "5"},
		{Title: "no company"},
	} {
		if _, err := c.CreateTicket(context.Background(), nt); psa.ClassOf(err) != psa.Permanent || err == nil {
			t.Errorf("CreateTicket(%+v) = %v, want permanent", nt, err)
		}
	}
	if n := len(f.requests(apiPrefix + "service/tickets")); n != 0 {
		t.Errorf("refused tickets sent %d creates", n)
	}
}

func TestStatusIsMovedToTheTicketsBoard(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.api("GET", "service/boards", answer(200, `[{"id":1,"name":"Security"},{"id":2,"name":"Monitoring"}]`))
	f.api("GET", "service/boards/1/statuses", answer(200, boardStatuses))
	f.api("GET", "service/boards/2/statuses", answer(200, `[{"id":20,"name":"New"},{"id":25,"name":"Closed","closedStatus":true}]`))
	for _, p := range []string{"types", "subtypes"} {
		f.api("GET", "service/boards/{id}/"+p, answer(200, `[]`))
	}
	for _, p := range []string{"service/priorities", "service/sources", "company/companies/types"} {
		f.api("GET", p, answer(200, `[]`))
	}
	f.api("POST", "service/tickets", answer(201, `{"id":1,"board":{"id":2},"status":{"id":20}}`))
	// Status 10 is board 1's New; the ticket goes to board 2.
	_, err := f.connector(t).CreateTicket(context.Background(), psa.NewTicket{CompanyID: "250", Title: "x", Queue: "2", Status: "10"})
	if err != nil {
		t.Fatalf("CreateTicket: %v", err)
	}
	var body struct {
		Status ref `json:"status"`
	}
	if err := json.Unmarshal([]byte(f.requests(apiPrefix + "service/tickets")[0].Body), &body); err != nil {
		t.Fatal(err)
	}
	if body.Status.ID != 20 {
		t.Errorf("status sent = %d, want 20 (board 2's New)", body.Status.ID)
	}
}

func TestTicketClosedByBoardStatus(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var statusCalls atomic.Int64
	f.api("GET", "service/boards/1/statuses", func(w http.ResponseWriter, r *http.Request) {
		statusCalls.Add(1)
		io.WriteString(w, boardStatuses)
	})
	tickets := map[string]string{
		"1": `{"id":1,"board":{"id":1},"status":{"id":11}}`,
		"2": `{"id":2,"board":{"id":1},"status":{"id":15}}`,
		"3": `{"id":3,"board":{"id":1},"status":{"id":11},"closedFlag":true}`,
		"4": `{"id":4,"board":{"id":1},"status":{"id":99}}`,
	}
	f.api("GET", "service/tickets/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, tickets[r.PathValue("id")])
	})
	c := f.connector(t)
	for _, tt := range []struct {
		id     string
		closed bool
	}{{"1", false}, {"2", true}, {"3", true}, {"1", false}, {"2", true}} {
		got, err := c.Ticket(context.Background(), tt.id)
		if err != nil || got.Closed != tt.closed {
			t.Fatalf("Ticket(%s) = closed %v, %v; want closed %v", tt.id, got.Closed, err, tt.closed)
		}
	}
	if n := statusCalls.Load(); n != 1 {
		t.Errorf("board statuses read %d times, want 1 (cached)", n)
	}
	// An unknown status refreshes the cache once.
	if got, err := c.Ticket(context.Background(), "4"); err != nil || got.Closed {
		t.Fatalf("Ticket(4) = %+v, %v; want open", got, err)
	}
	if n := statusCalls.Load(); n != 2 {
		t.Errorf("board statuses read %d times, want 2 after an unknown status", n)
	}
}

func TestTicketByExternalRefQuery(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.api("GET", "service/tickets", answer(200, `[{"id":3,"externalXRef":"TB-1"},{"id":4,"externalXRef":"tb-1"},{"id":5,"externalXRef":"tb-1"}]`))
	got, err := f.connector(t).TicketByExternalRef(context.Background(), "tb-1")
	if err != nil || got.ID != "4" {
		t.Fatalf("TicketByExternalRef = %+v, %v; want the exact match with the lowest id, 4", got, err)
	}
	q := f.requests(apiPrefix + "service/tickets")[0].Query
	if q.Get("conditions") != `externalXRef="tb-1"` || q.Get("orderBy") != "id asc" {
		t.Errorf("query = %v", q)
	}
	if _, err := f.connector(t).TicketByExternalRef(context.Background(), ""); !errors.Is(err, psa.ErrNotFound) {
		t.Errorf("empty ref: %v, want ErrNotFound", err)
	}
}
