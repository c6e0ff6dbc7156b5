package connectwisesim_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

func TestCreateTicketReturnsFullObject(t *testing.T) {
	t.Parallel()
	clock := newClock()
	_, c := start(t, connectwisesim.Options{Now: clock.Now})
	body := ticket("Suspicious sign-in for jane@acme.example")
	body["contact"] = ref(31)
	body["type"] = map[string]any{"name": "Account Security"}
	body["subType"] = ref(111)
	body["item"] = ref(122)
	body["priority"] = ref(15)
	body["source"] = map[string]any{"name": "Monitoring Alert"}
	body["externalXRef"] = "tb:sa-000123"
	body["initialDescription"] = "Sign-in from an unusual country."
	got := c.object(http.MethodPost, "service/tickets", body, http.StatusCreated)

	want := map[string]any{
		"id": 1001.0, "summary": "Suspicious sign-in for jane@acme.example", "recordType": "ServiceTicket",
		"board":               map[string]any{"id": 1.0, "name": "Security", "_info": map[string]any{"board_href": c.root + "service/boards/1"}},
		"status":              map[string]any{"id": 11.0, "name": "New", "sort": 0.0, "_info": map[string]any{"status_href": c.root + "service/boards/1/statuses/11"}},
		"company":             map[string]any{"id": 251.0, "identifier": "AcmeCorp", "name": "Acme Corp", "_info": map[string]any{"company_href": c.root + "company/companies/251"}},
		"site":                map[string]any{"id": 1001.0, "name": "Main", "_info": map[string]any{"site_href": c.root + "company/sites/1001"}},
		"siteName":            "Main",
		"contact":             map[string]any{"id": 31.0, "name": "Jane Doe", "_info": map[string]any{"contact_href": c.root + "company/contacts/31"}},
		"contactName":         "Jane Doe",
		"contactEmailAddress": "jane@acme.example",
		"contactPhoneNumber":  "555-0131",
		"type":                map[string]any{"id": 102.0, "name": "Account Security", "_info": map[string]any{"type_href": c.root + "service/boards/1/types/102"}},
		"subType":             map[string]any{"id": 111.0, "name": "Suspicious Sign-in", "_info": map[string]any{"subType_href": c.root + "service/boards/1/subtypes/111"}},
		"item":                map[string]any{"id": 122.0, "name": "User Account", "_info": map[string]any{"item_href": c.root + "service/boards/1/items/122"}},
		"priority":            map[string]any{"id": 15.0, "name": "Priority 2 - High", "sort": 2.0, "_info": map[string]any{"priority_href": c.root + "service/priorities/15"}},
		"source":              map[string]any{"id": 6.0, "name": "Monitoring Alert", "_info": map[string]any{"source_href": c.root + "service/sources/6"}},
		"severity":            "Medium", "impact": "Medium", "externalXRef": "tb:sa-000123",
		"closedFlag": false, "automaticEmailContactFlag": false, "customerUpdatedFlag": false,
		"hasChildTicket": false, "approved": true,
		"_info": map[string]any{"lastUpdated": "2026-11-21T10:15:00Z", "updatedBy": "ticketbridge",
			"dateEntered": "2026-11-21T10:15:00Z", "enteredBy": "ticketbridge"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("created ticket (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(got, c.object(http.MethodGet, "service/tickets/1001", nil, 200)); diff != "" {
		t.Errorf("GET differs from the POST answer (-post +get):\n%s", diff)
	}
	notes := c.list("service/tickets/1001/notes")
	if len(notes) != 1 || notes[0]["text"] != "Sign-in from an unusual country." || notes[0]["detailDescriptionFlag"] != true ||
		notes[0]["internalAnalysisFlag"] != false {
		t.Errorf("initialDescription did not become the first Discussion note: %v", notes)
	}
}

func TestCreateTicketDefaults(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	got := c.object(http.MethodPost, "service/tickets", map[string]any{"summary": "bare", "company": map[string]any{"identifier": "globex"}}, 201)
	for path, want := range map[string]any{
		"board/name": "Service Desk", "status/name": "New", "status/id": 21.0, "priority/name": "Priority 3 - Medium",
		"company/id": 252.0, "site/id": 1002.0, "recordType": "ServiceTicket",
	} {
		if v := get(got, path); v != want {
			t.Errorf("%s = %v, want %v", path, v, want)
		}
	}
	for _, absent := range []string{"contact", "type", "closedDate", "initialDescription", "externalXRef"} {
		if _, ok := got[absent]; ok {
			t.Errorf("%s present (%v); null fields are left out", absent, got[absent])
		}
	}
}

func TestCreateTicketValidation(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	with := func(kv ...any) map[string]any {
		b := ticket("validation")
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(b, kv[i].(string))
			} else {
				b[kv[i].(string)] = kv[i+1]
			}
		}
		return b
	}
	tests := []struct {
		name      string
		body      any
		wantCode  string
		wantField string
	}{
		{"missing summary", with("summary", nil), "MissingRequiredField", "summary"},
		{"empty summary", with("summary", ""), "MissingRequiredField", "summary"},
		{"summary over 100", with("summary", strings.Repeat("x", 101)), "InvalidField", "summary"},
		{"missing company", with("company", nil), "MissingRequiredField", "company"},
		{"unknown company", with("company", ref(9999)), "InvalidField", "company"},
		{"company that disallows saving", with("company", ref(255)), "InvalidField", "company"},
		{"unknown board", with("board", ref(999)), "InvalidField", "board"},
		{"inactive board", with("board", ref(4), "status", nil), "InvalidField", "board"},
		{"status not on board", with("status", ref(21)), "InvalidField", "status"},
		{"status name not on board", with("board", ref(2), "status", map[string]any{"name": "Escalated"}), "InvalidField", "status"},
		{"type of another board", with("type", ref(202)), "InvalidField", "type"},
		{"subtype not under type", with("type", ref(102), "subType", ref(113)), "InvalidField", "subType"},
		{"subtype without type", with("subType", ref(111)), "InvalidField", "subType"},
		{"item not in combination", with("type", ref(102), "subType", ref(111), "item", ref(121)), "InvalidField", "item"},
		{"contact not in company", with("contact", ref(33)), "InvalidField", "contact"},
		{"unknown contact", with("contact", ref(9999)), "InvalidField", "contact"},
		{"agreement of another company", with("agreement", ref(501)), "InvalidField", "agreement"},
		{"unknown priority", with("priority", ref(999999)), "InvalidField", "priority"},
		{"bad severity", with("severity", "Apocalyptic"), "InvalidField", "severity"},
		{"reference not an object", with("board", 1), "InvalidField", "board"},
		{"bad requiredDate", with("requiredDate", "tomorrow"), "InvalidField", "requiredDate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := c.failure(http.MethodPost, "service/tickets", tt.body, http.StatusBadRequest)
			if e.Code != "InvalidObject" || e.Message != "ticket object is invalid" {
				t.Errorf("code %q message %q, want InvalidObject / ticket object is invalid", e.Code, e.Message)
			}
			if len(e.Errors) != 1 {
				t.Fatalf("errors = %+v, want exactly one", e.Errors)
			}
			fe := e.Errors[0]
			if fe.Code != tt.wantCode || fe.Field != tt.wantField || fe.Resource != "ticket" || fe.Message == "" {
				t.Errorf("error %+v, want code %s field %s resource ticket", fe, tt.wantCode, tt.wantField)
			}
		})
	}
	t.Run("every error at once", func(t *testing.T) {
		e := c.failure(http.MethodPost, "service/tickets", map[string]any{"board": ref(999)}, 400)
		var fields []string
		for _, fe := range e.Errors {
			fields = append(fields, fe.Field)
		}
		if diff := cmp.Diff([]string{"summary", "company", "board"}, fields); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
	})
	t.Run("malformed JSON", func(t *testing.T) {
		if e := c.failure(http.MethodPost, "service/tickets", `{"summary":`, 400); e.Code != "InvalidObject" {
			t.Errorf("code %q", e.Code)
		}
	})
	if n := c.object(http.MethodGet, "service/tickets/count", nil, 200)["count"]; n != 0.0 {
		t.Errorf("failed creates stored tickets: count %v", n)
	}
}

