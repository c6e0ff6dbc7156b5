package connectwisesim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

// TestConditions runs the conditions language over the seeded companies
// (250-255), contacts (30-35) and statuses, whose values are fixed.
func TestConditions(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{Now: newClock().Now})
	tests := []struct {
		name string
		path string // collection
		cond string
		want []int
	}{
		{"equals is case-insensitive", "company/companies", `name="acme corp"`, []int{251}},
		{"single quotes", "company/companies", `name='Initech'`, []int{253}},
		{"escaped quote", "company/companies", `name="O\"Brien"`, []int{}},
		{"spaces around operator", "company/companies", `identifier = "Globex"`, []int{252}},
		{"not equals on nested field", "company/companies", `status/name != "Active"`, []int{255}},
		{"greater than", "company/companies", `id > 253`, []int{254, 255}},
		{"less or equal", "company/companies", `id <= 251`, []int{250, 251}},
		{"greater or equal and less", "company/companies", `id >= 252 and id < 254`, []int{252, 253}},
		{"like with percent", "company/companies", `name like "%corp%"`, []int{251, 252, 255}},
		{"like with star", "company/companies", `name like "Glob*"`, []int{252}},
		{"like is anchored", "company/companies", `name like "corp"`, []int{}},
		{"not like", "company/companies", `name not like "%corp%"`, []int{250, 253, 254}},
		{"contains", "company/companies", `name contains "TECH"`, []int{253}},
		{"not contains", "company/companies", `name not contains "o"`, []int{253}},
		{"in numbers", "company/companies", `id in (250, 253, 999)`, []int{250, 253}},
		{"in strings", "company/companies", `identifier in ("AcmeCorp", 'globex')`, []int{251, 252}},
		{"not in", "company/companies", `id not in (250,251,252,253)`, []int{254, 255}},
		{"and binds tighter than or", "company/companies", `id = 250 or id = 251 and name = "Nope"`, []int{250}},
		{"parentheses", "company/companies", `(id = 250 or id = 251) and name = "Acme Corp"`, []int{251}},
		{"nested parentheses", "company/companies", `((id = 250) or (id = 254 and (name like "Umb%")))`, []int{250, 254}},
		{"not group", "company/companies", `not (id < 254)`, []int{254, 255}},
		{"keywords in capitals", "company/contacts", `company/id = 251 AND inactiveFlag = FALSE`, []int{31, 32}},
		{"boolean true", "company/contacts", `inactiveFlag = true`, []int{35}},
		{"reference name", "company/contacts", `company/name = "Acme Corp"`, []int{31, 32, 35}},
		{"reference identifier", "company/contacts", `company/identifier = "Initech"`, []int{34}},
		{"datetime after", "company/companies", `dateAcquired > [2026-11-21T10:14:59Z] and id < 252`, []int{250, 251}},
		{"datetime equal", "company/companies", `dateAcquired = [2026-11-21T10:15:00Z] and id = 253`, []int{253}},
		{"datetime before", "company/companies", `dateAcquired < [2026-11-21T10:15:00Z]`, []int{}},
		{"info field by name", "company/companies", `lastUpdated >= [2026-11-21T00:00:00Z] and id = 250`, []int{250}},
		{"null", "company/companies", `website = null and id = 250`, []int{250}},
		{"not null", "company/companies", `website != null`, []int{}},
		{"null field matches no comparison", "company/companies", `website != "x"`, []int{}},
		{"field names are case-insensitive", "company/companies", `NAME = "Initech"`, []int{253}},
		{"decimal number", "company/companies", `id > 254.5`, []int{255}},
		{"negative number", "company/companies", `id > -1 and id < 251`, []int{250}},
		{"closed statuses of a board", "service/boards/1/statuses", `closedStatus = true`, []int{14, 15}},
		{"empty conditions", "service/boards", ``, []int{1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ids(c.list(tt.path + "?pageSize=100&conditions=" + urlq(tt.cond)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.cond, diff)
			}
		})
	}
}

