package superopssim

import (
	"net/http"
	"testing"
	"time"
)

func TestPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	for range 105 {
		e.create(nil)
	}
	const q = `query($p: Int, $s: Int) { getTicketList(input: {page: $p, pageSize: $s}) { tickets { ticketId } listInfo { page pageSize hasMore totalCount } } }`
	tests := []struct {
		name        string
		page, size  int
		n, infoSize int
		hasMore     bool
	}{
		{"first page", 1, 50, 50, 50, true},
		{"last page", 3, 50, 5, 50, false},
		{"size capped at 100", 1, 500, 100, 100, true},
		{"past the end", 9, 50, 0, 50, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := e.do(q, map[string]any{"p": tt.page, "s": tt.size})
			list, _ := path(d, "getTicketList", "tickets").([]any)
			info := path(d, "getTicketList", "listInfo")
			if len(list) != tt.n || path(info, "hasMore") != tt.hasMore || path(info, "totalCount") != float64(105) || path(info, "pageSize") != float64(tt.infoSize) {
				t.Errorf("page %d size %d: %d tickets, listInfo %v", tt.page, tt.size, len(list), info)
			}
		})
	}
}

func TestConditions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	const q = `query($c: RuleConditionInput) { getClientList(input: {pageSize: 100, condition: $c}) { clients { name } listInfo { condition } } }`
	leaf := func(attr, op string, v any) map[string]any {
		return map[string]any{"attribute": attr, "operator": op, "value": v}
	}
	tests := []struct {
		name string
		cond map[string]any
		want int
	}{
		{"is, any case", leaf("name", "is", "acme corp"), 1},
		{"isNot", leaf("stage", "isNot", "Customer"), 1},
		{"includes takes whole values", leaf("stage", "includes", []any{"Prospect", "Partner"}), 1},
		{"notIncludes", leaf("stage", "notIncludes", []any{"Prospect"}), 5},
		{"contains", leaf("name", "contains", "CORP"), 2},
		{"startsWith", leaf("name", "startsWith", "ini"), 1},
		{"endsWith", leaf("name", "endsWith", "prospect"), 1},
		{"notContains", leaf("name", "notContains", "o"), 2},
		{"isEmpty", leaf("accountManager", "isEmpty", nil), 6},
		{"AND", map[string]any{"joinOperator": "AND", "operands": []any{leaf("stage", "is", "Customer"), leaf("status", "is", "Active")}}, 4},
		{"lower-case and is OR", map[string]any{"joinOperator": "and", "operands": []any{leaf("stage", "is", "Customer"), leaf("status", "is", "Active")}}, 6},
		{"OR", map[string]any{"joinOperator": "OR", "operands": []any{leaf("name", "is", "Initech"), leaf("name", "is", "Acme Corp")}}, 2},
		{"value outside the set", leaf("stage", "is", "Nonsense"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := e.do(q, map[string]any{"c": tt.cond})
			list, _ := path(d, "getClientList", "clients").([]any)
			if len(list) != tt.want {
				t.Errorf("%d clients %v, want %d", len(list), list, tt.want)
			}
			if path(d, "getClientList", "listInfo", "condition") == nil {
				t.Errorf("condition not echoed in listInfo")
			}
		})
	}
	for _, op := range []string{"equals", "in"} {
		a := e.post(e.api, SeedSubdomain, q, map[string]any{"c": leaf("name", op, "Initech")})
		if a.Status != http.StatusInternalServerError {
			t.Errorf("operator %s: HTTP %d %s; want 500", op, a.Status, a.Raw)
		}
	}
}

func TestSortAndDates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	var ids []string
	for range 3 {
		ids = append(ids, e.create(nil)["ticketId"].(string))
		e.clk.Advance(time.Minute)
	}
	e.do(`mutation($id: ID!) { updateTicket(input: {ticketId: $id, priority: "Low"}) { ticketId } }`, map[string]any{"id": ids[0]})
	d := e.do(`{ getTicketList(input: {sort: [{attribute: "updatedTime", order: DESC}, {attribute: "ticketId", order: ASC}]}) { tickets { ticketId } } }`, nil)
	got := []any{path(d, "getTicketList", "tickets", 0, "ticketId"), path(d, "getTicketList", "tickets", 1, "ticketId"), path(d, "getTicketList", "tickets", 2, "ticketId")}
	if got[0] != ids[0] || got[1] != ids[2] || got[2] != ids[1] {
		t.Errorf("order %v, want %s %s %s", got, ids[0], ids[2], ids[1])
	}
	d = e.do(`{ getTicketList(input: {condition: {attribute: "updatedTime", operator: "after", value: "2026-11-21T10:16:30"}}) { tickets { ticketId } } }`, nil)
	if n := len(path(d, "getTicketList", "tickets").([]any)); n != 2 {
		t.Errorf("after: %d tickets, want 2", n)
	}

	strict := newEnv(t, Options{RejectDateOperators: true})
	strict.create(nil)
	a := strict.post(strict.api, SeedSubdomain, `{ getTicketList(input: {condition: {attribute: "updatedTime", operator: "after", value: "2026-11-21T10:16:30"}}) { tickets { ticketId } } }`, nil)
	if a.Status != http.StatusInternalServerError {
		t.Errorf("date operator accepted with RejectDateOperators: %s", a.Raw)
	}
}

func TestDeletedRequestersAreNotListed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	acme := e.clientID("Acme Corp")
	d := e.do(`query($c: ID) { getClientUserList(input: {clientId: $c, listInfo: {pageSize: 100}}) { userList { email client } } }`, map[string]any{"c": acme})
	list, _ := path(d, "getClientUserList", "userList").([]any)
	if len(list) != 2 {
		t.Fatalf("%d requesters %v, want jane and helpdesk", len(list), list)
	}
	for _, u := range list {
		if path(u, "email") == "former@acme.example" || path(u, "client", "accountId") != acme {
			t.Errorf("listed %v", u)
		}
	}
}

func TestCustomFieldConditions(t *testing.T) {
	t.Parallel()
	const q = `query($c: RuleConditionInput) { getTicketList(input: {condition: $c}) { tickets { ticketId } } }`
	for _, tt := range []struct {
		name string
		o    Options
		want int
	}{
		{"dot path into customFields", Options{}, 1},
		{"option: custom fields not filterable", Options{IgnoreCustomFieldConditions: true}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.o)
			e.create(map[string]any{"customFields": map[string]any{e.sim.RefColumn(): "ref-9"}})
			e.create(nil)
			d := e.do(q, map[string]any{"c": map[string]any{"attribute": "customFields." + e.sim.RefColumn(), "operator": "is", "value": "ref-9"}})
			if n := len(path(d, "getTicketList", "tickets").([]any)); n != tt.want {
				t.Errorf("%d tickets, want %d", n, tt.want)
			}
		})
	}
}
