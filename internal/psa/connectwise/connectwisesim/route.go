package connectwisesim

import (
	"net/http"
	"strconv"
	"strings"
)

// handler serves one method of one route.
type handler func(s *Sim, c *call)

// route is a path pattern below apis/3.0 ("{id}" matches a number) and
// its handlers by method.
type route struct {
	pattern []string
	methods map[string]handler
}

func rt(pattern string, methods map[string]handler) route {
	return route{pattern: strings.Split(strings.ToLower(pattern), "/"), methods: methods}
}

// readable returns the list, /count and /{id} routes of a scoped table.
func readable(pattern string, sc scope) []route {
	return []route{
		rt(pattern, map[string]handler{http.MethodGet: sc.list}),
		rt(pattern+"/count", map[string]handler{http.MethodGet: sc.count}),
		rt(pattern+"/{id}", map[string]handler{http.MethodGet: sc.get}),
	}
}

// routes is the API surface. Writable resources add their methods to the
// read routes; the first matching pattern wins.
var routes = buildRoutes()

func buildRoutes() []route {
	board := func(t string) scope { return scope{table: t, parent: tBoards, parentField: "board/id"} }
	var rs []route
	add := func(r ...route) { rs = append(rs, r...) }
	add(rt("system/info", map[string]handler{http.MethodGet: (*Sim).systemInfo}))
	add(readable("system/members", scope{table: tMembers})...)
	add(rt("system/callbacks", map[string]handler{http.MethodGet: scope{table: tCallbacks}.list, http.MethodPost: (*Sim).createCallback}))
	add(rt("system/callbacks/count", map[string]handler{http.MethodGet: scope{table: tCallbacks}.count}))
	add(rt("system/callbacks/{id}", map[string]handler{http.MethodGet: scope{table: tCallbacks}.get,
		http.MethodPatch: (*Sim).patchCallback, http.MethodPut: (*Sim).putCallback, http.MethodDelete: (*Sim).deleteCallback}))
	add(readable("company/companies/types", scope{table: tCompanyTypes})...)
	add(readable("company/companies/statuses", scope{table: tCompanyStatuses})...)
	add(readable("company/companies", scope{table: tCompanies})...)
	add(readable("company/companies/{id}/sites", scope{table: tSites, parent: tCompanies, parentField: "company/id"})...)
	add(readable("company/contacts", scope{table: tContacts})...)
	add(readable("service/boards", scope{table: tBoards})...)
	add(readable("service/boards/{id}/statuses", board(tStatuses))...)
	add(readable("service/boards/{id}/types", board(tTypes))...)
	add(readable("service/boards/{id}/subtypes", board(tSubtypes))...)
	add(readable("service/boards/{id}/items", board(tItems))...)
	add(readable("service/boards/{id}/typeSubTypeItemAssociations", board(tAssociations))...)
	add(readable("service/boards/{id}/teams", scope{table: tTeams, parent: tBoards, parentField: "boardId"})...)
	add(readable("service/priorities", scope{table: tPriorities})...)
	add(readable("service/sources", scope{table: tSources})...)
	add(ticketRoutes()...)
	add(readable("finance/agreements/types", scope{table: tAgreementTypes})...)
	add(agreementRoutes()...)
	add(readable("procurement/catalog", scope{table: tProducts})...)
	add(rt("time/entries", map[string]handler{http.MethodGet: scope{table: tTimeEntries}.list, http.MethodPost: (*Sim).createTimeEntry}))
	add(readable("time/entries", scope{table: tTimeEntries})[1:]...)
	return rs
}

func ticketRoutes() []route {
	tickets := scope{table: tTickets}
	notes := scope{table: tNotes, parent: tTickets, parentField: "ticketId"}
	return []route{
		rt("service/tickets", map[string]handler{http.MethodGet: tickets.list, http.MethodPost: (*Sim).createTicket}),
		rt("service/tickets/count", map[string]handler{http.MethodGet: tickets.count}),
		rt("service/tickets/{id}", map[string]handler{http.MethodGet: tickets.get, http.MethodPatch: (*Sim).patchTicket,
			http.MethodPut: (*Sim).putTicket, http.MethodDelete: (*Sim).deleteTicket}),
		rt("service/tickets/{id}/notes", map[string]handler{http.MethodGet: notes.list, http.MethodPost: (*Sim).createNote}),
		rt("service/tickets/{id}/notes/count", map[string]handler{http.MethodGet: notes.count}),
		rt("service/tickets/{id}/notes/{id}", map[string]handler{http.MethodGet: notes.get}),
		// allNotes also holds time-entry notes, which the simulator has none of.
		rt("service/tickets/{id}/allNotes", map[string]handler{http.MethodGet: notes.list}),
	}
}

func agreementRoutes() []route {
	agreements := scope{table: tAgreements}
	additions := scope{table: tAdditions, parent: tAgreements, parentField: "agreementId"}
	return []route{
		rt("finance/agreements", map[string]handler{http.MethodGet: agreements.list, http.MethodPost: (*Sim).createAgreement}),
		rt("finance/agreements/count", map[string]handler{http.MethodGet: agreements.count}),
		rt("finance/agreements/{id}", map[string]handler{http.MethodGet: agreements.get,
			http.MethodPatch: (*Sim).patchAgreement, http.MethodPut: (*Sim).putAgreement}),
		rt("finance/agreements/{id}/additions", map[string]handler{http.MethodGet: additions.list, http.MethodPost: (*Sim).createAddition}),
		rt("finance/agreements/{id}/additions/count", map[string]handler{http.MethodGet: additions.count}),
		rt("finance/agreements/{id}/additions/{id}", map[string]handler{http.MethodGet: additions.get,
			http.MethodPatch: (*Sim).patchAddition, http.MethodPut: (*Sim).putAddition}),
	}
}

// route dispatches an authenticated request by its segments after apis/3.0.
func (s *Sim) route(c *call, segs []string) {
	for _, r := range routes {
		ids, ok := r.match(segs)
		if !ok {
			continue
		}
		h := r.methods[c.r.Method]
		if h == nil {
			methodNotAllowed(c.w)
			return
		}
		c.ids = ids
		h(s, c)
		return
	}
	writeJSON(c.w, http.StatusNotFound, &apiError{Code: codeNotFound, Message: "The requested resource was not found."})
}

func (r route) match(segs []string) ([]int64, bool) {
	if len(segs) != len(r.pattern) {
		return nil, false
	}
	var ids []int64
	for i, p := range r.pattern {
		if p != "{id}" {
			if segs[i] != p {
				return nil, false
			}
			continue
		}
		id, err := strconv.ParseInt(segs[i], 10, 64)
		if err != nil {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// systemInfo answers GET /system/info, the connection test.
func (s *Sim) systemInfo(c *call) {
	writeJSON(c.w, http.StatusOK, map[string]any{
		"version": "v" + apiVersion + ".101010", "isCloud": true, "serverTimeZone": "Eastern Standard Time",
		"licenseBits": []any{map[string]any{"name": "CustomerService", "activeFlag": true}}, "cloudRegion": "NA",
	})
}
