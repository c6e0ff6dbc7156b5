package halopsasim

import "time"

// Ticket is a ticket as the simulator holds it, for audits.
type Ticket struct {
	ID                int
	ClientID          int
	Summary           string
	Details           string
	StatusID          int
	TicketTypeID      int
	PriorityID        int
	Team              string
	SupplierReference string
	LastUpdate        time.Time
	Actions           []Action
}

// Action is a ticket action as the simulator holds it.
type Action struct {
	ID             int
	OutcomeID      int
	Note           string
	HiddenFromUser bool
	WhoAgentID     int
	System         bool
	NewStatus      int
}

// Closed reports whether the ticket has Halo's Closed status.
func (t Ticket) Closed() bool { return t.StatusID == ClosedStatusID }

// Snapshot returns every ticket with its actions, read directly rather
// than through the API and its limits.
func (s *Sim) Snapshot() []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ticket, 0, len(s.tickets))
	for _, t := range s.tickets {
		st := Ticket{
			ID: t.ID, ClientID: t.ClientID, Summary: t.Summary, Details: t.Details, StatusID: t.StatusID,
			TicketTypeID: t.TicketTypeID, PriorityID: t.PriorityID, Team: t.Team,
			SupplierReference: t.SupplierReference, LastUpdate: time.Time(t.LastUpdate),
		}
		for _, a := range t.actions {
			st.Actions = append(st.Actions, Action{ID: a.ID, OutcomeID: a.OutcomeID, Note: a.Note,
				HiddenFromUser: a.HiddenFromUser, WhoAgentID: a.WhoAgentID, System: a.system, NewStatus: a.NewStatus})
		}
		out = append(out, st)
	}
	return out
}
