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

// RenameQueue renames a ticket queue (a picklist value of Tickets'
// queueID), as an admin does in Autotask's own screens, so tests can
// show settings drifting from the PSA. It reports false when no queue is
// called from.
func (s *Sim) RenameQueue(from, to string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entities["tickets"]
	for i := range e.fields {
		if e.fields[i].Name != "queueID" {
			continue
		}
		for j := range e.fields[i].PicklistValues {
			if v := &e.fields[i].PicklistValues[j]; v.Label == from {
				v.Label = to
				return true
			}
		}
	}
	return false
}
