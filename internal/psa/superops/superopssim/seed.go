package superopssim

import (
	"encoding/base64"
	"time"
)

// The seed tenant's names. SeedSubdomain is the MSP's CustomerSubDomain;
// OtherSubdomain is a second MSP on the same endpoint, to show that data
// is isolated per subdomain.
const (
	SeedSubdomain  = "acmemsp"
	OtherSubdomain = "othermsp"
	// RefFieldLabel is the ticket custom field the seed tenant keeps for
	// ticketbridge's external reference.
	RefFieldLabel = "ticketbridge reference"
)

// token makes an API token in SuperOps' observed shape: "api-" and a
// JWT-like triple. The payload names the user, so tokens differ.
func token(user string) string {
	enc := base64.RawURLEncoding
	return "api-" + enc.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." +
		enc.EncodeToString([]byte(`{"sub":"`+user+`","sim":true}`)) + "." + enc.EncodeToString([]byte("simulated-"+user))
}

// seed builds the story every simulator holds: Default Account, Acme Corp
// (two requesters and a deleted one), Globex Corporation, Initech and
// Umbrella Prospect (stage Prospect), an API user, a technician and a
// read-only user, the Security group and a client contract of Acme Corp.
func seed(g *ids, subdomain string, now time.Time) *tenant {
	t := &tenant{subdomain: subdomain, byID: map[string]*Ticket{}, daySeq: map[string]int{}}
	t.stages = []named{{g.id(), "Customer"}, {g.id(), "Prospect"}, {g.id(), "Partner"}}
	client := func(name, stage, status string, domains ...string) *Client {
		c := &Client{AccountID: g.id(), Name: name, Stage: stage, Status: status, Domains: domains, SiteID: g.id(), SiteName: "HQ"}
		t.clients = append(t.clients, c)
		return c
	}
	def := client("Default Account", "Customer", "Active", "msp.example")
	acme := client("Acme Corp", "Customer", "Active", "acme.example")
	globex := client("Globex Corporation", "Customer", "Active", "globex.example")
	client("Initech", "Customer", "Active", "initech.example")
	client("Umbrella Prospect", "Prospect", "Active", "umbrella.example")
	client("Vandelay Industries", "Customer", "Inactive", "vandelay.example")
	user := func(c *Client, first, last, email string, deleted bool) {
		t.users = append(t.users, &ClientUser{UserID: g.id(), FirstName: first, LastName: last, Email: email, ClientID: c.AccountID, Deleted: deleted})
	}
	user(def, "Default", "Contact", "default.contact@msp.example", false)
	user(acme, "Jane", "Doe", "jane@acme.example", false)
	user(acme, "Acme", "Helpdesk", "helpdesk@acme.example", false)
	user(acme, "Former", "Employee", "former@acme.example", true)
	user(globex, "Hank", "Scorpio", "hank@globex.example", false)

	security, desk := g.id(), g.id()
	t.groups = []named{{security, "Security"}, {desk, "Service Desk"}}
	tech := func(first, last, email string, role Role) {
		t.technicians = append(t.technicians, &Technician{UserID: g.id(), FirstName: first, LastName: last,
			Email: email, Role: role, Token: token(subdomain + "/" + email), GroupIDs: []string{security}})
	}
	tech("ticketbridge", "API", "ticketbridge@"+subdomain+".example", RoleAdmin)
	tech("Tom", "Technician", "tom@"+subdomain+".example", RoleTechnician)
	tech("Rita", "Reader", "rita@"+subdomain+".example", RoleReadOnly)

	for _, s := range []string{"New", "Open", "In Progress", "On Hold", "Waiting on Customer", "Resolved", "Closed"} {
		t.statuses = append(t.statuses, named{g.id(), s})
	}
	for _, p := range []string{"Critical", "High", "Medium", "Low", "Planning"} {
		t.priorities = append(t.priorities, named{g.id(), p})
	}
	cat := func(name string, subs ...string) {
		c := category{named: named{g.id(), name}}
		for _, s := range subs {
			c.Subs = append(c.Subs, named{g.id(), s})
		}
		t.categories = append(t.categories, c)
	}
	cat("Security Incident", "Other", "Malware", "Phishing")
	cat("Data Loss", "Excessive Download", "Excessive Upload", "Other")
	cat("Account Security", "Suspicious Sign-in", "MFA Failure", "Other")
	cat("Malware", "Ransomware", "Trojan")
	cat("Hardware", "Laptop", "Printer")

	t.customFields = []customField{
		{ID: g.id(), Column: "udf1text", Label: "Asset Tag", Type: "TEXT"},
		{ID: g.id(), Column: "udf2text", Label: RefFieldLabel, Type: "TEXT"},
	}
	start := time.Date(now.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	t.contracts = []*contract{
		{ID: g.id(), ClientID: acme.AccountID, Name: "Acme MDR", ChargeItem: "EDR-DEVICE", Status: "ACTIVE", Start: start,
			Changes: []quantityChange{{ID: g.id(), Effective: start.Format("2006-01-02"), Quantity: "10", Operation: "BASELINE"}}},
		{ID: g.id(), ClientID: globex.AccountID, Name: "Globex Managed Services", ChargeItem: "Managed Workstation", Status: "INACTIVE", Start: start},
	}
	return t
}
