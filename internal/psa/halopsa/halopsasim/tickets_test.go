package halopsasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

type listAnswer struct {
	RecordCount int               `json:"record_count"`
	Tickets     []json.RawMessage `json:"tickets"`
	Clients     []json.RawMessage `json:"clients"`
	Users       []json.RawMessage `json:"users"`
	Actions     []json.RawMessage `json:"actions"`
	PageNo      int               `json:"page_no"`
}

func TestListWrappersAndBareLookups(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.token()
	var clients listAnswer
	e.ok("GET", "/api/Client", tok, "", &clients)
	if clients.RecordCount != 5 || len(clients.Clients) != 5 {
		t.Errorf("clients: record_count %d, %d rows; want 5 and 5", clients.RecordCount, len(clients.Clients))
	}
	var users listAnswer
	e.ok("GET", "/api/Users?client_id=2", tok, "", &users)
	if users.RecordCount != 2 {
		t.Errorf("active users of Acme Corp: %d, want 2 (the inactive one left out)", users.RecordCount)
	}
	e.ok("GET", "/api/Users?client_id=2&includeinactive=true", tok, "", &users)
	if users.RecordCount != 3 {
		t.Errorf("users of Acme Corp with inactive: %d, want 3", users.RecordCount)
	}
	e.ok("GET", "/api/Users?search=JANE@acme.example", tok, "", &users)
	if users.RecordCount != 1 {
		t.Errorf("search by email: %d users, want 1", users.RecordCount)
	}
	for _, path := range []string{"/api/Status", "/api/TicketType", "/api/Priority", "/api/Outcome", "/api/Category"} {
		var bare []json.RawMessage
		e.ok("GET", path, tok, "", &bare)
		if len(bare) == 0 {
			t.Errorf("%s: want a non-empty bare array", path)
		}
	}
}

