package syncrosim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// ticketJSON renders a ticket; detail adds what GET /tickets/{id} and
// the create and update answers carry beyond a list item. Callers hold mu.
func (s *Sim) ticketJSON(t *Ticket, detail bool) map[string]any {
	c, _ := s.t.customer(t.CustomerID)
	m := map[string]any{
		"id": t.ID, "number": t.Number, "subject": t.Subject, "customer_id": t.CustomerID,
		"customer_business_then_name": c.Name(), "problem_type": t.ProblemType, "status": t.Status,
		"priority": t.Priority, "user_id": nullID(t.UserID), "contact_id": nullID(t.ContactID),
		"ticket_type_id": nullID(t.TicketTypeID), "properties": t.Properties, "tag_list": t.TagList,
		"created_at": t.CreatedAt.Format(timeFormat), "updated_at": t.UpdatedAt.Format(timeFormat),
		"due_date": nullStr(t.DueDate), "resolved_at": nil, "customer_reply": t.CustomerReply,
		"billing_status": "Non-Billable", "location_id": nil, "sla_id": nil, "parent_id": nil,
		"contract_id": nil, "contract_name": nil, "pdf_url": nil, "start_at": nil, "end_at": nil,
	}
	if !t.ResolvedAt.IsZero() {
		m["resolved_at"] = t.ResolvedAt.Format(timeFormat)
	}
	if tt, ok := s.t.ticketType(t.TicketTypeID); ok {
		m["ticket_type_name"] = tt.Name
	}
	if ct, ok := s.t.contact(t.ContactID); ok {
		m["contact_fullname"] = ct.Name
	}
	if u, ok := s.t.user(t.UserID); ok {
		m["user"] = map[string]any{"id": u.ID, "email": u.Email, "full_name": u.Name, "admin": u.Admin}
	}
	comments := []map[string]any{}
	for i, cm := range t.Comments {
		if !detail && i > 0 {
			break // list items carry only the first comment
		}
		comments = append(comments, cm.json())
	}
	m["comments"] = comments
	if detail {
		m["customer"] = c.json(nil)
		m["line_items"], m["attachments"], m["ticket_timers"] = []any{}, []any{}, []any{}
	}
	return m
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// listTickets answers GET /tickets, newest first, 50 a page. Filters:
// customer_id, contact_id, number, status (a name or "Not Closed"),
// since_updated_at, created_after, resolved_after, user_id, query.
func (s *Sim) listTickets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var since time.Time
	if v := q.Get("since_updated_at"); v != "" {
		t, ok := parseTime(v)
		if !ok {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"success": false, "message": []string{"since_updated_at is not a valid time"}})
			return
		}
		since = t
	}
	tok := tokenOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*Ticket
	for i := len(s.t.tickets) - 1; i >= 0; i-- {
		t := s.t.tickets[i]
		if !t.Deleted && visible(tok, t.CustomerID) && s.matches(t, q.Get, since) {
			found = append(found, t)
		}
	}
	// Only the page asked for is rendered.
	p := simkit.Page{Number: pageOf(r), Size: s.opt.TicketPageSize, Total: len(found)}
	start, end := p.Bounds()
	out := make([]map[string]any, 0, end-start)
	for _, t := range found[start:end] {
		out = append(out, s.ticketJSON(t, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"tickets": out, "meta": metaOf(p)})
}

// matches applies the list filters. Callers hold mu.
func (s *Sim) matches(t *Ticket, get func(string) string, since time.Time) bool {
	eqID := func(key string, id int64) bool { return get(key) == "" || get(key) == strconv.FormatInt(id, 10) }
	if !eqID("customer_id", t.CustomerID) || !eqID("contact_id", t.ContactID) || !eqID("user_id", t.UserID) || !eqID("number", t.Number) {
		return false
	}
	switch st := get("status"); {
	case st == "Not Closed" && Resolved(t.Status):
		return false
	case st != "" && st != "Not Closed" && !strings.EqualFold(st, t.Status):
		return false
	}
	if !since.IsZero() {
		if t.UpdatedAt.Before(since) || (s.opt.SinceExclusive && t.UpdatedAt.Equal(since)) {
			return false
		}
	}
	if v, ok := parseTime(get("created_after")); ok && t.CreatedAt.Before(v) {
		return false
	}
	if v, ok := parseTime(get("resolved_after")); ok && (t.ResolvedAt.IsZero() || t.ResolvedAt.Before(v)) {
		return false
	}
	return get("query") == "" || s.queryMatches(t, get("query"))
}

// queryMatches is the list's text search: subject and number, and by
// default the custom field values.
func (s *Sim) queryMatches(t *Ticket, query string) bool {
	query = strings.ToLower(query)
	if strings.Contains(strings.ToLower(t.Subject), query) || strconv.FormatInt(t.Number, 10) == query {
		return true
	}
	if s.opt.QueryIgnoresProperties {
		return false
	}
	for _, v := range t.Properties {
		if s, ok := v.(string); ok && strings.Contains(strings.ToLower(s), query) {
			return true
		}
	}
	return false
}

