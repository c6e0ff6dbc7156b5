package syncro

import (
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/syncro/syncrosim"
)

// Profile is what settings know of Syncro. Ticket types stand for the
// queue and problem types for the issue type.
var Profile = integration.Profile{
	Name:  "syncro",
	Title: "Syncro",
	// 180 requests a minute per client address, as an hourly budget; the
	// connector also paces itself per minute.
	RequestsPerHour: DefaultRequestsPerHour,
	MaxConcurrent:   DefaultMaxConcurrent,
	Published:       integration.Rate{Requests: 180, Window: time.Minute, Scope: "per client address"},
	Connection: []integration.ConnectionKey{
		{Path: "connection.subdomain", Required: true, Hint: "set your Syncro subdomain, the part of your Syncro address before .syncromsp.com"},
		{Path: "connection.api_token", Required: true, Hint: "set env or file to where the API token is (Admin > API Tokens; it needs ticket and customer permissions)"},
	},
	// Subjects and comment subjects are short strings; comment bodies have
	// no documented limit: ours keep them readable.
	Limits: integration.Limits{Title: 255, NoteTitle: 255, Description: 8000, Note: 32000},
	URL: integration.URLRule{Example: "https://acme.syncromsp.com",
		Discovers: "the API at https://<connection.subdomain>.syncromsp.com/api/v1"},
	Unsupported: map[string]string{
		"companies.filter.market_segments": "Syncro customers have no market segment: remove companies.filter.market_segments (filter by companies.filter.types)",
		"companies.filter.accounts":        "Syncro customers have no parent and child accounts ticketbridge filters by: remove companies.filter.accounts",
		"ticket.category":                  "Syncro tickets have no category: remove it (the problem type classifies tickets: set ticket.issue_type)",
		"ticket.type":                      "Syncro's ticket types are set with ticket.queue (Syncro has no queues; a ticket type routes the work): remove ticket.type and set ticket.queue to a ticket type",
		"ticket.source":                    "Syncro tickets have no source field: remove it",
		"ticket.sub_issue_type":            "Syncro has one level of problem types, set with ticket.issue_type: remove sub_issue_type from the ticket defaults and overrides",
		"companies.filter.classifications": "Syncro customers have no classification: remove it (filter by companies.filter.types: Business or Individual)",
		"contracts.attach_to_tickets":      "Syncro's API cannot set a ticket's contract (tickets show contract_id, but the create and update bodies do not take it): remove contracts.attach_to_tickets and contracts.map",
		"contracts.billable_users":         "Syncro keeps billable quantities on recurring invoice schedules, not on contracts, and ticketbridge does not sync schedules: remove contracts.billable_users",
		"status_sync.webhooks":             "Syncro has no API to register webhooks and signs none (Notification Center webhooks are set up by hand): remove it; status sync polls tickets changed since the last poll",
		"status_sync.only_untouched":       "Syncro's API keeps no record of who changed a ticket's status, so a technician's work cannot be told from ours: remove it",
	},
	// Comments have no type: the one kind is "Comment".
	Optional: []string{"notes.type"},
}

// Driver registers Syncro.
var Driver = driver.Driver{
	Profile: Profile, Connect: connect, Simulate: simulate,
	Lacks: map[string]string{
		"ActivityReader": "Syncro's API keeps no history of status changes, so it cannot tell a technician's change from ours",
		"TicketWebhooks": "Syncro has no API to register webhooks, and signs none (Notification Center webhooks are configured by hand)",
		"BareCreator":    "Syncro answers a create with the whole ticket, so a bare create would save no call",
		"Contracts":      "Syncro contracts carry no services or quantities (those live on recurring invoice schedules) and the API cannot set a ticket's contract",
	},
}

// connect builds the connector. connection.url, when set, overrides the
// address built from the subdomain; p.Direct changes nothing, since there
// is nothing to discover.
func connect(p driver.Params) (psa.Connector, error) {
	return New(Config{
		Subdomain:       p.Connection.Subdomain,
		URL:             p.Connection.URL,
		APIToken:        p.Secret(integration.CredAPIToken),
		RequestsPerHour: p.Connection.RequestsPerHour,
		PaceMinute:      hourly(p.Connection.BudgetWindow),
		MaxConcurrent:   p.Connection.MaxConcurrent,
		Budget:          p.Budget,
		HTTPClient:      p.HTTPClient,
		Logger:          p.Logger,
		Now:             p.Now,
		Observe:         p.Observe,
		Timeout:         p.Timeout,
		MaxAttempts:     p.MaxAttempts,
		RetryBackoff:    p.RetryBackoff,
	})
}

// hourly reports whether the budget counts Syncro's hour, which is when
// the per-minute pace applies: a test or benchmark that scales the window
// down sets its own pace.
func hourly(window string) bool {
	if strings.TrimSpace(window) == "" {
		return true
	}
	d, err := time.ParseDuration(window)
	return err == nil && d >= time.Hour
}

func simulate(o driver.SimOptions) driver.Simulator {
	return &simulator{Sim: syncrosim.New(syncrosim.Options{
		RateLimit: o.RequestLimit, Window: o.Window, Latency: o.Latency, Now: o.Now,
	})}
}