func TestTicketPagingCapsAt100(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.token()
	var b strings.Builder
	b.WriteString("[")
	for i := range 120 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"summary":"t%d","client_id":2}`, i)
	}
	b.WriteString("]")
	var created []json.RawMessage
	e.ok("POST", "/api/Tickets", tok, b.String(), &created)
	if len(created) != 120 {
		t.Fatalf("a 120-element POST answered %d objects, want an array of 120", len(created))
	}
	var p listAnswer
	e.ok("GET", "/api/Tickets?pageinate=true&page_size=500&page_no=1", tok, "", &p)
	if p.RecordCount != 120 || len(p.Tickets) != MaxPageSize || p.PageNo != 1 {
		t.Errorf("page 1 of size 500: record_count %d, %d rows, page_no %d; want 120, 100, 1", p.RecordCount, len(p.Tickets), p.PageNo)
	}
	e.ok("GET", "/api/Tickets?pageinate=true&page_size=100&page_no=2", tok, "", &p)
	if len(p.Tickets) != 20 {
		t.Errorf("page 2: %d rows, want 20", len(p.Tickets))
	}
	e.ok("GET", "/api/Tickets?count=7", tok, "", &p)
	if len(p.Tickets) != 7 || p.RecordCount != 120 {
		t.Errorf("count=7: %d rows of %d", len(p.Tickets), p.RecordCount)
	}
	e.ok("GET", "/api/Tickets?count=1&order=id&orderdesc=true", tok, "", &p)
	var last struct{ ID int }
	_ = json.Unmarshal(p.Tickets[0], &last)
	if last.ID != 120 {
		t.Errorf("order=id desc: first id %d, want 120", last.ID)
	}
}

func TestTicketUpsertIsPartial(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.token()
	id := e.newTicket(tok)
	var got map[string]any
	e.ok("POST", "/api/Tickets", tok, fmt.Sprintf(`[{"id":%d,"status_id":2}]`, id), &got)
	if got["status_id"] != float64(2) || got["summary"] != "phish" || got["team"] != "Security" || got["priority_id"] != float64(2) {
		t.Errorf("after a status-only update: %v; want status 2 and the rest unchanged", got)
	}
	e.ok("GET", fmt.Sprintf("/api/Tickets/%d", id), tok, "", &got)
	if got["status_id"] != float64(2) {
		t.Errorf("read back: status %v", got["status_id"])
	}
	if code, _ := e.do("DELETE", fmt.Sprintf("/api/Tickets/%d", id), tok, ""); code != 200 {
		t.Errorf("DELETE: %d", code)
	}
	if code, _ := e.do("GET", fmt.Sprintf("/api/Tickets/%d", id), tok, ""); code != 404 {
		t.Errorf("GET after DELETE: %d, want 404", code)
	}
}

func TestTicketValidation(t *testing.T) {
	e := newEnv(t, Options{Mandatory: map[int][]string{21: {"category_1"}}})
	tok := e.token()
	tests := []struct {
		name, body string
		code       int
		msg        string
	}{
		{"not an array", `{"summary":"x","client_id":2}`, 400, "must be a JSON array"},
		{"missing summary", `[{"client_id":2}]`, 400, "Please enter a Summary"},
		{"unknown ticket type", `[{"summary":"x","client_id":2,"tickettype_id":99}]`, 400, "Ticket Type 99 is not valid"},
		{"inactive ticket type", `[{"summary":"x","client_id":2,"tickettype_id":22}]`, 400, "Ticket Type 22 is not valid"},
		{"unknown status", `[{"summary":"x","client_id":2,"status_id":77}]`, 400, "Status 77 is not valid"},
		{"unknown priority", `[{"summary":"x","client_id":2,"priority_id":999999}]`, 400, "Priority 999999 is not valid"},
		{"unknown client", `[{"summary":"x","client_id":404}]`, 400, "Client 404 is not valid"},
		{"user of another client", `[{"summary":"x","client_id":3,"user_id":2}]`, 400, "User 2 is not valid for Client 3"},
		{"unknown team", `[{"summary":"x","client_id":2,"team":"Nope"}]`, 400, "Team 'Nope' is not valid"},
		{"mandatory field", `[{"summary":"x","client_id":2,"tickettype_id":21}]`, 400, "'category_1' is mandatory"},
		{"wrong JSON type", `[{"summary":"x","client_id":"two"}]`, 400, "Error converting value"},
		{"update of a missing ticket", `[{"id":999999,"status_id":2}]`, 404, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.do("POST", "/api/Tickets", tok, tt.body)
			if code != tt.code || !strings.Contains(string(body), tt.msg) {
				t.Errorf("%d %q, want %d containing %q", code, body, tt.code, tt.msg)
			}
		})
	}
	if n := len(e.sim.Snapshot()); n != 0 {
		t.Errorf("%d tickets saved by refused requests", n)
	}
}

func TestJSONErrorsOption(t *testing.T) {
	e := newEnv(t, Options{JSONErrors: true})
	code, body := e.do("POST", "/api/Tickets", e.token(), `[{"client_id":2}]`)
	var got map[string]string
	if err := json.Unmarshal(body, &got); code != 400 || err != nil || got["Message"] != "Please enter a Summary" {
		t.Errorf("%d %s, want 400 .NET exception JSON", code, body)
	}
}

func TestActionsSideEffects(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.token()
	id := e.newTicket(tok)
	e.clk.Advance(time.Minute)
	var a map[string]any
	e.ok("POST", "/api/Actions", tok, fmt.Sprintf(`[{"ticket_id":%d,"outcome":"Private Note","note":"hello","hiddenfromuser":true,"new_status":2}]`, id), &a)
	if a["id"] != float64(1) || a["who_type"] != float64(0) || a["who_agentid"] != float64(APIAgentID) || a["outcome_id"] != float64(1) {
		t.Errorf("saved action %v: want id 1 of the ticket, by agent %d (who_type 0), outcome resolved by name", a, APIAgentID)
	}
	var tk map[string]any
	e.ok("GET", fmt.Sprintf("/api/Tickets/%d", id), tok, "", &tk)
	if tk["status_id"] != float64(2) || tk["last_update"] != "2026-11-21T10:01:00" || tk["lastactiondate"] != "2026-11-21T10:01:00" {
		t.Errorf("ticket after the action: %v; want status 2 and both times bumped", tk)
	}
	var acts listAnswer
	e.ok("GET", fmt.Sprintf("/api/Actions?ticket_id=%d&excludeprivate=true", id), tok, "", &acts)
	if acts.RecordCount != 0 {
		t.Errorf("excludeprivate listed %d private actions", acts.RecordCount)
	}
	code, body := e.do("POST", "/api/Actions", tok, fmt.Sprintf(`[{"ticket_id":%d,"outcome_id":99,"note":"x"}]`, id))
	if code != 400 || !strings.Contains(string(body), "Outcome 99 is not valid") {
		t.Errorf("unknown outcome: %d %s", code, body)
	}
	if code, _ := e.do("POST", "/api/Actions", tok, `[{"ticket_id":424242,"outcome_id":1,"note":"x"}]`); code != http.StatusNotFound {
		t.Errorf("action on a missing ticket: %d, want 404", code)
	}
}

func TestStatusChangeLogsASystemAction(t *testing.T) {
	for _, off := range []bool{false, true} {
		e := newEnv(t, Options{NoStatusActions: off})
		tech := e.tokenFor(TechnicianClientID, TechnicianClientSecret)
		id := e.newTicket(e.token())
		e.ok("POST", "/api/Tickets", tech, fmt.Sprintf(`[{"id":%d,"status_id":%d}]`, id, ClosedStatusID), nil)
		var all, user listAnswer
		e.ok("GET", fmt.Sprintf("/api/Actions?ticket_id=%d", id), tech, "", &all)
		e.ok("GET", fmt.Sprintf("/api/Actions?ticket_id=%d&excludesys=true", id), tech, "", &user)
		want := 1
		if off {
			want = 0
		}
		if all.RecordCount != want || user.RecordCount != 0 {
			t.Errorf("NoStatusActions %v: %d actions, %d without system ones; want %d and 0", off, all.RecordCount, user.RecordCount, want)
		}
	}
}

func TestChangedSinceAndOpenOnly(t *testing.T) {
	e := newEnv(t, Options{OpenOnlyByDefault: true})
	tok := e.token()
	old := e.newTicket(tok)
	e.clk.Advance(50 * time.Minute)
	fresh := e.newTicket(tok)
	e.ok("POST", "/api/Tickets", tok, fmt.Sprintf(`[{"id":%d,"status_id":9}]`, fresh), nil)
	var p listAnswer
	e.ok("GET", "/api/Tickets?datesearch=lastactiondate&startdate=2026-11-21T10:30:00", tok, "", &p)
	if p.RecordCount != 0 {
		t.Errorf("closed ticket listed without includeclosed under OpenOnlyByDefault: %d", p.RecordCount)
	}
	e.ok("GET", "/api/Tickets?datesearch=lastactiondate&startdate=2026-11-21T10:30:00&includeclosed=true", tok, "", &p)
	if p.RecordCount != 1 {
		t.Fatalf("changed since 10:30: %d tickets, want the one changed at 10:50", p.RecordCount)
	}
	e.ok("GET", fmt.Sprintf("/api/Tickets?ticketids=%d,%d&includeclosed=true", old, fresh), tok, "", &p)
	if p.RecordCount != 2 {
		t.Errorf("ticketids: %d, want 2", p.RecordCount)
	}
}