func TestTicketNotFound(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	for _, tt := range []struct{ method, path, msg string }{
		{http.MethodGet, "service/tickets/1255787", "Ticket 1255787 not found"},
		{http.MethodPatch, "service/tickets/1255787", "Ticket 1255787 not found"},
		{http.MethodDelete, "service/tickets/1255787", "Ticket 1255787 not found"},
		{http.MethodGet, "service/tickets/1255787/notes", "Ticket 1255787 not found"},
		{http.MethodPost, "service/tickets/1255787/notes", "Ticket 1255787 not found"},
		{http.MethodGet, "company/companies/9", "Company 9 not found"},
		{http.MethodGet, "service/boards/1/statuses/21", "BoardStatus 21 not found"},
	} {
		var body any
		switch tt.method {
		case http.MethodPatch:
			body = replace("status", ref(12))
		case http.MethodPost:
			body = map[string]any{"text": "x", "detailDescriptionFlag": true}
		}
		e := c.failure(tt.method, tt.path, body, http.StatusNotFound)
		if diff := cmp.Diff(apiErr{Code: "NotFound", Message: tt.msg}, e); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tt.method, tt.path, diff)
		}
	}
}

func TestPatchTicketStatus(t *testing.T) {
	t.Parallel()
	clock := newClock()
	sim, c := start(t, connectwisesim.Options{Now: clock.Now})
	id := itoa(c.create(ticket("patch me")))
	tech := c.as(sim.Members()[1])

	clock.Advance(time.Minute)
	got := c.object(http.MethodPatch, "service/tickets/"+id, replace("status", ref(12)), 200)
	if get(got, "status/name") != "In Progress" || get(got, "_info/lastUpdated") != "2026-11-21T10:16:00Z" ||
		get(got, "_info/dateEntered") != "2026-11-21T10:15:00Z" || got["closedFlag"] != false {
		t.Errorf("after In Progress: %v", got)
	}

	clock.Advance(time.Minute)
	got = tech.object(http.MethodPatch, "service/tickets/"+id, []map[string]any{{"op": "replace", "path": "/status/id", "value": 15}}, 200)
	if get(got, "status/name") != "Closed" || got["closedFlag"] != true || got["closedDate"] != "2026-11-21T10:17:00Z" ||
		got["closedBy"] != "jtech" || get(got, "_info/updatedBy") != "jtech" {
		t.Errorf("after closing: %v", got)
	}

	clock.Advance(time.Minute)
	got = c.object(http.MethodPatch, "service/tickets/"+id, replace("status", map[string]any{"name": "Completed"}), 200)
	if got["closedDate"] != "2026-11-21T10:17:00Z" || got["closedBy"] != "jtech" {
		t.Errorf("closed→closed moved closedDate/closedBy: %v", got)
	}

	got = c.object(http.MethodPatch, "service/tickets/"+id, replace("status", ref(11)), 200)
	if got["closedFlag"] != false || got["closedDate"] != nil || got["closedBy"] != nil {
		t.Errorf("reopened ticket keeps close data: %v", got)
	}

	e := c.failure(http.MethodPatch, "service/tickets/"+id, replace("status", ref(21)), 400)
	if e.Code != "InvalidObject" || len(e.Errors) != 1 || e.Errors[0].Field != "status" {
		t.Errorf("status of another board: %+v", e)
	}
	for _, bad := range []any{map[string]any{"op": "replace"}, `[{"op":"move","path":"summary","from":"x"}]`, `{"status":{"id":12}}`, `[]`} {
		if e := c.failure(http.MethodPatch, "service/tickets/"+id, bad, 400); e.Code != "InvalidObject" {
			t.Errorf("bad patch %v: code %q", bad, e.Code)
		}
	}
	if got := c.object(http.MethodGet, "service/tickets/"+id, nil, 200); get(got, "status/id") != 11.0 {
		t.Errorf("failed patches changed the ticket: %v", got["status"])
	}
}

