package connectwise

import (
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// Profile is what settings know of ConnectWise PSA. Boards stand for the
// queue; a board's types and subtypes for issue and sub-issue type.
var Profile = integration.Profile{
	Name:  "connectwise",
	Title: "ConnectWise",
	// ConnectWise publishes no rate limit; 60 a minute is the one figure
	// in circulation, so it is the default budget.
	RequestsPerHour: DefaultRequestsPerHour,
	MaxConcurrent:   DefaultMaxConcurrent,
	Connection: []integration.ConnectionKey{
		{Path: "connection.company", Required: true, Hint: "set the company id you log in with"},
		{Path: "connection.public_key", Required: true, Hint: "set the API member's public key"},
		{Path: "connection.private_key", Required: true, Hint: "set env or file to where the API member's private key is"},
		{Path: "connection.client_id", Required: true, Hint: "set env or file to where the integration's clientId (from the ConnectWise developer portal) is"},
		{Path: "connection.member_id", Hint: "the API member's identifier, to tell our own notes and changes from a technician's"},
	},
	// The summary is cut at 100 characters. Notes (the description is the
	// first) have no documented limit: ours keep them readable.
	Limits: integration.Limits{Title: maxSummary, NoteTitle: 250, Description: 8000, Note: 32000},
	// The codebase is discovered at the site, never configured.
	URL: integration.URLRule{Required: true, SiteOnly: true, Example: DefaultSite},
	Unsupported: map[string]string{
		"companies.filter.market_segments": "ConnectWise companies have no market segment: remove companies.filter.market_segments (filter by companies.filter.types)",
		"companies.filter.accounts":        "ConnectWise companies have no parent and child accounts ticketbridge filters by: remove companies.filter.accounts",
		"ticket.category":                  "ConnectWise has no ticket category: remove it (a board's types and subtypes classify tickets: set ticket.issue_type and ticket.sub_issue_type)",
		"ticket.type":                      "ConnectWise has no ticket type apart from the board's types: remove it and set ticket.issue_type to a type of the board",
		"companies.filter.classifications": "ConnectWise has no company classifications: remove them (filter by companies.filter.types)",
	},
	// Notes have no type: the one kind is "Service Note".
	Optional: []string{"notes.type"},
}

// Driver registers ConnectWise PSA.
var Driver = driver.Driver{
	Profile: Profile, Connect: connect, Simulate: simulate,
	Lacks: map[string]string{
		"BareCreator": "ConnectWise answers a create with the whole ticket, so a bare create would save no call",
	},
}

// connect builds the connector. p.Direct changes nothing: the codebase is
// always looked up at the site, which Connection.URL is.
func connect(p driver.Params) (psa.Connector, error) {
	return New(Config{
		Budget:           p.Budget,
		Site:             p.Connection.URL,
		CompanyID:        p.Connection.Company,
		PublicKey:        p.Connection.PublicKey,
		MemberIdentifier: p.Connection.MemberID,
		PrivateKey:       p.Secret(integration.CredPrivateKey),
		ClientID:         p.Secret(integration.CredClientID),
		RequestsPerHour:  p.Connection.RequestsPerHour,
		MaxConcurrent:    p.Connection.MaxConcurrent,
		HTTPClient:       p.HTTPClient,
		Logger:           p.Logger,
		Now:              p.Now,
		Observe:          p.Observe,
		Timeout:          p.Timeout,
		MaxAttempts:      p.MaxAttempts,
		RetryBackoff:     p.RetryBackoff,
	})
}

func simulate(o driver.SimOptions) driver.Simulator {
	return &simulator{Sim: connectwisesim.New(connectwisesim.Options{
		RateLimit: o.RequestLimit, Window: o.Window, Latency: o.Latency, Now: o.Now,
	})}
}
