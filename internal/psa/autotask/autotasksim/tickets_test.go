package autotasksim_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

var (
	noZoneTime   = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?$`)
	ticketNumber = regexp.MustCompile(`^T20261121\.\d{4}$`)
)

func TestCreateTicketReturnsFullRecord(t *testing.T) {
	t.Parallel()
	clock := newClock()
	sim, c := start(t, autotasksim.Options{Now: clock.Now})
	body := ticket("Suspicious sign-in")
	body["externalID"] = "tb:sa-000123"
	body["contactID"] = 31
	id := c.create("Tickets", body)
	got := c.item("Tickets/" + itoa(id))

	fields := c.call(http.MethodGet, "Tickets/entityInformation/fields", nil, 200)["fields"].([]any)
	for _, f := range fields {
		name := f.(map[string]any)["name"].(string)
		if _, ok := got[name]; !ok {
			t.Errorf("field %s absent from the record", name)
		}
	}
	if v, ok := got["resolution"]; !ok || v != nil {
		t.Errorf("resolution = %v (present %v), want null", v, ok)
	}
	if udf, ok := got["userDefinedFields"].([]any); !ok || len(udf) != 0 {
		t.Errorf("userDefinedFields = %v, want []", got["userDefinedFields"])
	}
	for _, name := range []string{"createDate", "lastActivityDate", "lastTrackedModificationDateTime", "dueDateTime"} {
		if s, _ := got[name].(string); !noZoneTime.MatchString(s) {
			t.Errorf("%s = %q, want UTC without zone designator", name, got[name])
		}
	}
	if got["createDate"] != "2026-11-21T10:15:00.123" || got["dueDateTime"] != "2026-12-01T17:00:00" {
		t.Errorf("createDate %v dueDateTime %v", got["createDate"], got["dueDateTime"])
	}
	if s, _ := got["ticketNumber"].(string); !ticketNumber.MatchString(s) {
		t.Errorf("ticketNumber = %v", got["ticketNumber"])
	}
	want := map[string]any{
		"id": float64(id), "companyID": 175.0, "contactID": 31.0, "externalID": "tb:sa-000123",
		"creatorResourceID": float64(sim.Users()[0].ResourceID), "ticketCategory": 3.0, "completedDate": nil,
	}
	for k, v := range want {
		if !cmp.Equal(got[k], v) {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	second := c.item("Tickets/" + itoa(c.create("Tickets", ticket("second"))))
	if second["ticketNumber"] == got["ticketNumber"] {
		t.Errorf("ticket numbers repeat: %v", second["ticketNumber"])
	}
}

func TestCreateTicketValidation(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	with := func(k string, v any) map[string]any {
		b := ticket("validation")
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	withAll := func(kv map[string]any) map[string]any {
		b := ticket("validation")
		for k, v := range kv {
			b[k] = v
		}
		return b
	}
	tests := []struct {
		name string
		body any
		want string
	}{
		{"missing required title", with("title", nil), "Missing Required Field: title"},
		{"missing required companyID", with("companyID", nil), "companyID"},
		{"unknown picklist value", with("priority", 99), "priority: 99 is not a valid picklist value"},
		{"inactive picklist value", with("status", 11), "status: picklist value 11 (Legacy Hold) is inactive"},
		{"inactive queue", with("queueID", 29683327), "queueID"},
		{"sub-issue type not under its issue type", withAll(map[string]any{"issueType": 11, "subIssueType": 104}), "subIssueType"},
		{"sub-issue type without issue type", with("subIssueType", 100), "subIssueType"},
		{"resource without role", with("assignedResourceID", 29682886),
			"When assigning a Resource, you must assign both a assignedResourceID and assignedResourceRoleID."},
		{"missing company", with("companyID", 4242), "companyID: no Company with id 4242"},
		{"missing contact", with("contactID", 4242), "contactID: no Contact with id 4242"},
		{"contact of another company", with("contactID", 33), "contactID 33 does not belong to companyID 175"},
		{"inactive contact", with("contactID", 35), "contactID 35"},
		{"inactive company", with("companyID", 179), "companyID 179"},
		{"title too long", with("title", strings.Repeat("x", 256)), "title exceeds its maximum length of 255"},
		{"externalID too long", with("externalID", strings.Repeat("x", 51)), "externalID"},
		{"due date needed for Standard", with("dueDateTime", nil), "dueDateTime is required"},
		{"bad datetime", with("dueDateTime", "tomorrow"), "dueDateTime"},
		{"malformed JSON", `{"companyID":`, "not a valid JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.wantError(http.MethodPost, "Tickets", tt.body, 500, tt.want)
		})
	}
	if n := c.call(http.MethodPost, "Tickets/query/count", allRows, 200)["queryCount"]; n != 0.0 {
		t.Errorf("failed creates stored %v tickets", n)
	}
}

func TestCreateTicketAccepts(t *testing.T) {
	t.Parallel()
	clock := newClock()
	_, c := start(t, autotasksim.Options{Now: clock.Now})
	full := ticket("full")
	for k, v := range map[string]any{
		"issueType": 11, "subIssueType": 100, "queueID": 29683325, "source": 8, "ticketType": 5,
		"assignedResourceID": 29682886, "assignedResourceRoleID": 29683401, "contactID": 32,
		"description": "Ümlaut and more", "dueDateTime": "2026-12-01T17:00:00.5",
	} {
		full[k] = v
	}
	security := map[string]any{"companyID": 176, "title": "sec", "status": 1, "priority": 4, "ticketCategory": 4}
	tests := []struct {
		name    string
		body    map[string]any
		wantDue string
	}{
		{"every picklist set", full, "2026-12-01T17:00:00.5"},
		{"security alert category supplies the due date", security, "2026-11-22T10:15:00.123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.item("Tickets/" + itoa(c.create("Tickets", tt.body)))
			if got["dueDateTime"] != tt.wantDue {
				t.Errorf("dueDateTime = %v, want %s", got["dueDateTime"], tt.wantDue)
			}
		})
	}
}

func TestNotes(t *testing.T) {
	t.Parallel()
	clock := newClock()
	sim, c := start(t, autotasksim.Options{Now: clock.Now})
	id := c.create("Tickets", ticket("with notes"))
	before := c.item("Tickets/" + itoa(id))
	clock.Advance(time.Minute)
	note := map[string]any{"title": "Alert", "description": "seen again", "noteType": 1, "publish": 1}
	noteID := c.create("Tickets/"+itoa(id)+"/Notes", note)

	listed := c.call(http.MethodGet, "Tickets/"+itoa(id)+"/Notes", nil, 200)
	queried := c.call(http.MethodPost, "TicketNotes/query", map[string]any{
		"filter": []any{map[string]any{"op": "eq", "field": "ticketID", "value": id}},
	}, 200)
	for name, m := range map[string]map[string]any{"child list": listed, "query": queried} {
		if diff := cmp.Diff([]int{noteID}, ids(m)); diff != "" {
			t.Errorf("%s ids (-want +got):\n%s", name, diff)
		}
	}
	got := c.item("TicketNotes/" + itoa(noteID))
	want := map[string]any{
		"ticketID": float64(id), "description": "seen again", "title": "Alert",
		"creatorResourceID": float64(sim.Users()[0].ResourceID),
		"createDateTime":    "2026-11-21T10:16:00.123", "lastActivityDate": "2026-11-21T10:16:00.123",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("note %s = %v, want %v", k, got[k], v)
		}
	}
	after := c.item("Tickets/" + itoa(id))
	if after["lastActivityDate"] != "2026-11-21T10:16:00.123" {
		t.Errorf("lastActivityDate %v not bumped by the note (was %v)", after["lastActivityDate"], before["lastActivityDate"])
	}
	if after["lastTrackedModificationDateTime"] != before["lastTrackedModificationDateTime"] {
		t.Errorf("a note moved lastTrackedModificationDateTime to %v", after["lastTrackedModificationDateTime"])
	}
	c.item("Tickets/" + itoa(id) + "/Notes/" + itoa(noteID))
}

func TestNoteValidation(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	std := c.create("Tickets", ticket("standard"))
	sec := c.create("Tickets", map[string]any{"companyID": 175, "title": "sec", "status": 1, "priority": 1, "ticketCategory": 4})
	note := func(kv map[string]any) map[string]any {
		b := map[string]any{"description": "d", "noteType": 1, "publish": 1}
		for k, v := range kv {
			b[k] = v
		}
		return b
	}
	tests := []struct {
		name   string
		path   string
		body   any
		status int
		want   string
	}{
		{"missing description", "Tickets/" + itoa(std) + "/Notes", note(map[string]any{"description": ""}), 500, "Missing Required Field: description"},
		{"publish 3 does not exist", "Tickets/" + itoa(std) + "/Notes", note(map[string]any{"publish": 3}), 500, "publish"},
		{"unknown note type", "Tickets/" + itoa(std) + "/Notes", note(map[string]any{"noteType": 7}), 500, "noteType"},
		{"security alert needs a title", "Tickets/" + itoa(sec) + "/Notes", note(nil), 500, "title is required"},
		{"ticket id contradicts the URL", "Tickets/" + itoa(std) + "/Notes", note(map[string]any{"ticketID": sec}), 500, "ticketID"},
		{"missing ticket", "Tickets/999999/Notes", note(nil), 500, "ticketID: no Ticket with id 999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.wantError(http.MethodPost, tt.path, tt.body, tt.status, tt.want)
		})
	}
}

func TestPatchIsSparsePutNulls(t *testing.T) {
	t.Parallel()
	clock := newClock()
	_, c := start(t, autotasksim.Options{Now: clock.Now})
	body := ticket("original")
	body["description"] = "keep me?"
	body["externalID"] = "ext-1"
	id := c.create("Tickets", body)
	path := "Tickets/" + itoa(id)

	clock.Advance(time.Minute)
	if got := c.call(http.MethodPatch, "Tickets", map[string]any{"id": id, "title": "patched"}, 200)["itemId"]; got != float64(id) {
		t.Fatalf("PATCH itemId = %v", got)
	}
	p := c.item(path)
	if p["title"] != "patched" || p["description"] != "keep me?" || p["externalID"] != "ext-1" {
		t.Errorf("after PATCH: title %v description %v externalID %v", p["title"], p["description"], p["externalID"])
	}
	if p["lastTrackedModificationDateTime"] != "2026-11-21T10:16:00.123" {
		t.Errorf("PATCH did not bump lastTrackedModificationDateTime: %v", p["lastTrackedModificationDateTime"])
	}

	c.call(http.MethodPut, "Tickets", map[string]any{
		"id": id, "companyID": 175, "title": "put", "status": 1, "priority": 3, "dueDateTime": "2026-12-02T00:00:00",
	}, 200)
	u := c.item(path)
	for k, want := range map[string]any{"title": "put", "priority": 3.0, "description": nil, "externalID": nil, "ticketCategory": nil} {
		if u[k] != want {
			t.Errorf("after PUT %s = %v, want %v", k, u[k], want)
		}
	}
	if u["ticketNumber"] != p["ticketNumber"] || u["createDate"] != p["createDate"] {
		t.Errorf("PUT changed read-only fields: %v %v", u["ticketNumber"], u["createDate"])
	}
	c.wantError(http.MethodPut, "Tickets", map[string]any{"id": id, "title": "no company"}, 500, "Missing Required Field")
	c.wantError(http.MethodPatch, "Tickets", map[string]any{"title": "no id"}, 500, "id")
	c.wantError(http.MethodPatch, "Tickets", map[string]any{"id": 999999, "title": "x"}, 404, "999999")
	c.wantError(http.MethodPatch, "Tickets", map[string]any{"id": id, "status": 11}, 500, "inactive")
}

func TestStatusCompleteSetsCompletedDate(t *testing.T) {
	t.Parallel()
	clock := newClock()
	sim, c := start(t, autotasksim.Options{Now: clock.Now})
	tech := c.as(sim.Users()[1])
	id := c.create("Tickets", ticket("to close"))
	path := "Tickets/" + itoa(id)
	if got := c.item(path)["completedDate"]; got != nil {
		t.Fatalf("new ticket completedDate = %v", got)
	}
	clock.Advance(time.Hour)
	tech.call(http.MethodPatch, "Tickets", map[string]any{"id": id, "status": 5}, 200)
	closed := c.item(path)
	if closed["completedDate"] != "2026-11-21T11:15:00.123" {
		t.Errorf("completedDate = %v", closed["completedDate"])
	}
	if closed["completedByResourceID"] != float64(sim.Users()[1].ResourceID) || closed["lastActivityResourceID"] != float64(sim.Users()[1].ResourceID) {
		t.Errorf("completedBy %v lastActivityResource %v, want the technician", closed["completedByResourceID"], closed["lastActivityResourceID"])
	}
	tech.call(http.MethodPatch, "Tickets", map[string]any{"id": id, "status": 8}, 200)
	if got := c.item(path)["completedDate"]; got != nil {
		t.Errorf("reopened ticket completedDate = %v, want null", got)
	}
}

func TestCompanyContacts(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	got := ids(c.call(http.MethodGet, "Companies/175/Contacts", nil, 200))
	if diff := cmp.Diff([]int{31, 32, 35}, got); diff != "" {
		t.Errorf("Acme contacts (-want +got):\n%s", diff)
	}
	id := c.create("Companies/176/Contacts", map[string]any{
		"firstName": "Smithers", "lastName": "Waylon", "emailAddress": "smithers@globex.example", "isActive": 1,
	})
	ct := c.item("Companies/176/Contacts/" + itoa(id))
	if ct["companyID"] != 176.0 || ct["isActive"] != 1.0 {
		t.Errorf("contact %v", ct)
	}
	c.wantError(http.MethodPost, "Companies/176/Contacts", map[string]any{"firstName": "No", "lastName": "Active"}, 500, "isActive")
	c.call(http.MethodPatch, "Companies/176/Contacts", map[string]any{"id": id, "isActive": 0}, 200)
	if got := c.item("Contacts/" + itoa(id))["isActive"]; got != 0.0 {
		t.Errorf("isActive after PATCH = %v", got)
	}
	co := c.item("Companies/175")
	if co["isActive"] != true || co["companyType"] != 1.0 || co["classification"] != 1.0 {
		t.Errorf("Acme Corp %v", co)
	}
}

func TestNoteUpdateAndImpersonation(t *testing.T) {
	t.Parallel()
	clock := newClock()
	sim, c := start(t, autotasksim.Options{Now: clock.Now})
	tech := sim.Users()[1]
	id := c.create("Tickets", ticket("impersonated"))
	imp := *c
	imp.hdr = map[string]string{"ImpersonationResourceId": itoa(tech.ResourceID)}
	noteID := imp.create("Tickets/"+itoa(id)+"/Notes", map[string]any{"description": "d", "noteType": 3, "publish": 2})
	if got := c.item("TicketNotes/" + itoa(noteID))["creatorResourceID"]; got != float64(tech.ResourceID) {
		t.Errorf("impersonated note creatorResourceID = %v, want %d", got, tech.ResourceID)
	}
	clock.Advance(time.Minute)
	c.call(http.MethodPatch, "Tickets/"+itoa(id)+"/Notes", map[string]any{"id": noteID, "description": "edited"}, 200)
	note := c.item("Tickets/" + itoa(id) + "/Notes/" + itoa(noteID))
	if note["description"] != "edited" || note["lastActivityDate"] != "2026-11-21T10:16:00.123" || note["noteType"] != 3.0 {
		t.Errorf("note after PATCH %v", note)
	}
	if got := c.item("Tickets/" + itoa(id))["lastActivityDate"]; got != "2026-11-21T10:16:00.123" {
		t.Errorf("ticket lastActivityDate after note edit = %v", got)
	}
	bad := *c
	bad.hdr = map[string]string{"ImpersonationResourceId": "424242"}
	bad.wantError(http.MethodGet, "Tickets/"+itoa(id), nil, 500, "ImpersonationResourceId")
}