func TestPatchTicketFields(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	id := itoa(c.create(ticket("fields")))
	got := c.object(http.MethodPatch, "service/tickets/"+id, []map[string]any{
		{"op": "replace", "path": "agreement", "value": ref(500)},
		{"op": "replace", "path": "contact", "value": ref(32)},
		{"op": "add", "path": "/summary", "value": "renamed"},
	}, 200)
	if get(got, "agreement/id") != 500.0 || got["agreementType"] != "Managed Security" || got["summary"] != "renamed" ||
		got["contactName"] != "Acme Helpdesk" || got["contactEmailAddress"] != "helpdesk@acme.example" {
		t.Errorf("patched ticket: %v", got)
	}
	got = c.object(http.MethodPatch, "service/tickets/"+id, []map[string]any{{"op": "remove", "path": "agreement"}}, 200)
	if _, ok := got["agreement"]; ok {
		t.Errorf("remove left agreement: %v", got["agreement"])
	}
}

func TestBoardMove(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		defaults   bool
		wantStatus int
	}{
		{"re-validated by default", false, 400},
		{"defaults when asked", true, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := start(t, connectwisesim.Options{BoardMoveDefaults: tt.defaults})
			body := ticket("move")
			body["type"] = ref(101)
			id := itoa(c.create(body))
			status, out, _ := c.do(http.MethodPatch, "service/tickets/"+id, replace("board", ref(3)))
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", status, tt.wantStatus, out)
			}
			got := c.object(http.MethodGet, "service/tickets/"+id, nil, 200)
			if tt.defaults && (get(got, "board/id") != 3.0 || get(got, "status/id") != 31.0 || got["type"] != nil) {
				t.Errorf("moved ticket: board %v status %v type %v", got["board"], got["status"], got["type"])
			}
			if !tt.defaults && get(got, "board/id") != 1.0 {
				t.Errorf("refused move changed the board: %v", got["board"])
			}
			// Moving with a status of the new board works either way.
			c.object(http.MethodPatch, "service/tickets/"+id, []map[string]any{
				{"op": "replace", "path": "board", "value": ref(2)}, {"op": "replace", "path": "status", "value": ref(22)},
				{"op": "remove", "path": "type"},
			}, 200)
		})
	}
}