// parseTime reads ISO-8601 with or without fraction and zone, or a date.
func parseTime(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// getTicket answers GET /tickets/{id}, wrapped.
func (s *Sim) getTicket(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.t.ticket(id)
	if t == nil || !visible(tokenOf(r), t.CustomerID) {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ticket": s.ticketJSON(t, true)})
}

// deleteTicket answers DELETE /tickets/{id} with 200 and a message.
func (s *Sim) deleteTicket(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.t.ticket(id)
	if t == nil || !visible(tokenOf(r), t.CustomerID) {
		notFound(w)
		return
	}
	t.Deleted = true
	writeJSON(w, http.StatusOK, map[string]any{"message": "Ticket was successfully deleted. "})
}

// createTicket answers POST /tickets. A missing customer is refused with
// {"error": "Customer required field"}, everything else with
// {"success": false, "message": [...]}; line_items are ignored and the
// first comments_attributes entry becomes comment #1.
func (s *Sim) createTicket(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"success": false, "message": []string{err.Error()}})
		return
	}
	tok := tokenOf(r)
	now := stamp(s.opt.Now())
	s.mu.Lock()
	defer s.mu.Unlock()
	customerID, _, bad := b.id("customer_id")
	if _, ok := s.t.customer(customerID); !ok || bad || !visible(tok, customerID) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "Customer required field"})
		return
	}
	t := &Ticket{CustomerID: customerID, Status: "New", Properties: map[string]any{}, TagList: []string{},
		CreatedAt: now, UpdatedAt: now, CreatedBy: tok.UserID}
	msgs := s.apply(t, b, true)
	comments, cmsgs := s.initialComments(b, tok, now)
	if msgs = append(msgs, cmsgs...); len(msgs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"success": false, "message": msgs, "params": b})
		return
	}
	t.ID, t.Number = s.t.nextTicket, s.t.nextNumber
	s.t.nextTicket++
	s.t.nextNumber++
	if n, ok := b.str("number"); ok && n != "" {
		if v, err := strconv.ParseInt(n, 10, 64); err == nil {
			t.Number = v
		}
	}
	for i := range comments {
		comments[i].ID, comments[i].TicketID = s.t.nextComment, t.ID
		s.t.nextComment++
	}
	t.Comments = comments
	if Resolved(t.Status) {
		t.ResolvedAt = now
	}
	s.t.tickets = append(s.t.tickets, t)
	s.t.byID[t.ID] = t
	s.hooks.send("A Ticket was created", s.ticketJSON(t, false))
	writeJSON(w, http.StatusOK, map[string]any{"ticket": s.ticketJSON(t, true)})
}

// updateTicket answers PUT /tickets/{id}: a partial update.
func (s *Sim) updateTicket(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r)
	b, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"success": false, "message": []string{err.Error()}})
		return
	}
	now := stamp(s.opt.Now())
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.t.ticket(id)
	if t == nil || !visible(tokenOf(r), t.CustomerID) {
		notFound(w)
		return
	}
	next := *t
	next.Properties = clone(t.Properties)
	if msgs := s.apply(&next, b, false); len(msgs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"success": false, "message": msgs, "params": b})
		return
	}
	before := t.Status
	*t = next
	t.UpdatedAt = now
	s.statusChanged(t, before, now)
	writeJSON(w, http.StatusOK, map[string]any{"ticket": s.ticketJSON(t, true)})
}

// statusChanged applies the side effects of a status change: resolved_at
// and the Notification Center events. Callers hold mu.
func (s *Sim) statusChanged(t *Ticket, before string, now time.Time) {
	if t.Status == before {
		return
	}
	switch {
	case Resolved(t.Status):
		t.ResolvedAt = now
		s.hooks.send("A Ticket was resolved", s.ticketJSON(t, false))
	default:
		t.ResolvedAt = time.Time{}
	}
	s.hooks.send("A Ticket status was changed to "+t.Status, s.ticketJSON(t, false))
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// apply sets the body's fields on t and returns the validation messages.
// Callers hold mu.
func (s *Sim) apply(t *Ticket, b body, create bool) []string {
	var msgs []string
	if v, ok := b.str("subject"); ok || create {
		if t.Subject = v; strings.TrimSpace(v) == "" {
			msgs = append(msgs, "Subject can't be blank")
		}
	}
	msgs = append(msgs, s.pick(b, "status", "Status", s.t.statuses, &t.Status)...)
	msgs = append(msgs, s.pick(b, "problem_type", "Problem type", s.t.problems, &t.ProblemType)...)
	msgs = append(msgs, s.pick(b, "priority", "Priority", s.t.priorities, &t.Priority)...)
	if v, ok := b.str("due_date"); ok {
		t.DueDate = v
	}
	if id, ok, bad := b.id("contact_id"); ok {
		c, found := s.t.contact(id)
		if t.ContactID = id; bad || !found || c.CustomerID != t.CustomerID {
			msgs = append(msgs, "Contact is invalid")
		}
	}
	if id, ok, bad := b.id("user_id"); ok {
		if _, found := s.t.user(id); bad || !found {
			msgs = append(msgs, "User is invalid")
		}
		t.UserID = id
	}
	if id, ok, bad := b.id("ticket_type_id"); ok {
		tt, found := s.t.ticketType(id)
		if t.TicketTypeID = id; bad || !found || tt.Disabled {
			msgs = append(msgs, "Ticket type is invalid")
		}
	} else if create && s.opt.RequireTicketType {
		msgs = append(msgs, "Ticket type can't be blank")
	}
	if b.has("properties") {
		var props map[string]any
		if err := jsonObject(b["properties"], &props); err != nil {
			msgs = append(msgs, "Properties is invalid")
		}
		for k, v := range props {
			t.Properties[k] = v
		}
	}
	if b.has("tag_list") {
		var tags []string
		if err := jsonObject(b["tag_list"], &tags); err != nil {
			msgs = append(msgs, "Tag list is invalid")
		}
		t.TagList = tags
	}
	return msgs
}

// pick sets a picklist-valued field, refusing values outside the tenant's
// list unless Lenient.
func (s *Sim) pick(b body, key, name string, list []string, dst *string) []string {
	v, ok := b.str(key)
	if !ok {
		return nil
	}
	*dst = v
	if !s.opt.Lenient && !slices.Contains(list, v) {
		return []string{name + " is not included in the list"}
	}
	return nil
}
