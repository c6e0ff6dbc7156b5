package halopsa

import (
	"time"

	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/halopsa/halopsasim"
)

// Profile is what settings know of HaloPSA. The ticket type is required
// (Halo files every ticket under one); the queue is a team, the category
// the ticket's first category and the issue and sub-issue type values of
// its second ("Issue>Sub").
var Profile = integration.Profile{
	Name:            "halopsa",
	Title:           "HaloPSA",
	RequestsPerHour: DefaultRequestsPerHour,
	MaxConcurrent:   DefaultMaxConcurrent,
	Published:       integration.Rate{Requests: 300, Window: 5 * time.Minute, Scope: "per tenant"},
	Connection: []integration.ConnectionKey{
		{Path: "connection.client_id", Required: true, Hint: "set env or file to where the API application's client ID is (Configuration > Integrations > HaloPSA API > View Applications, authentication \"Client ID and Secret (Services)\")"},
		{Path: "connection.client_secret", Required: true, Hint: "set env or file to where the API application's client secret is"},
		{Path: "connection.tenant", Hint: "the tenant Halo shows on the API page of hosted instances"},
	},
	// Halo documents no field sizes; these keep tickets readable.
	Limits: integration.Limits{Title: 250, NoteTitle: 250, Description: 30000, Note: 30000},
	URL:    integration.URLRule{Required: true, Example: "https://yourcompany.halopsa.com"},
	Unsupported: map[string]string{
		"companies.filter.market_segments": "HaloPSA clients have no market segment: remove companies.filter.market_segments (filter by companies.filter.types)",
		"companies.filter.accounts":        "HaloPSA clients have no parent and child accounts ticketbridge filters by: remove companies.filter.accounts",
		"ticket.source":                    "HaloPSA sets a ticket's source itself (API-created tickets come from the API): remove it",
		"companies.filter.classifications": "HaloPSA has no client classification: remove it (companies.filter.types filters by the clients' top level)",
		"status_sync.webhooks":             "HaloPSA signs no webhook callout (only a fixed Basic, Bearer or API-key header, which does not protect the body): remove it; status changes are polled",
	},
}

// Driver registers HaloPSA.
var Driver = driver.Driver{
	Profile: Profile, Connect: connect, Simulate: simulate,
	Lacks: map[string]string{
		"BareCreator":    "HaloPSA answers a create with the whole ticket, so a bare create would save no call",
		"TicketWebhooks": "HaloPSA signs no webhook callout: its outbound authentication is a fixed Basic, Bearer or API-key header, which cannot show that a body was not altered",
	},
}

// connect builds the connector. With p.Direct the token endpoint is
// taken to be /auth/token under the URL, without asking /api/authinfo.
func connect(p driver.Params) (psa.Connector, error) {
	cfg := Config{
		URL:             p.Connection.URL,
		Tenant:          strings.TrimSpace(p.Connection.Tenant),
		ClientID:        p.Secret(integration.CredClientID),
		ClientSecret:    p.Secret(integration.CredClientSecret),
		Budget:          p.Budget,
		RequestsPerHour: p.Connection.RequestsPerHour,
		MaxConcurrent:   p.Connection.MaxConcurrent,
		HTTPClient:      p.HTTPClient,
		Logger:          p.Logger,
		Now:             p.Now,
		Observe:         p.Observe,
		Timeout:         p.Timeout,
		MaxAttempts:     p.MaxAttempts,
		RetryBackoff:    p.RetryBackoff,
	}
	if p.Direct {
		host, err := instance(cfg.URL)
		if err == nil {
			cfg.TokenURL = host + "/auth/token"
		}
	}
	return New(cfg)
}

func simulate(o driver.SimOptions) driver.Simulator {
	return &simulator{Sim: halopsasim.New(halopsasim.Options{
		RateLimit: o.RequestLimit, Window: o.Window, Latency: o.Latency, Now: o.Now,
	})}
}