func TestPutAndDeleteTicket(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	id := itoa(c.create(ticket("put")))
	body := ticket("replaced")
	body["status"] = ref(13)
	got := c.object(http.MethodPut, "service/tickets/"+id, body, 200)
	if got["summary"] != "replaced" || get(got, "status/name") != "Waiting Customer" || got["id"] != 1001.0 {
		t.Errorf("PUT answer %v", got)
	}
	status, out, _ := c.do(http.MethodDelete, "service/tickets/"+id, nil)
	if status != http.StatusNoContent || len(out) != 0 {
		t.Fatalf("DELETE: %d %q", status, out)
	}
	c.failure(http.MethodGet, "service/tickets/"+id, nil, 404)
}

func TestTicketsChangedSince(t *testing.T) {
	t.Parallel()
	clock := newClock() // 10:15
	_, c := start(t, connectwisesim.Options{Now: clock.Now})
	early := c.create(ticket("early"))
	clock.Advance(time.Hour) // 11:15
	late := c.create(ticket("late"))
	clock.Advance(time.Hour) // 12:15
	c.object(http.MethodPatch, "service/tickets/"+itoa(early), replace("status", ref(12)), 200)
	clock.Advance(time.Hour) // 13:15
	c.object(http.MethodPost, "service/tickets/"+itoa(late)+"/notes", map[string]any{"text": "seen", "internalAnalysisFlag": true}, 201)

	tests := []struct {
		cond string
		want []int
	}{
		{"lastUpdated > [2026-11-21T10:00:00Z]", []int{early, late}},
		{"lastUpdated > [2026-11-21T12:00:00Z]", []int{early, late}},
		{"lastUpdated > [2026-11-21T12:15:00Z]", []int{late}},
		{"lastUpdated >= [2026-11-21T13:15:00Z]", []int{late}},
		{"lastUpdated > [2026-11-21T13:15:00Z]", []int{}},
		{"_info/lastUpdated < [2026-11-21T13:00:00Z]", []int{early}},
		{"dateEntered > [2026-11-21T11:00:00Z]", []int{late}},
	}
	for _, tt := range tests {
		got := ids(c.list("service/tickets?orderBy=id%20asc&conditions=" + urlq(tt.cond)))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.cond, diff)
		}
	}
}
