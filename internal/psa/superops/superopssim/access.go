package superopssim

// Users returns the seed tenant's MSP users: the integration's API user
// (an admin), a technician and a read-only user, in that order.
func (s *Sim) Users() []Technician {
	return s.usersOf(SeedSubdomain)
}

// OtherTenantUsers returns the users of the second tenant.
func (s *Sim) OtherTenantUsers() []Technician {
	return s.usersOf(OtherSubdomain)
}

func (s *Sim) usersOf(sub string) []Technician {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Technician
	for _, u := range s.tenants[sub].technicians {
		out = append(out, *u)
	}
	return out
}

// Snapshot returns a copy of the seed tenant's tickets, oldest first,
// read directly rather than through the API and its limit.
func (s *Sim) Snapshot() []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Ticket
	for _, tk := range s.tenants[SeedSubdomain].tickets {
		c := *tk
		c.CustomFields = copyMap(tk.CustomFields)
		c.Notes = nil
		for _, n := range tk.Notes {
			c.Notes = append(c.Notes, &Note{ID: n.ID, Content: n.Content, Privacy: n.Privacy, AddedBy: n.AddedBy, AddedOn: n.AddedOn})
		}
		c.Conversations = nil
		for _, cv := range tk.Conversations {
			cc := *cv
			c.Conversations = append(c.Conversations, &cc)
		}
		out = append(out, c)
	}
	return out
}

// RefColumn is the column of the seed tenant's external reference field.
func (s *Sim) RefColumn() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.tenants[SeedSubdomain].customFields {
		if f.Label == RefFieldLabel {
			return f.Column
		}
	}
	return ""
}

// ContractChanges returns the quantity changes of the seed tenant's
// contract called name.
func (s *Sim) ContractChanges(name string) []QuantityChange {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []QuantityChange
	for _, k := range s.tenants[SeedSubdomain].contracts {
		if k.Name == name {
			for _, c := range k.Changes {
				out = append(out, QuantityChange(c))
			}
		}
	}
	return out
}

// QuantityChange is one billable quantity change of a contract.
type QuantityChange struct {
	ID, Effective, Quantity, Operation string
}

// Close stops nothing: the simulator owns no goroutines (SuperOps calls
// nobody back).
func (s *Sim) Close() {}
