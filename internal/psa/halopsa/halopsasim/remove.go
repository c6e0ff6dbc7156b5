package halopsasim

import "slices"

// DeleteTicket removes a ticket with its actions without a request, as a
// person does in Halo's own screens, so tests can show what a ticket gone
// from under an integration does. It reports false for an unknown ticket.
func (s *Sim) DeleteTicket(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.tickets, func(t *ticket) bool { return t.ID == id })
	if i < 0 {
		return false
	}
	s.tickets = slices.Delete(s.tickets, i, i+1)
	return true
}
