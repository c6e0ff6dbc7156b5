package halopsasim

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// validTicket checks a staged ticket's references the way Halo refuses
// them, and fills the names that follow from ids. Callers hold mu.
func (s *Sim) validTicket(t *ticket, rc record, create bool) error {
	if strings.TrimSpace(t.Summary) == "" {
		return badf("Please enter a Summary")
	}
	if !slices.ContainsFunc(s.types, func(x ticketType) bool { return x.ID == t.TicketTypeID && !x.Inactive }) {
		return badf("Ticket Type %d is not valid", t.TicketTypeID)
	}
	if !slices.ContainsFunc(s.statuses, func(x status) bool { return x.ID == t.StatusID }) {
		return badf("Status %d is not valid", t.StatusID)
	}
	if !slices.ContainsFunc(s.prios, func(x priority) bool { return x.PriorityID == t.PriorityID }) {
		return badf("Priority %d is not valid", t.PriorityID)
	}
	if err := s.validParties(t); err != nil {
		return err
	}
	if t.Team != "" && !slices.ContainsFunc(s.teams, func(x team) bool { return strings.EqualFold(x.Name, t.Team) && !x.Inactive }) {
		return badf("Team '%s' is not valid", t.Team)
	}
	for typ, v := range map[int]string{1: t.Category1, 2: t.Category2} {
		if v != "" && !slices.ContainsFunc(s.cats, func(x category) bool { return x.TypeID == typ && strings.EqualFold(x.Value, v) }) {
			return badf("Category %d '%s' is not valid", typ, v)
		}
	}
	if t.AgentID != 0 && !slices.ContainsFunc(s.agents, func(x agent) bool { return x.ID == t.AgentID }) {
		return badf("Agent %d is not valid", t.AgentID)
	}
	if t.ContractID != 0 && !slices.ContainsFunc(s.contracts, func(k contract) bool { return k.ID == t.ContractID && k.ClientID == t.ClientID }) {
		return badf("Contract %d is not valid for this Client", t.ContractID)
	}
	if create {
		for _, f := range s.opt.Mandatory[t.TicketTypeID] {
			if !rc.has(f) {
				return badf("The field '%s' is mandatory for this Ticket Type", f)
			}
		}
	}
	return nil
}

// validParties checks client, site and user and fills their names.
func (s *Sim) validParties(t *ticket) error {
	c := s.client(t.ClientID)
	if c == nil {
		if t.ClientID == 0 {
			return badf("Please select a Client")
		}
		return badf("Client %d is not valid", t.ClientID)
	}
	t.ClientName = c.Name
	if t.SiteID == 0 {
		t.SiteID = c.MainSiteID
	}
	if !slices.ContainsFunc(s.sites, func(x site) bool { return x.ID == t.SiteID && x.ClientID == c.ID }) {
		return badf("Site %d is not valid for Client %d", t.SiteID, c.ID)
	}
	t.UserName, t.UserEmail = "", ""
	if t.UserID == 0 {
		return nil
	}
	i := slices.IndexFunc(s.users, func(u user) bool { return u.ID == t.UserID })
	if i < 0 || s.users[i].ClientID != c.ID {
		return badf("User %d is not valid for Client %d", t.UserID, c.ID)
	}
	t.UserName, t.UserEmail = s.users[i].Name, s.users[i].Email
	return nil
}

// saveTicket stores a staged ticket, bumps its times, logs a status
// change as a system action and calls out. Callers hold mu.
func (s *Sim) saveTicket(t ticket, c *caller, now time.Time) *ticket {
	t.LastUpdate, t.LastActionDate = haloTime(now), haloTime(now)
	if t.ID == 0 {
		t.ID = s.id("ticket")
		t.DateCreated = haloTime(now)
		if time.Time(t.DateOccurred).IsZero() {
			t.DateOccurred = haloTime(now)
		}
		stored := &t
		s.tickets = append(s.tickets, stored)
		s.hooks.fire(EventNewTicket, stored)
		return stored
	}
	old := s.ticket(t.ID)
	if old.StatusID != t.StatusID && !s.opt.NoStatusActions {
		t.actions = append(t.actions, &action{
			ID: len(t.actions) + 1, TicketID: t.ID, OutcomeID: 4, Outcome: "Status Change", HiddenFromUser: true,
			Note:       fmt.Sprintf("Status changed from %s to %s", s.statusName(old.StatusID), s.statusName(t.StatusID)),
			WhoAgentID: c.agent, Who: s.agentName(c.agent), DateTime: haloTime(now), NewStatus: t.StatusID, system: true,
		})
	}
	*old = t
	s.hooks.fire(EventTicketUpdated, old)
	return old
}

func (s *Sim) statusName(id int) string {
	for _, st := range s.statuses {
		if st.ID == id {
			return st.Name
		}
	}
	return strconv.Itoa(id)
}

func (s *Sim) agentName(id int) string {
	for _, a := range s.agents {
		if a.ID == id {
			return a.Name
		}
	}
	return ""
}

// deleteTicket removes a ticket.
func (s *Sim) deleteTicket(w http.ResponseWriter, _ *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := strconv.Atoi(id)
	i := slices.IndexFunc(s.tickets, func(t *ticket) bool { return t.ID == n })
	if i < 0 {
		s.notFound(w, "Ticket", id)
		return
	}
	s.tickets = slices.Delete(s.tickets, i, i+1)
	w.WriteHeader(http.StatusOK)
}
