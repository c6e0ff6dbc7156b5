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
