package autotasksim

// DeleteTicket removes a ticket and its notes as a person with the right
// to do so does in Autotask's own screens (the REST API cannot delete
// tickets), so tests can show what a ticket gone from under an
// integration does. It reports false for an unknown ticket.
func (s *Sim) DeleteTicket(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	tickets, notes := s.entities["tickets"], s.entities["ticketnotes"]
	if _, ok := tickets.rows[id]; !ok {
		return false
	}
	delete(tickets.rows, id)
	for nid, r := range notes.rows {
		if asInt(r["ticketID"]) == id {
			delete(notes.rows, nid)
		}
	}
	return true
}
