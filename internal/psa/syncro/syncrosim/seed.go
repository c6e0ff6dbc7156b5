package syncrosim

import "time"

// The seed tenant's tokens: the integration's API user, a technician, a
// token without ticket write permission and a Single-Customer User's.
const (
	APIToken         = "T1a2b3c4d5e6f7a8b-ticketbridge"
	TechToken        = "T9f8e7d6c5b4a3f2e-technician"
	ReadOnlyToken    = "T0000readonly00000-reports"
	OneCustomerToken = "T1111onecustomer1-acme-portal"
)

// Seed user ids.
const (
	APIUserID  = 1
	TechUserID = 2
)

// Seed customer ids.
const (
	DefaultAccountID = 101
	AcmeID           = 102
	GlobexID         = 103
	InitechID        = 104
	UmbrellaID       = 105
	DisabledID       = 106
)

// seedTenant is the demo's story in Syncro's terms: four businesses, one
// person-customer (Umbrella Prospect, the only customer that is not a
// business), a disabled customer, Acme's contacts with a deleted former
// one, the stock statuses, problem types and priorities plus the
// security problem types, and ticket types Security and Service Desk.
func seedTenant(now time.Time) tenant {
	at := stamp(now.Add(-90 * 24 * time.Hour))
	biz := func(id int64, name, email string) Customer {
		return Customer{ID: id, BusinessName: name, Email: email, CreatedAt: at, UpdatedAt: at}
	}
	contact := func(id, customer int64, name, email string) Contact {
		return Contact{ID: id, CustomerID: customer, Name: name, Email: email, CreatedAt: at, UpdatedAt: at}
	}
	former := contact(205, AcmeID, "Former Employee", "former@acme.example")
	former.Deleted = true
	disabled := biz(DisabledID, "Closed Shop Ltd", "office@closedshop.example")
	disabled.Disabled = true
	return tenant{
		users: []User{
			{ID: APIUserID, Name: "TicketBridge API", Email: "api@msp.example", Admin: true},
			{ID: TechUserID, Name: "Tess Tech", Email: "tess@msp.example"},
			{ID: 3, Name: "Rita Reports", Email: "rita@msp.example"},
		},
		tokens: []Token{
			{Value: APIToken, UserID: APIUserID, Perms: AllPermissions},
			{Value: TechToken, UserID: TechUserID, Perms: AllPermissions},
			{Value: ReadOnlyToken, UserID: 3, Perms: Permissions{TicketRead: true}},
			{Value: OneCustomerToken, UserID: TechUserID, Perms: AllPermissions, CustomerID: AcmeID},
		},
		customers: []Customer{
			biz(DefaultAccountID, "Default Account", "billing@msp.example"),
			biz(AcmeID, "Acme Corp", "office@acme.example"),
			biz(GlobexID, "Globex Corporation", "office@globex.example"),
			biz(InitechID, "Initech", "office@initech.example"),
			{ID: UmbrellaID, Firstname: "Umbrella", Lastname: "Prospect", Email: "umbrella@prospect.example", CreatedAt: at, UpdatedAt: at},
			disabled,
		},
		contacts: []Contact{
			contact(201, DefaultAccountID, "Default Contact", "default.contact@msp.example"),
			contact(202, AcmeID, "Jane Doe", "jane@acme.example"),
			contact(203, AcmeID, "Acme Helpdesk", "helpdesk@acme.example"),
			contact(204, GlobexID, "Hank Scorpio", "hank@globex.example"),
			former,
			contact(206, InitechID, "Bill Lumbergh", "bill@initech.example"),
		},
		ticketTypes: []TicketType{{ID: 11, Name: "Security"}, {ID: 12, Name: "Service Desk"}, {ID: 13, Name: "Bench Repair", Disabled: true}},
		contracts: []Contract{{ID: 301, CustomerID: AcmeID, Name: "Acme MDR", Status: "Active",
			StartDate: now.AddDate(-1, 0, 0).Format(time.DateOnly), EndDate: now.AddDate(2, 0, 0).Format(time.DateOnly)}},
		products: []Product{{ID: 401, Name: "EDR Device", Description: "Managed EDR, per device per month", PriceRetail: "5.0", PriceCost: "2.0"}},
		statuses: []string{"New", "In Progress", "Resolved", "Invoiced", "Waiting for Parts", "Waiting on Customer", "Scheduled", "Customer Reply"},
		problems: []string{"Virus", "TuneUp", "Hardware", "Software", "Other", "Security Incident", "Data Loss", "Account Security", "Malware"},
		// The empty first entry is how Syncro's settings list "no priority".
		priorities: []string{"", "0 Urgent", "1 High", "2 Normal", "3 Low"},
		byID:       map[int64]*Ticket{}, nextTicket: 5001, nextContact: 301, nextContract: 401, nextNumber: 1001, nextComment: 9001,
	}
}
