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

// RenameTeam renames a team (the queue tickets go to), as an admin does
// in Halo's own screens, so tests can show settings drifting from the
// PSA. It reports false when no team is called from.
func (s *Sim) RenameTeam(from, to string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.teams {
		if s.teams[i].Name == from {
			s.teams[i].Name = to
			return true
		}
	}
	return false
}
