package autotask

import (
	"time"

	_ "embed"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// Profile is what settings know of Autotask.
var Profile = integration.Profile{
	Name:            "autotask",
	Title:           "Autotask",
	RequestsPerHour: DefaultRequestsPerHour,
	MaxConcurrent:   DefaultMaxConcurrent,
	// Autotask allows 10,000 requests an hour per database, shared by
	// every integration of it.
	Published: integration.Rate{Requests: 10000, Window: time.Hour, Scope: "per database, shared by every integration"},
	Connection: []integration.ConnectionKey{
		{Path: "connection.username", Required: true, Hint: "set the API user's username (key)"},
		{Path: "connection.secret", Required: true, Hint: "set env or file to where the API user's secret (password) is"},
		{Path: "connection.integration_code", Required: true, Hint: "set env or file to where the API tracking identifier (integration code) is"},
	},
	// Ticket title 255, description 8,000; note title 250, note 32,000.
	Limits: integration.Limits{Title: 255, NoteTitle: 250, Description: 8000, Note: 32000},
	// The zone is discovered from the username when the URL is empty.
	URL: integration.URLRule{Example: "https://webservices5.autotask.net/ATServicesRest/", Discovers: "the zone"},
}

// Driver registers Autotask.
var Driver = driver.Driver{Profile: Profile, Connect: connect, Simulate: simulate}

// connect builds the connector. Connection.URL is the zone discovery root,
// or with p.Direct the zone's API root itself.
func connect(p driver.Params) (psa.Connector, error) {
	base := p.Connection.URL
	if base != "" && !strings.HasSuffix(base, "/") {
		base += "/"
	}
	cfg := Config{
		Budget:          p.Budget,
		BaseURL:         base,
		Username:        p.Connection.Username,
		Secret:          p.Secret(integration.CredSecret),
		IntegrationCode: p.Secret(integration.CredIntegrationCode),
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
		cfg.ZoneURL = base
	}
	return New(cfg)
}

func simulate(o driver.SimOptions) driver.Simulator {
	return &simulator{Sim: autotasksim.New(autotasksim.Options{
		HourlyLimit: o.RequestLimit, Window: o.Window, Latency: o.Latency, Now: o.Now,
	})}
}
