package servicenowsim

import "net/http"

// Ticket is a ticket record with its journal, read directly for audits.
type Ticket struct {
	SysID, Number, Company, ShortDescription, Description, State, CorrelationID string
	// Closed is true in a resolved, closed or canceled state.
	Closed  bool
	Journal []Journal
}

// Journal is one sys_journal_field entry.
type Journal struct {
	SysID, Element, Value, CreatedBy string
}

// Tickets returns the records of a ticket table with their journals.
func (s *Sim) Tickets(table string) []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	company := "company"
	if table == TableCase {
		company = "account"
	}
	byTicket := map[string][]Journal{}
	for _, j := range s.tables["sys_journal_field"].rows {
		byTicket[j["element_id"]] = append(byTicket[j["element_id"]], Journal{SysID: j["sys_id"], Element: j["element"], Value: j["value"], CreatedBy: j["sys_created_by"]})
	}
	var out []Ticket
	for _, r := range s.tables[table].rows {
		st := r["state"]
		out = append(out, Ticket{SysID: r["sys_id"], Number: r["number"], Company: r[company], ShortDescription: r["short_description"],
			Description: r["description"], State: st, CorrelationID: r["correlation_id"],
			Closed: isIn(st, resolveStates[table]) || isIn(st, closedStates[table]), Journal: byTicket[r["sys_id"]]})
	}
	return out
}

// Who returns the user_name a request authenticates as, "" for none. It
// neither counts against a rate limit nor consumes anything.
func (s *Sim) Who(r *http.Request) string {
	u, ok := s.authenticate(r)
	if !ok {
		return ""
	}
	return u.UserName
}
