package connectwisesim

import "fmt"

// Ticket is a stored service ticket with its notes, as an audit reads it:
// straight from the simulator's rows, without the API's paging or limits.
type Ticket struct {
	ID           int64
	Summary      string
	CompanyID    int64
	BoardID      int64
	StatusID     int64
	Closed       bool
	ExternalXRef string
	// Notes are every note in id order; the first is the ticket's initial
	// description when it was created with one.
	Notes []Note
}

// Note is a stored ticket note.
type Note struct {
	ID   int64
	Text string
}

// Snapshot returns every ticket with its notes, both in id order.
func (s *Sim) Snapshot() []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	byTicket := map[int64][]Note{}
	for _, n := range s.tables[tNotes].sorted() {
		t := asInt(n["ticketId"])
		byTicket[t] = append(byTicket[t], Note{ID: asInt(n["id"]), Text: str(n["text"])})
	}
	rows := s.tables[tTickets].sorted()
	out := make([]Ticket, 0, len(rows))
	for _, t := range rows {
		id := asInt(t["id"])
		out = append(out, Ticket{
			ID: id, Summary: str(t["summary"]), CompanyID: refID(t["company"]), BoardID: refID(t["board"]),
			StatusID: refID(t["status"]), Closed: t["closedFlag"] == true, ExternalXRef: str(t["externalXRef"]),
			Notes: byTicket[id],
		})
	}
	return out
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
