package connectwisesim

// DeleteTicket removes a ticket and its notes without a request, as a
// person does in ConnectWise's own screens, so tests can show what a
// ticket gone from under an integration does. It reports false for an
// unknown ticket.
func (s *Sim) DeleteTicket(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tables[tTickets].rows[id]; !ok {
		return false
	}
	delete(s.tables[tTickets].rows, id)
	for nid, n := range s.tables[tNotes].rows {
		if asInt(n["ticketId"]) == id {
			delete(s.tables[tNotes].rows, nid)
		}
	}
	return true
}

// RenameBoard renames a service board (the queue tickets go to), as an
// admin does in ConnectWise's own screens, so tests can show settings
// drifting from the PSA. It reports false when no board is called from.
func (s *Sim) RenameBoard(from, to string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.tables[tBoards].rows {
		if b["name"] == from {
			b["name"] = to
			return true
		}
	}
	return false
}
