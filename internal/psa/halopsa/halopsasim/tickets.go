package halopsasim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// getTickets lists tickets (max 100 a page) or reads one.
func (s *Sim) getTickets(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != "" {
		n, _ := strconv.Atoi(id)
		t := s.ticket(n)
		if t == nil {
			s.notFound(w, "Ticket", id)
			return
		}
		writeJSON(w, http.StatusOK, t)
		return
	}
	l := query(r)
	f := newTicketFilter(l)
	var out []ticket
	for _, t := range s.tickets {
		if s.listed(f, t) {
			out = append(out, *t)
		}
	}
	sortBy(l, out, map[string]func(a, b ticket) int{
		"lastactiondate": func(a, b ticket) int { return time.Time(a.LastActionDate).Compare(time.Time(b.LastActionDate)) },
		"last_update":    func(a, b ticket) int { return time.Time(a.LastUpdate).Compare(time.Time(b.LastUpdate)) },
		"datecreated":    func(a, b ticket) int { return time.Time(a.DateCreated).Compare(time.Time(b.DateCreated)) },
	}, func(a, b ticket) int { return a.ID - b.ID })
	writeList(w, l, "tickets", out, MaxPageSize)
}

// ticketFilter is the ticket list's filters, read once per request.
type ticketFilter struct {
	l       listQuery
	ids     map[int]bool
	types   []int
	numbers []struct {
		key string
		get func(t *ticket) int
		v   int
	}
}

func newTicketFilter(l listQuery) ticketFilter {
	f := ticketFilter{l: l, types: l.ids("requesttype")}
	if ids := l.ids("ticketids"); len(ids) > 0 {
		f.ids = map[int]bool{}
		for _, id := range ids {
			f.ids[id] = true
		}
	}
	for key, get := range map[string]func(t *ticket) int{
		"client_id": func(t *ticket) int { return t.ClientID }, "user_id": func(t *ticket) int { return t.UserID },
		"status_id": func(t *ticket) int { return t.StatusID }, "site_id": func(t *ticket) int { return t.SiteID },
		"agent_id": func(t *ticket) int { return t.AgentID },
	} {
		if v, ok := l.num(key); ok {
			f.numbers = append(f.numbers, struct {
				key string
				get func(t *ticket) int
				v   int
			}{key, get, v})
		}
	}
	return f
}

// listed applies the ticket list's filters. Callers hold mu.
func (s *Sim) listed(f ticketFilter, t *ticket) bool {
	l := f.l
	closed := t.StatusID == ClosedStatusID
	if f.ids != nil && !f.ids[t.ID] {
		return false
	}
	for _, n := range f.numbers {
		if n.get(t) != n.v {
			return false
		}
	}
	if len(f.types) > 0 && !slices.Contains(f.types, t.TicketTypeID) {
		return false
	}
	switch {
	case l.flag("open_only") && closed, l.flag("closed_only") && !closed:
		return false
	case s.opt.OpenOnlyByDefault && closed && !l.flag("closed_only") && !strings.EqualFold(l.str("includeclosed"), "true"):
		return false
	}
	if q := l.str("search"); q != "" && !contains(t.Summary, q) && !contains(t.Details, q) && strconv.Itoa(t.ID) != q {
		return false
	}
	if q := l.str("search_supplier_reference"); q != "" && !contains(t.SupplierReference, q) {
		return false
	}
	return s.inDates(l, t)
}

// inDates applies datesearch with startdate and enddate.
func (s *Sim) inDates(l listQuery, t *ticket) bool {
	field := strings.ToLower(l.str("datesearch"))
	if field == "" {
		return true
	}
	at := map[string]haloTime{
		"lastactiondate": t.LastActionDate, "last_update": t.LastUpdate, "lastupdate": t.LastUpdate,
		"dateoccured": t.DateOccurred, "dateoccurred": t.DateOccurred, "datecreated": t.DateCreated,
	}[field]
	if start, ok := parseTime(l.str("startdate")); ok && time.Time(at).Before(start) {
		return false
	}
	if end, ok := parseTime(l.str("enddate")); ok && time.Time(at).After(end) {
		return false
	}
	return true
}

// ticket returns the ticket with id, or nil. Callers hold mu.
func (s *Sim) ticket(id int) *ticket {
	i, ok := slices.BinarySearchFunc(s.tickets, id, func(t *ticket, id int) int { return t.ID - id })
	if !ok {
		return nil
	}
	return s.tickets[i]
}

// postTickets creates and updates tickets; every element is checked
// before any is saved.
func (s *Sim) postTickets(w http.ResponseWriter, r *http.Request, c *caller) {
	recs, err := readArray(r)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	staged := make([]ticket, len(recs))
	for i, rc := range recs {
		t, code, err := s.stageTicket(rc)
		if err != nil {
			s.fail(w, code, err.Error())
			return
		}
		staged[i] = t
	}
	now := s.stamp()
	saved := make([]ticket, len(staged))
	for i, t := range staged {
		saved[i] = *s.saveTicket(t, c, now)
	}
	answerSaved(w, saved)
}

// stageTicket applies a record to a copy of its ticket (a new one
// without id) and validates the result. Callers hold mu.
func (s *Sim) stageTicket(rc record) (ticket, int, error) {
	id, hasID, err := rc.int("id")
	if err != nil {
		return ticket{}, http.StatusBadRequest, err
	}
	var t ticket
	if hasID && id > 0 {
		old := s.ticket(id)
		if old == nil {
			return ticket{}, http.StatusNotFound, badf("Ticket %d not found", id)
		}
		t = *old
	} else {
		t = ticket{TicketTypeID: 1, StatusID: 1, PriorityID: 3}
	}
	if err := s.applyTicket(&t, rc); err != nil {
		return ticket{}, http.StatusBadRequest, err
	}
	if err := s.validTicket(&t, rc, t.ID == 0); err != nil {
		return ticket{}, http.StatusBadRequest, err
	}
	return t, 0, nil
}

// applyTicket copies the record's fields onto t.
func (s *Sim) applyTicket(t *ticket, rc record) error {
	ints := map[string]*int{
		"tickettype_id": &t.TicketTypeID, "client_id": &t.ClientID, "site_id": &t.SiteID, "user_id": &t.UserID,
		"status_id": &t.StatusID, "priority_id": &t.PriorityID, "agent_id": &t.AgentID, "contract_id": &t.ContractID,
	}
	for key, dst := range ints {
		v, ok, err := rc.int(key)
		if err != nil {
			return err
		}
		if ok {
			*dst = v
		}
	}
	strs := map[string]*string{
		"summary": &t.Summary, "details": &t.Details, "team": &t.Team, "category_1": &t.Category1, "category_2": &t.Category2,
		"supplier_reference": &t.SupplierReference, "third_party_id_string": &t.ThirdPartyIDString,
	}
	for key, dst := range strs {
		v, ok, err := rc.str(key)
		if err != nil {
			return err
		}
		if ok {
			*dst = v
		}
	}
	for key, dst := range map[string]*haloTime{"dateoccurred": &t.DateOccurred, "deadlinedate": &t.DeadlineDate} {
		v, ok, err := rc.str(key)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		at, good := parseTime(v)
		if !good {
			return badf("Error converting value \"%s\" to type 'System.DateTime'. Path '%s'", v, key)
		}
		*dst = haloTime(at)
	}
	return nil
}
