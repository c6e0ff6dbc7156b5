package superopssim

import "slices"

// DeleteTicket removes a ticket of the seed tenant without a request, as
// a person does in SuperOps' own screens, so tests can show what a
// ticket gone from under an integration does. It reports false for an
// unknown ticket.
func (s *Sim) DeleteTicket(ticketID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenants[SeedSubdomain]
	if t.byID[ticketID] == nil {
		return false
	}
	delete(t.byID, ticketID)
	t.tickets = slices.DeleteFunc(t.tickets, func(tk *Ticket) bool { return tk.ID == ticketID })
	return true
}

// RenameGroup renames a technician group of the seed tenant (the queue
// tickets go to), as an admin does in SuperOps' own screens, so tests can
// show settings drifting from the PSA. It reports false when no group is
// called from.
func (s *Sim) RenameGroup(from, to string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenants[SeedSubdomain]
	for i := range t.groups {
		if t.groups[i].Name == from {
			t.groups[i].Name = to
			return true
		}
	}
	return false
}
