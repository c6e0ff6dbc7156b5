package connectwisesim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

func TestNotes(t *testing.T) {
	t.Parallel()
	clock := newClock()
	sim, c := start(t, connectwisesim.Options{Now: clock.Now})
	body := ticket("notes")
	body["initialDescription"] = "first"
	body["initialInternalAnalysis"] = "triage"
	id := itoa(c.create(body))
	clock.Advance(time.Minute)
	tests := []struct {
		name             string
		body             map[string]any
		detail, internal bool
		resolution       bool
		external         bool
	}{
		{"discussion", map[string]any{"text": "customer visible", "detailDescriptionFlag": true}, true, false, false, true},
		{"internal", map[string]any{"text": "internal only", "internalAnalysisFlag": true}, false, true, false, false},
		{"resolution", map[string]any{"text": "fixed", "resolutionFlag": true}, false, false, true, true},
	}
	for _, tt := range tests {
		got := c.object(http.MethodPost, "service/tickets/"+id+"/notes", tt.body, http.StatusCreated)
		want := map[string]any{
			"ticketId": 1001.0, "text": tt.body["text"], "detailDescriptionFlag": tt.detail, "internalAnalysisFlag": tt.internal,
			"resolutionFlag": tt.resolution, "issueFlag": false, "internalFlag": tt.internal, "externalFlag": tt.external,
			"customerUpdatedFlag": false, "processNotifications": true, "dateCreated": "2026-11-21T10:16:00Z", "createdBy": "ticketbridge",
			"member": map[string]any{"id": 150.0, "identifier": "ticketbridge", "name": "ticketbridge",
				"_info": map[string]any{"member_href": c.root + "system/members/150"}},
		}
		delete(got, "id")
		delete(got, "_info")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s note (-want +got):\n%s", tt.name, diff)
		}
	}
	all := c.list("service/tickets/" + id + "/notes")
	var texts []string
	for _, n := range all {
		texts = append(texts, n["text"].(string))
	}
	if diff := cmp.Diff([]string{"first", "triage", "customer visible", "internal only", "fixed"}, texts); diff != "" {
		t.Errorf("notes oldest first (-want +got):\n%s", diff)
	}
	if n := c.list("service/tickets/" + id + "/notes?conditions=" + urlq("internalAnalysisFlag=true")); len(n) != 2 {
		t.Errorf("internal notes: %d, want 2", len(n))
	}
	one := c.object(http.MethodGet, "service/tickets/"+id+"/notes/5003", nil, 200)
	if one["text"] != "customer visible" {
		t.Errorf("note 5003 = %v", one)
	}
	c.failure(http.MethodGet, "service/tickets/"+itoa(c.create(ticket("other")))+"/notes/5003", nil, 404)
	if got := c.object(http.MethodGet, "service/tickets/"+id, nil, 200); get(got, "_info/lastUpdated") != "2026-11-21T10:16:00Z" {
		t.Errorf("a note did not move the ticket's lastUpdated: %v", got["_info"])
	}
	if n := c.object(http.MethodGet, "service/tickets/"+id+"/notes/count", nil, 200)["count"]; n != 5.0 {
		t.Errorf("notes/count = %v", n)
	}
	_ = sim
}

func TestNoteValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      connectwisesim.Options
		body      map[string]any
		wantField string // "" means accepted
	}{
		{"missing text", connectwisesim.Options{}, map[string]any{"detailDescriptionFlag": true}, "text"},
		{"no flag", connectwisesim.Options{}, map[string]any{"text": "x"}, "detailDescriptionFlag"},
		{"no flag allowed by option", connectwisesim.Options{AllowFlaglessNotes: true}, map[string]any{"text": "x"}, ""},
		{"unknown contact", connectwisesim.Options{}, map[string]any{"text": "x", "detailDescriptionFlag": true, "contact": ref(999)}, "contact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := start(t, tt.opts)
			id := itoa(c.create(ticket("n")))
			if tt.wantField == "" {
				c.object(http.MethodPost, "service/tickets/"+id+"/notes", tt.body, 201)
				return
			}
			e := c.failure(http.MethodPost, "service/tickets/"+id+"/notes", tt.body, 400)
			if e.Code != "InvalidObject" || len(e.Errors) != 1 || e.Errors[0].Field != tt.wantField || e.Errors[0].Resource != "serviceNote" {
				t.Errorf("%+v, want one error on %s", e, tt.wantField)
			}
		})
	}
}

func TestCustomerNote(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	id := itoa(c.create(ticket("n")))
	got := c.object(http.MethodPost, "service/tickets/"+id+"/notes",
		map[string]any{"text": "from Jane", "detailDescriptionFlag": true, "contact": ref(31)}, 201)
	if get(got, "contact/name") != "Jane Doe" || got["member"] != nil {
		t.Errorf("customer note: contact %v member %v", got["contact"], got["member"])
	}
}
