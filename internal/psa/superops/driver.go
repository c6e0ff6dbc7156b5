package superops

import (
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/superops/superopssim"
)

// Profile is what settings know of SuperOps. Categories and their
// subcategories stand for issue and sub-issue types, technician groups
// for the queue, client stages for company types.
var Profile = integration.Profile{
	Name:  "superops",
	Title: "SuperOps",
	// 800 per window: SuperOps' own 800 a minute with budget_window: 1m,
	// and never over it with the default hour.
	RequestsPerHour: DefaultRequestsPerHour,
	MaxConcurrent:   DefaultMaxConcurrent,
	Published:       integration.Rate{Requests: 800, Window: time.Minute, Scope: "per API token"},
	Connection: []integration.ConnectionKey{
		{Path: "connection.api_token", Required: true, Hint: "set env or file to where the API user's token (Settings > My Profile > API token) is"},
		{Path: "connection.subdomain", Required: true, Hint: "set the CustomerSubDomain shown under Settings > MSP Information"},
		{Path: "connection.region", Hint: "us (default) or eu: the data centre of the account"},
	},
	// SuperOps documents no field sizes; the subject is held to 255, the
	// others to the sizes every PSA here accepts.
	Limits: integration.Limits{Title: 255, NoteTitle: 250, Description: 8000, Note: 32000},
	URL:    integration.URLRule{Example: Regions[DefaultRegion], Discovers: "the region's endpoint (connection.region)"},
	Unsupported: map[string]string{
		"companies.filter.market_segments": "SuperOps clients have no market segment: remove companies.filter.market_segments (filter by companies.filter.types)",
		"companies.filter.accounts":        "SuperOps clients have no parent and child accounts ticketbridge filters by: remove companies.filter.accounts",
		"ticket.category":                  "SuperOps' categories are ticket.issue_type (and their subcategories ticket.sub_issue_type): remove ticket.category",
		"ticket.type":                      "SuperOps' request types cannot be listed through its API: remove ticket.type (tickets take the account's default request type)",
		"ticket.source":                    "ticketbridge creates SuperOps tickets with source INTEGRATION: remove ticket.source",
		"companies.filter.classifications": "SuperOps clients have no classification: remove it (filter by companies.filter.types, the client stages)",
		"contracts.attach_to_tickets":      "SuperOps tickets carry no contract: remove contracts.attach_to_tickets and contracts.map",
		"contracts.billable_users":         "SuperOps client contracts bill one charge item by quantity changes and have no service lines to add: remove contracts.billable_users",
		"status_sync.webhooks":             "SuperOps' API has no webhooks: remove status_sync.webhooks (status sync polls tickets by updatedTime)",
		"status_sync.only_untouched":       "SuperOps' API has no ticket history, so a technician's status change cannot be told from ours: remove status_sync.only_untouched",
	},
	// Notes have no type, only a privacy.
	Optional: []string{"notes.type"},
}

// Driver registers SuperOps.
var Driver = driver.Driver{
	Profile: Profile, Connect: connect, Simulate: simulate,
	Lacks: map[string]string{
		"ActivityReader": "SuperOps' API has no ticket history: notes name their author, status changes do not, so a technician's status change cannot be told from ours",
		"TicketWebhooks": "SuperOps' MSP API documents no webhooks or subscriptions: status sync polls getTicketList by updatedTime",
		"BareCreator":    "createTicket answers with whatever fields the document selects, so the whole ticket costs no second call",
		"Contracts":      "SuperOps tickets carry no contract, and a client contract bills one charge item by quantity changes instead of holding service lines that can be added",
	},
}

// connect builds the connector. Connection.URL, when set, replaces the
// region's endpoint; p.Direct changes nothing, there is no lookup.
func connect(p driver.Params) (psa.Connector, error) {
	return New(Config{
		Region:          p.Connection.Region,
		URL:             p.Connection.URL,
		Subdomain:       p.Connection.Subdomain,
		APIToken:        p.Secret(integration.CredAPIToken),
		Budget:          p.Budget,
		RequestsPerHour: p.Connection.RequestsPerHour,
		Window:          budgetWindow(p.Connection.BudgetWindow),
		MaxConcurrent:   p.Connection.MaxConcurrent,
		HTTPClient:      p.HTTPClient,
		Logger:          p.Logger,
		Now:             p.Now,
		Observe:         p.Observe,
		Timeout:         p.Timeout,
		MaxAttempts:     p.MaxAttempts,
		RetryBackoff:    p.RetryBackoff,
	})
}

// budgetWindow reads connection.budget_window for a connector that builds
// its own budget; an hour when unset or unreadable, as the app reads it.
func budgetWindow(s string) time.Duration {
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d
	}
	return time.Hour
}

func simulate(o driver.SimOptions) driver.Simulator {
	limit := o.RequestLimit
	return &simulator{Sim: superopssim.New(superopssim.Options{
		RateLimit: limit, Window: o.Window, Latency: o.Latency, Now: o.Now,
	})}
}