func TestConditionErrors(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	tests := []struct {
		name string
		cond string
		want string // substring of the message
	}{
		{"boolean against number", `deletedFlag = 1`, "Expected a boolean value, not a numeric. String values should be enclosed with double or single quotes; DateTime values should be enclosed in square brackets"},
		{"string against number", `id = "250"`, "Expected a numeric value, not a string."},
		{"datetime against string", `dateAcquired > "2026-01-01"`, "Expected a datetime value, not a string."},
		{"bare word value", `name = Acme`, "Expected a value"},
		{"unterminated string", `name = "Acme`, "Unterminated string"},
		{"bad datetime", `dateAcquired > [yesterday]`, "Invalid DateTime value"},
		{"unknown field", `nosuch = 1`, "Unknown field nosuch"},
		{"missing paren", `(id = 250`, "Expected ')'"},
		{"missing operator", `id 250`, "Expected an operator"},
		{"trailing garbage", `id = 250 250`, "Unexpected"},
		{"reference compared whole", `status = 1`, "status/id"},
		{"array without childConditions", `types/id = 1`, "childConditions"},
		{"like on a number", `id like "25%"`, "needs a string field"},
		{"null with less than", `website < null`, "null can only be compared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := c.failure(http.MethodGet, "company/companies?conditions="+urlq(tt.cond), nil, http.StatusBadRequest)
			if e.Code != "InvalidObject" || !strings.Contains(e.Message, tt.want) {
				t.Errorf("%s: %s %q, want a message containing %q", tt.cond, e.Code, e.Message, tt.want)
			}
		})
	}
}

func TestChildConditions(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	tests := []struct {
		name  string
		path  string
		query string
		want  []int
	}{
		{"company type by name", "company/companies", "childConditions=" + urlq(`types/name="Prospect"`), []int{254}},
		{"company type by id", "company/companies", "childConditions=" + urlq(`types/id=1`), []int{250, 251, 252, 253, 255}},
		{"with conditions", "company/companies",
			"conditions=" + urlq(`deletedFlag=false and status/name="Active"`) + "&childConditions=" + urlq(`types/name="Client"`), []int{250, 251, 252, 253}},
		{"contact by email", "company/contacts",
			"childConditions=" + urlq(`communicationItems/value="JANE@acme.example" AND communicationItems/communicationType="Email"`), []int{31}},
		{"both parts hold on one item", "company/contacts",
			"childConditions=" + urlq(`communicationItems/value="555-0131" AND communicationItems/communicationType="Email"`), []int{}},
		{"email plus company", "company/contacts",
			"conditions=" + urlq(`company/id=252`) + "&childConditions=" + urlq(`communicationItems/value="jane@acme.example"`), []int{}},
		{"phone item", "company/contacts", "childConditions=" + urlq(`communicationItems/communicationType="Phone"`), []int{31}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, ids(c.list(tt.path+"?"+tt.query))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCustomFieldConditions(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	west := ticket("west")
	west["customFields"] = []any{map[string]any{"id": 7, "caption": "Region", "type": "Text", "entryMethod": "EntryField", "value": "West"}}
	id := c.create(west)
	c.create(ticket("no custom fields"))
	got := ids(c.list("service/tickets?customFieldConditions=" + urlq(`caption="Region" AND value="West"`)))
	if diff := cmp.Diff([]int{id}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestExternalRefLookup(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	for i := range 3 {
		b := ticket("ref")
		b["externalXRef"] = "tb:ref-" + itoa(i)
		c.create(b)
	}
	got := c.list("service/tickets?conditions=" + urlq(`externalXRef="tb:ref-1"`) + "&fields=id,externalXRef,status/name")
	want := []map[string]any{{"id": 1002.0, "externalXRef": "tb:ref-1", "status": map[string]any{"name": "New"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
