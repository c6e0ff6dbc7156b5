package halopsasim

import "time"

// Seed credentials: fixed, so that a simulator in another process holds
// the same tenant (the crash test compares banners).
const (
	IntegrationClientID     = "ticketbridge-halo-client"
	IntegrationClientSecret = "halo-sim-secret-5c1e2d"
	TechnicianClientID      = "halo-technician-client"
	TechnicianClientSecret  = "halo-sim-tech-secret-77ab"
	ReadOnlyClientID        = "halo-readonly-client"
	ReadOnlyClientSecret    = "halo-sim-readonly-secret-19fe"
)

// Seed agent ids: the integration's API agent and a technician.
const (
	APIAgentID        = 1
	TechnicianAgentID = 2
)

// seed fills the tenant with the demo's story: the companies, contacts,
// picklists, a contract of Acme Corp and a recurring item.
func (s *Sim) seed() {
	s.apps = []App{
		{ClientID: IntegrationClientID, ClientSecret: IntegrationClientSecret, AgentID: APIAgentID, Scopes: []string{"all"}},
		{ClientID: TechnicianClientID, ClientSecret: TechnicianClientSecret, AgentID: TechnicianAgentID, Scopes: []string{"all"}},
		{ClientID: ReadOnlyClientID, ClientSecret: ReadOnlyClientSecret, AgentID: TechnicianAgentID, Scopes: []string{"read:tickets", "read:customers"}},
	}
	s.agents = []agent{
		{ID: APIAgentID, Name: "ticketbridge API", Email: "ticketbridge@msp.example", IsAPI: true},
		{ID: TechnicianAgentID, Name: "Tina Technician", Email: "tina@msp.example"},
	}
	s.tops = []topLevel{{ID: 1, Name: "Customers"}, {ID: 2, Name: "Prospects"}}
	for _, c := range []struct {
		name string
		top  int
	}{{"Default Account", 1}, {"Acme Corp", 1}, {"Globex Corporation", 1}, {"Initech", 1}, {"Umbrella Prospect", 2}} {
		s.addClient(c.name, c.top)
	}
	s.addUser(1, "Default", "Contact", "default.contact@msp.example", false)
	s.addUser(2, "Jane", "Doe", "jane@acme.example", false)
	s.addUser(2, "Acme", "Helpdesk", "helpdesk@acme.example", false)
	s.addUser(2, "Former", "Employee", "former@acme.example", true)
	s.addUser(3, "Hank", "Scorpio", "hank@globex.example", false)
	s.addUser(4, "Bill", "Lumbergh", "bill@initech.example", false)
	s.statuses = []status{
		{ID: 1, Name: "New", ShortName: "New", Type: 0, Sequence: 1},
		{ID: 2, Name: "In Progress", ShortName: "InProg", Type: 0, Sequence: 2},
		{ID: 3, Name: "Action Required", ShortName: "ActReq", Type: 0, Sequence: 3},
		{ID: 4, Name: "Waiting on User", ShortName: "Waiting", Type: 1, Sequence: 4},
		{ID: 8, Name: "Resolved", ShortName: "Resolved", Type: 0, Sequence: 8},
		{ID: ClosedStatusID, Name: "Closed", ShortName: "Closed", Type: 0, Sequence: 9},
	}
	s.types = []ticketType{
		{ID: 1, Name: "Incident", Use: "ticket"},
		{ID: 3, Name: "Service Request", Use: "ticket"},
		{ID: 21, Name: "Security Alert", Use: "ticket"},
		{ID: 22, Name: "Legacy Alert", Use: "ticket", Inactive: true},
	}
	s.prios = []priority{
		{PriorityID: 1, SLAID: 1, Name: "Critical"}, {PriorityID: 2, SLAID: 1, Name: "High"},
		{PriorityID: 3, SLAID: 1, Name: "Medium"}, {PriorityID: 4, SLAID: 1, Name: "Low"},
	}
	s.outcomes = []outcome{
		{ID: 1, Outcome: "Private Note", ButtonName: "Private Note", HideFromUser: true},
		{ID: 2, Outcome: "Email User", ButtonName: "Email User"},
		{ID: 3, Outcome: "Security Alert Update", ButtonName: "Alert Update"},
		{ID: 4, Outcome: "Status Change", ButtonName: "Status Change", system: true},
	}
	s.teams = []team{{ID: 1, Name: "Service Desk"}, {ID: 2, Name: "Security"}, {ID: 3, Name: "SOC Escalations"}, {ID: 4, Name: "Old Team", Inactive: true}}
	// Category 1 classifies broadly; category 2 holds issue types with
	// their sub-issues as Halo writes a subcategory: "Parent>Child".
	for i, v := range []string{"Security", "Hardware", "Software"} {
		s.cats = append(s.cats, category{ID: i + 1, Value: v, TypeID: 1})
	}
	for _, v := range []string{"Security Incident", "Security Incident>Other", "Data Loss", "Data Loss>Excessive Download",
		"Data Loss>Excessive Upload", "Account Security", "Account Security>Suspicious Sign-in", "Malware", "Malware>Ransomware",
		"Vulnerability", "Vulnerability>Discovered Asset"} {
		s.cats = append(s.cats, category{ID: len(s.cats) + 1, Value: v, TypeID: 2})
	}
	now := s.now().UTC()
	s.contracts = []contract{
		{ID: 1, ClientID: 2, ClientName: "Acme Corp", Ref: "Acme Managed Security", Active: true,
			StartDate: haloTime(now.AddDate(-1, 0, 0).Truncate(24 * time.Hour)), EndDate: haloTime(now.AddDate(2, 0, 0).Truncate(24 * time.Hour))},
		{ID: 2, ClientID: 2, ClientName: "Acme Corp", Ref: "Acme 2019 Support", Expired: true,
			StartDate: haloTime(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)), EndDate: haloTime(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))},
		// Globex's contract has no recurring invoice yet.
		{ID: 3, ClientID: 3, ClientName: "Globex Corporation", Ref: "Globex Monitoring", Active: true,
			StartDate: haloTime(now.AddDate(-1, 0, 0).Truncate(24 * time.Hour)), EndDate: haloTime(now.AddDate(1, 0, 0).Truncate(24 * time.Hour))},
	}
	s.items = []item{
		{ID: 1, Name: "Vision One Protected User", BasePrice: 4, CostPrice: 1.5, RecurringPrice: 4, RecurringCost: 1.5, IsRecurring: true},
		{ID: 2, Name: "Onsite Hour", BasePrice: 120, CostPrice: 60},
		{ID: 3, Name: "Managed Security Base Fee", BasePrice: 250, CostPrice: 100, RecurringPrice: 250, RecurringCost: 100, IsRecurring: true},
	}
	s.seedInvoices(now)
}

func (s *Sim) addClient(name string, top int) {
	id := s.id("client")
	sid := s.id("site")
	topName := ""
	for _, t := range s.tops {
		if t.ID == top {
			topName = t.Name
		}
	}
	s.clients = append(s.clients, client{ID: id, Name: name, TopLevelID: top, TopLevelName: topName, MainSiteID: sid})
	s.sites = append(s.sites, site{ID: sid, Name: "Main", ClientID: id, ClientName: name})
}

func (s *Sim) addUser(clientID int, first, last, email string, inactive bool) {
	c := s.client(clientID)
	s.users = append(s.users, user{
		ID: s.id("user"), Name: first + " " + last, FirstName: first, Surname: last, Email: email,
		SiteID: c.MainSiteID, SiteName: "Main", ClientID: c.ID, ClientName: c.Name, Inactive: inactive,
	})
}

// client returns the client with id, or nil. Callers hold mu.
func (s *Sim) client(id int) *client {
	for i := range s.clients {
		if s.clients[i].ID == id {
			return &s.clients[i]
		}
	}
	return nil
}
