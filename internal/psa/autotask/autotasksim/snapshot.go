package autotasksim

import "fmt"

// Ticket is a stored ticket with its notes, as an audit reads it: straight
// from the simulator's rows, without the API's paging or request budget.
type Ticket struct {
	ID          int64
	Number      string
	CompanyID   int64
	Title       string
	Status      int64
	Complete    bool
	ExternalID  string
	Description string
	Notes       []Note
}

// Note is a stored ticket note.
type Note struct {
	ID          int64
	Description string
}

// Snapshot returns every ticket with its notes, both in id order.
func (s *Sim) Snapshot() []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	tickets, notes := s.entities["tickets"], s.entities["ticketnotes"]
	byTicket := map[int64][]Note{}
	for _, id := range notes.sortedIDs() {
		r := notes.rows[id]
		t := asInt(r["ticketID"])
		byTicket[t] = append(byTicket[t], Note{ID: id, Description: text(r["description"])})
	}
	out := make([]Ticket, 0, len(tickets.rows))
	for _, id := range tickets.sortedIDs() {
		r := tickets.rows[id]
		out = append(out, Ticket{
			ID: id, Number: text(r["ticketNumber"]), CompanyID: asInt(r["companyID"]), Title: text(r["title"]),
			Status: asInt(r["status"]), Complete: asInt(r["status"]) == statusComplete,
			ExternalID: text(r["externalID"]), Description: text(r["description"]), Notes: byTicket[id],
		})
	}
	return out
}

func text(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
