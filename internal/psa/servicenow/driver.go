package servicenow

import (
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/servicenow/servicenowsim"
)

// Profile is what settings know of ServiceNow. Assignment groups stand
// for the queue; category and subcategory for issue and sub-issue type;
// contact_type for the source. ticket.priority names (1 - Critical ...
// 5 - Planning) are written as impact and urgency: 1 = 1/1, 2 = 1/2,
// 3 = 2/2, 4 = 2/3, 5 = 3/3 (priority = impact + urgency - 1).
var Profile = integration.Profile{
	Name:            "servicenow",
	Title:           "ServiceNow",
	RequestsPerHour: DefaultRequestsPerHour,
	MaxConcurrent:   DefaultMaxConcurrent,
	Connection: []integration.ConnectionKey{
		{Path: "connection.username", Hint: "set the integration user's user_name (Basic authentication, or the OAuth password grant)"},
		{Path: "connection.secret", Hint: "set env or file to where the integration user's password is"},
		{Path: "connection.client_id", Hint: "set env or file to where the OAuth application registry entry's client id is (OAuth only)"},
		{Path: "connection.client_secret", Hint: "set env or file to where the OAuth client secret is (OAuth only)"},
		{Path: "connection.refresh_token", Hint: "set env or file to where an OAuth refresh token is (OAuth without a stored password)"},
		{Path: "connection.table", Hint: "incident (default) or sn_customerservice_case"},
	},
	// short_description holds 160 characters and description 4,000 on an
	// out-of-box instance; journal entries hold long text.
	Limits: integration.Limits{Title: 160, NoteTitle: 160, Description: 4000, Note: 32000},
	URL:    integration.URLRule{Required: true, SiteOnly: true, Example: "https://acme.service-now.com"},
	Unsupported: map[string]string{
		"companies.filter.market_segments": "ServiceNow companies have no market segment: remove companies.filter.market_segments (filter by companies.filter.types)",
		"companies.filter.accounts":        "ServiceNow companies have no parent and child accounts ticketbridge filters by: remove companies.filter.accounts",
		"ticket.category":                  "ServiceNow's category is ticket.issue_type (and subcategory ticket.sub_issue_type): remove ticket.category",
		"ticket.type":                      "ServiceNow incidents have no ticket type: remove ticket.type",
		"companies.filter.classifications": "ServiceNow companies have no classification: filter by companies.filter.types (Customer, Vendor, Manufacturer, Other)",
		"contracts.attach_to_tickets":      "ServiceNow contracts (ast_contract) are not attached to tickets by ticketbridge: remove contracts.attach_to_tickets and contracts.map",
		"contracts.billable_users":         "ServiceNow contracts have no billable quantities to keep in step with a user count: remove contracts.billable_users",
		"ticket.reopen_within":             "a Closed ServiceNow incident is read-only for the integration's role (only an admin may change it): remove ticket.reopen_within; the group's next alert opens a new incident",
		"status_sync.webhooks":             "ServiceNow has no webhook registration API (outbound calls are business rules an admin writes): remove status_sync.webhooks; status is polled by sys_updated_on",
	},
	// Journal entries have no type: visibility picks work notes or comments.
	Optional: []string{"notes.type"},
	Check:    check,
}

// check holds the credential combinations and the table to what the
// connector can use.
func check(s *integration.Settings) []integration.Problem {
	c := s.Connection
	var out []integration.Problem
	switch c.Table {
	case "", "incident", "sn_customerservice_case":
	default:
		out = append(out, integration.Problem{Path: "connection.table", Message: "unknown table " + c.Table + ": set incident or sn_customerservice_case"})
	}
	basic := c.Username != "" && !c.Secret.IsZero()
	switch {
	case !c.ClientID.IsZero() && c.ClientSecret.IsZero():
		out = append(out, integration.Problem{Path: "connection.client_secret", Message: "required with connection.client_id: set env or file to where the OAuth client secret is"})
	case !c.ClientID.IsZero() && c.RefreshToken.IsZero() && !basic:
		out = append(out, integration.Problem{Path: "connection.refresh_token", Message: "OAuth needs a refresh token, or connection.username and connection.secret for the password grant"})
	case c.ClientID.IsZero() && !basic:
		out = append(out, integration.Problem{Path: "connection.username", Message: "required for servicenow: set connection.username and connection.secret (Basic), or an OAuth client"})
	case c.ClientID.IsZero() && (!c.ClientSecret.IsZero() || !c.RefreshToken.IsZero()):
		out = append(out, integration.Problem{Path: "connection.client_id", Message: "required with connection.client_secret or connection.refresh_token: set the OAuth client id"})
	}
	return out
}

// Driver registers ServiceNow.
var Driver = driver.Driver{
	Profile: Profile, Connect: connect, Simulate: simulate,
	Lacks: map[string]string{
		"BareCreator":    "ServiceNow answers a create with the whole record, so a bare create would save no call",
		"TicketWebhooks": "ServiceNow has no API to register a webhook: outbound calls on a change are business rules or flows an admin writes",
		"Contracts":      "ServiceNow contracts (ast_contract) have no billable service lines or unit quantities to adjust",
	},
}

// connect builds the connector; p.Direct changes nothing, as the instance
// URL is the API root's host already.
func connect(p driver.Params) (psa.Connector, error) {
	return New(Config{
		Instance: p.Connection.URL, Table: p.Connection.Table,
		Username: p.Connection.Username, Password: p.Secret(integration.CredSecret),
		ClientID: p.Secret(integration.CredClientID), ClientSecret: p.Secret(integration.CredClientSecret),
		RefreshToken: p.Secret(integration.CredRefreshToken),
		Budget:       p.Budget, RequestsPerHour: p.Connection.RequestsPerHour, MaxConcurrent: p.Connection.MaxConcurrent,
		HTTPClient: p.HTTPClient, Logger: p.Logger, Now: p.Now, Observe: p.Observe,
		Timeout: p.Timeout, MaxAttempts: p.MaxAttempts, RetryBackoff: p.RetryBackoff,
	})
}

func simulate(o driver.SimOptions) driver.Simulator {
	return &simulator{Sim: servicenowsim.New(servicenowsim.Options{
		RateLimit: o.RequestLimit, Window: o.Window, Latency: o.Latency, Now: o.Now,
	})}
}
