package syncrosim

import (
	"slices"
	"time"
)

// Snapshot returns a copy of every ticket, deleted ones left out, read
// directly rather than through the API and its limit.
func (s *Sim) Snapshot() []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ticket, 0, len(s.t.tickets))
	for _, t := range s.t.tickets {
		if t.Deleted {
			continue
		}
		c := *t
		c.Comments = slices.Clone(t.Comments)
		c.Properties = clone(t.Properties)
		out = append(out, c)
	}
	return out
}

// CustomerReply simulates the customer answering the ticket by email: a
// public comment by the contact, the customer_reply flag and the status
// Customer Reply. It reports false for an unknown ticket.
func (s *Sim) CustomerReply(ticketID int64, text string) bool {
	now := stamp(s.opt.Now())
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.t.ticket(ticketID)
	if t == nil {
		return false
	}
	name := "Customer"
	if c, ok := s.t.contact(t.ContactID); ok {
		name = c.Name
	}
	t.Comments = append(t.Comments, Comment{ID: s.t.nextComment, TicketID: t.ID, Subject: "Customer Reply", Body: text,
		Tech: name, CreatedAt: now, UpdatedAt: now})
	s.t.nextComment++
	before := t.Status
	t.Status, t.CustomerReply, t.UpdatedAt = "Customer Reply", true, now
	s.statusChanged(t, before, now)
	return true
}

// Now is the simulator's clock.
func (s *Sim) Now() time.Time { return s.opt.Now() }
