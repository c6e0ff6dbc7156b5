package syncrosim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAuthForms(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	tests := []struct {
		name string
		auth func(*http.Request)
		path string
		want int
	}{
		{"bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+APIToken) }, "/api/v1/me", 200},
		{"raw header", func(r *http.Request) { r.Header.Set("Authorization", APIToken) }, "/api/v1/me", 200},
		{"query api_key", nil, "/api/v1/me?api_key=" + APIToken, 200},
		{"missing", nil, "/api/v1/me", 401},
		{"wrong", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, "/api/v1/me", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := h.doAuth("GET", tt.path, nil, tt.auth)
			if a.status != tt.want {
				t.Fatalf("status %d, want %d (%s)", a.status, tt.want, a.raw)
			}
			if tt.want == 401 {
				if _, ok := a.body["error"].(string); !ok {
					t.Errorf("401 body %s: want {\"error\": string}", a.raw)
				}
			} else if num(a.body["user_id"]) != APIUserID || a.body["subdomain"] != DefaultSubdomain {
				t.Errorf("/me = %s: want the API user, bare", a.raw)
			}
		})
	}
}

func TestPermissionsAndSingleCustomer(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	tk := h.create(nil)
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	a := h.doAuth("POST", "/api/v1/tickets", map[string]any{"customer_id": AcmeID, "subject": "x"}, bearer(ReadOnlyToken))
	if a.status != 401 || a.body["error"] != NotAuthorized {
		t.Errorf("read-only token creating: %d %s, want 401 with the permissions message", a.status, a.raw)
	}
	if a := h.doAuth("GET", "/api/v1/customers", nil, bearer(ReadOnlyToken)); a.status != 401 || a.body["error"] != NotAuthorized {
		t.Errorf("read-only token listing customers: %d %s", a.status, a.raw)
	}
	if a := h.doAuth("GET", fmt.Sprintf("/api/v1/tickets/%d", num(tk["id"])), nil, bearer(ReadOnlyToken)); a.status != 200 {
		t.Errorf("read-only token reading a ticket: %d", a.status)
	}
	other := h.create(map[string]any{"customer_id": GlobexID, "contact_id": 204})
	one := bearer(OneCustomerToken)
	if a := h.doAuth("GET", fmt.Sprintf("/api/v1/tickets/%d", num(other["id"])), nil, one); a.status != 404 || a.body["message"] != "Not found" {
		t.Errorf("single-customer token reading another customer's ticket: %d %s, want 404 Not found", a.status, a.raw)
	}
	if a := h.doAuth("GET", fmt.Sprintf("/api/v1/tickets/%d", num(tk["id"])), nil, one); a.status != 200 {
		t.Errorf("single-customer token reading its customer's ticket: %d", a.status)
	}
	if a := h.doAuth("GET", "/api/v1/customers", nil, one); len(a.body["customers"].([]any)) != 1 {
		t.Errorf("single-customer token lists %s", a.raw)
	}
}

func TestSubdomainHost(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	for host, want := range map[string]int{"acme-msp.syncromsp.com": 200, "other.syncromsp.com": 404, "127.0.0.1": 200} {
		a := h.doAuth("GET", "/api/v1/me", nil, func(r *http.Request) {
			r.Host = host
			r.Header.Set("Authorization", APIToken)
		})
		if a.status != want {
			t.Errorf("host %s: %d, want %d", host, a.status, want)
		}
	}
}

