package syncrosim

// DeleteTicket deletes a ticket without a request, as a person does in
// Syncro's own screens (the same soft delete as DELETE /tickets/{id}), so
// tests can show what a ticket gone from under an integration does. It
// reports false for an unknown ticket.
func (s *Sim) DeleteTicket(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.t.ticket(id)
	if t == nil {
		return false
	}
	t.Deleted = true
	return true
}

// RenameTicketType renames a ticket type (the queue tickets go to), as
// an admin does in Syncro's own screens, so tests can show settings
// drifting from the PSA. It reports false when no type is called from.
func (s *Sim) RenameTicketType(from, to string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.t.ticketTypes {
		if s.t.ticketTypes[i].Name == from {
			s.t.ticketTypes[i].Name = to
			return true
		}
	}
	return false
}