func TestCreateValidationShapes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{RequireTicketType: true})
	tests := []struct {
		name string
		in   map[string]any
		want string // the body, as JSON
	}{
		{"no customer", map[string]any{"subject": "x"}, `{"error":"Customer required field"}`},
		{"unknown customer", map[string]any{"customer_id": 999, "subject": "x"}, `{"error":"Customer required field"}`},
		{"no subject", map[string]any{"customer_id": AcmeID, "ticket_type_id": 11}, `["Subject can't be blank"]`},
		{"unknown status", map[string]any{"customer_id": AcmeID, "subject": "x", "ticket_type_id": 11, "status": "Nope"}, `["Status is not included in the list"]`},
		{"unknown priority", map[string]any{"customer_id": AcmeID, "subject": "x", "ticket_type_id": 11, "priority": "999999"}, `["Priority is not included in the list"]`},
		{"unknown problem type", map[string]any{"customer_id": AcmeID, "subject": "x", "ticket_type_id": 11, "problem_type": "Nope"}, `["Problem type is not included in the list"]`},
		{"contact of another customer", map[string]any{"customer_id": AcmeID, "subject": "x", "ticket_type_id": 11, "contact_id": 204}, `["Contact is invalid"]`},
		{"no ticket type", map[string]any{"customer_id": AcmeID, "subject": "x"}, `["Ticket type can't be blank"]`},
		{"disabled ticket type", map[string]any{"customer_id": AcmeID, "subject": "x", "ticket_type_id": 13}, `["Ticket type is invalid"]`},
		{"blank comment", map[string]any{"customer_id": AcmeID, "subject": "x", "ticket_type_id": 11, "comments_attributes": []map[string]any{{"subject": "Initial Issue"}}}, `["Body can't be blank"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := h.do("POST", "/api/v1/tickets", tt.in)
			if a.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d (%s), want 422", a.status, a.raw)
			}
			got := strings.TrimSpace(string(a.raw))
			if strings.HasPrefix(tt.want, "[") {
				if a.body["success"] != false || !strings.Contains(got, `"message":`+tt.want) {
					t.Errorf("body %s, want success false and message %s", got, tt.want)
				}
			} else if got != tt.want {
				t.Errorf("body %s, want %s", got, tt.want)
			}
		})
	}
	if n := len(h.sim.Snapshot()); n != 0 {
		t.Errorf("%d tickets stored after refused creates", n)
	}
}

func TestLenientAcceptsUnknownValues(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{Lenient: true})
	tk := h.create(map[string]any{"status": "Triage", "priority": "P9", "problem_type": "Phishing"})
	if tk["status"] != "Triage" || tk["priority"] != "P9" || tk["problem_type"] != "Phishing" {
		t.Errorf("lenient create stored %v", tk)
	}
}

func TestCreateAndComments(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	tk := h.create(map[string]any{"line_items": []map[string]any{{"name": "x"}}, "properties": map[string]any{"ref": "r-1"}})
	if _, ok := tk["line_items"].([]any); !ok || len(tk["line_items"].([]any)) != 0 {
		t.Errorf("line_items on create not ignored: %v", tk["line_items"])
	}
	if num(tk["number"]) == num(tk["id"]) || num(tk["number"]) == 0 {
		t.Errorf("number %v and id %v: want a separate human number", tk["number"], tk["id"])
	}
	id := num(tk["id"])
	path := fmt.Sprintf("/api/v1/tickets/%d", id)
	if a := h.do("POST", path+"/comment", map[string]any{"hidden": true}); a.status != 422 ||
		!cmp.Equal(a.body["message"], []any{"Body can't be blank", "Subject can't be blank"}) || a.body["success"] != false {
		t.Errorf("blank comment: %d %s", a.status, a.raw)
	}
	before := tk["updated_at"]
	h.clk.add(time.Second)
	a := h.do("POST", path+"/comment", map[string]any{"subject": "Update", "body": "more", "hidden": false, "do_not_email": true})
	c, _ := a.body["comment"].(map[string]any)
	if a.status != 200 || c == nil || c["hidden"] != false || c["ticket_id"] != float64(id) {
		t.Fatalf("comment: %d %s", a.status, a.raw)
	}
	if _, echoed := c["do_not_email"]; echoed {
		t.Errorf("do_not_email echoed: %s", a.raw)
	}
	after := h.do("GET", path, nil).body["ticket"].(map[string]any)
	if after["updated_at"] == before {
		t.Errorf("comment did not bump updated_at (%v)", before)
	}
	list := h.do("GET", path+"/comments?sort_by=created_at&sort_direction=DESC&per_page=1", nil)
	cs := list.body["comments"].([]any)
	meta := list.body["meta"].(map[string]any)
	if len(cs) != 1 || cs[0].(map[string]any)["subject"] != "Update" || meta["total_pages"] != float64(2) || meta["per_page"] != float64(1) {
		t.Errorf("comments DESC per_page 1: %s", list.raw)
	}
	first := h.do("GET", path+"/comments", nil).body["comments"].([]any)[0].(map[string]any)
	if first["subject"] != "Initial Issue" || first["hidden"] != true {
		t.Errorf("first comment %v: want the initial issue from comments_attributes", first)
	}
}

func TestUpdateResolvesAndIsPartial(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	tk := h.create(nil)
	path := fmt.Sprintf("/api/v1/tickets/%d", num(tk["id"]))
	a := h.do("PUT", path, map[string]any{"status": "Resolved"})
	got := a.body["ticket"].(map[string]any)
	if got["status"] != "Resolved" || got["resolved_at"] == nil || got["priority"] != "2 Normal" || got["subject"] != tk["subject"] {
		t.Errorf("after PUT status: %v", got)
	}
	if a := h.do("PUT", path, map[string]any{"subject": ""}); a.status != 422 || a.body["success"] != false {
		t.Errorf("blank subject update: %d %s", a.status, a.raw)
	}
	if a := h.do("PUT", "/api/v1/tickets/424242", map[string]any{"status": "New"}); a.status != 404 || a.body["message"] != "Not found" {
		t.Errorf("update unknown: %d %s", a.status, a.raw)
	}
}

func TestPagingAndFilters(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{TicketPageSize: 2})
	var ids []int64
	for i := range 5 {
		ids = append(ids, num(h.create(map[string]any{"subject": fmt.Sprintf("t%d", i)})["id"]))
		h.clk.add(time.Minute)
	}
	h.do("PUT", fmt.Sprintf("/api/v1/tickets/%d", ids[0]), map[string]any{"status": "Resolved"})
	a := h.do("GET", "/api/v1/tickets?page=3", nil)
	meta := a.body["meta"].(map[string]any)
	if len(a.body["tickets"].([]any)) != 1 || meta["total_pages"] != float64(3) || meta["total_entries"] != float64(5) || meta["page"] != float64(3) {
		t.Errorf("page 3 of 5 by 2: %s", a.raw)
	}
	if a := h.do("GET", "/api/v1/tickets?page=9", nil); len(a.body["tickets"].([]any)) != 0 {
		t.Errorf("past the end: %s", a.raw)
	}
	if a := newHarness(t, Options{}).do("GET", "/api/v1/tickets", nil); a.body["meta"].(map[string]any)["per_page"] != float64(DefaultTicketPageSize) {
		t.Errorf("default tickets page: %s, want %d a page", a.raw, DefaultTicketPageSize)
	}
	if a := h.do("GET", "/api/v1/tickets?status=Not+Closed", nil); a.body["meta"].(map[string]any)["total_entries"] != float64(4) {
		t.Errorf("Not Closed: %s", a.raw)
	}
	// ticket 3 was last changed at 10:03; ticket 0 at 10:05 (resolved).
	since := "2026-11-21T10:03:00.000Z"
	incl := h.do("GET", "/api/v1/tickets?since_updated_at="+since, nil).body["meta"].(map[string]any)["total_entries"]
	if incl != float64(3) {
		t.Errorf("since %s inclusive: %v tickets, want 3", since, incl)
	}
	hx := newHarness(t, Options{SinceExclusive: true})
	hx.create(nil)
	at := hx.clk.now().Format(timeFormat)
	if n := hx.do("GET", "/api/v1/tickets?since_updated_at="+at, nil).body["meta"].(map[string]any)["total_entries"]; n != float64(0) {
		t.Errorf("exclusive since at the very time: %v tickets, want 0", n)
	}
}

func TestQuerySearchesProperties(t *testing.T) {
	t.Parallel()
	for _, ignore := range []bool{false, true} {
		h := newHarness(t, Options{QueryIgnoresProperties: ignore})
		h.create(map[string]any{"properties": map[string]any{"External Reference": "tb-123"}})
		n := h.do("GET", "/api/v1/tickets?query=tb-123", nil).body["meta"].(map[string]any)["total_entries"]
		if want := map[bool]float64{false: 1, true: 0}[ignore]; n != want {
			t.Errorf("QueryIgnoresProperties %v: %v found, want %v", ignore, n, want)
		}
	}
}

func TestShapes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	users := h.do("GET", "/api/v1/users", nil)
	if !cmp.Equal(users.body["users"].([]any)[0], []any{float64(APIUserID), "TicketBridge API"}) {
		t.Errorf("/users: %s, want [id, name] pairs", users.raw)
	}
	if c := h.do("GET", "/api/v1/contacts/202", nil); c.body["email"] != "jane@acme.example" {
		t.Errorf("contact not bare: %s", c.raw)
	}
	if c := h.do("GET", "/api/v1/contacts/205", nil); c.status != 404 {
		t.Errorf("deleted contact: %d", c.status)
	}
	if c := h.do("GET", fmt.Sprintf("/api/v1/customers/%d", AcmeID), nil); len(c.body["customer"].(map[string]any)["contacts"].([]any)) != 2 {
		t.Errorf("customer with contacts: %s", c.raw)
	}
	if c := h.do("GET", "/api/v1/contracts/301", nil); c.body["name"] != "Acme MDR" {
		t.Errorf("contract not bare: %s", c.raw)
	}
	if p := h.do("GET", "/api/v1/products", nil); p.body["products"].([]any)[0].(map[string]any)["name"] != "EDR Device" {
		t.Errorf("products: %s", p.raw)
	}
	custs := h.do("GET", "/api/v1/customers", nil).body["meta"].(map[string]any)["total_entries"]
	all := h.do("GET", "/api/v1/customers?include_disabled=true", nil).body["meta"].(map[string]any)["total_entries"]
	if custs != float64(5) || all != float64(6) {
		t.Errorf("customers %v, with disabled %v; want 5 and 6", custs, all)
	}
	st := h.do("GET", "/api/v1/tickets/settings", nil)
	if !strings.Contains(string(st.raw), `"ticket_status_list":["New","In Progress","Resolved"`) {
		t.Errorf("ticket settings: %s", st.raw)
	}
	set := h.do("GET", "/api/v1/settings", nil).body["ticket"].(map[string]any)
	if set["priorities"].([]any)[0] != "" || len(set["problem_types"].([]any)) < 5 {
		t.Errorf("settings ticket: %v", set)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	for _, header := range []bool{false, true} {
		h := newHarness(t, Options{RateLimit: 3, RetryAfterHeader: header})
		for range 3 {
			if a := h.do("GET", "/api/v1/me", nil); a.status != 200 {
				t.Fatalf("within the limit: %d", a.status)
			}
		}
		a := h.do("GET", "/api/v1/me", nil)
		if a.status != 429 || a.body["error"] != RateLimitMessage {
			t.Fatalf("over the limit: %d %s", a.status, a.raw)
		}
		if got := a.header.Get("Retry-After") != ""; got != header {
			t.Errorf("RetryAfterHeader %v: Retry-After present %v", header, got)
		}
		h.clk.add(DefaultWindow)
		if a := h.do("GET", "/api/v1/me", nil); a.status != 200 {
			t.Errorf("after the window: %d", a.status)
		}
	}
}

func TestSideEffects(t *testing.T) {
	t.Parallel()
	got := make(chan map[string]any, 10)
	hook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = jsonDecode(r, &m)
		got <- m
	})
	srv := newServer(t, hook)
	h := newHarness(t, Options{WebhookURL: srv, CommentSubjectStatus: true})
	tk := h.create(nil)
	id := num(tk["id"])
	h.do("POST", fmt.Sprintf("/api/v1/tickets/%d/comment", id), map[string]any{"subject": "Parts Order", "body": "ordered"})
	if !h.sim.CustomerReply(id, "thanks") {
		t.Fatal("CustomerReply: unknown ticket")
	}
	after := h.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).body["ticket"].(map[string]any)
	if after["status"] != "Customer Reply" || after["customer_reply"] != true {
		t.Errorf("after a customer reply: status %v reply %v", after["status"], after["customer_reply"])
	}
	var texts []string
	for range 3 {
		select {
		case m := <-got:
			texts = append(texts, strings.SplitN(m["text"].(string), "\n", 2)[0])
			if m["attributes"].(map[string]any)["id"] != float64(id) {
				t.Errorf("event attributes %v: want the ticket", m["attributes"])
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("events so far %v", texts)
		}
	}
	want := []string{"A Ticket was created", "A Ticket status was changed to Waiting for Parts", "A Ticket status was changed to Customer Reply"}
	if !cmp.Equal(texts, want) {
		t.Errorf("events %v, want %v", texts, want)
	}
}

func TestContactAndContractShapes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	a := h.do("POST", "/api/v1/contacts", map[string]any{"name": "Nobody"})
	if a.status != 422 || a.body["errors"] != "Customer can't be blank" || a.body["record"].(map[string]any)["id"] != nil {
		t.Errorf("contact without customer: %d %s, want the record echo and errors as a string", a.status, a.raw)
	}
	a = h.do("POST", "/api/v1/contacts", map[string]any{"customer_id": AcmeID, "name": "New Person", "email": "new@acme.example"})
	if a.status != 200 || a.body["email"] != "new@acme.example" {
		t.Errorf("contact create: %d %s, want the bare contact", a.status, a.raw)
	}
	a = h.do("POST", "/api/v1/contracts", map[string]any{"name": "x"})
	if a.status != 422 || a.body["errors"] != "Customer can't be blank" {
		t.Errorf("contract without customer: %d %s", a.status, a.raw)
	}
	if a := h.do("DELETE", "/api/v1/contracts/301", nil); a.status != 200 {
		t.Fatalf("contract delete: %d", a.status)
	}
	if a := h.do("GET", "/api/v1/contracts/301", nil); a.status != 200 || strings.TrimSpace(string(a.raw)) != "null" {
		t.Errorf("deleted contract reads %d %s, want 200 null", a.status, a.raw)
	}
}
