// Package driver is the registration every PSA folder exports: the PSA's
// pure settings profile, how to build its connector from stored settings,
// and how to build its simulator with a seed tenant. Everything that
// ranges over PSAs (serve, sim, demo, bench, the end-to-end tables, the
// crash and fault tests, the conformance suite) reads drivers through this
// type and never names a PSA.
package driver

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/psahttp"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// Driver is one PSA as ticketbridge knows it.
type Driver struct {
	// Profile is what settings know of the PSA (name, defaults, the
	// connection keys it reads, what it has no twin for).
	Profile integration.Profile
	// Connect builds a connector for one integration.
	Connect func(Params) (psa.Connector, error)
	// Simulate builds the PSA's simulator with its seed tenant.
	Simulate func(SimOptions) Simulator
	// Lacks names the optional capabilities of the port the connector does
	// not implement, by interface name in package psa ("BareCreator", as
	// psatest.Capability spells it), each with the reason the PSA cannot
	// do it. The conformance suite holds the connector to it both ways: a
	// gap not declared here, or a declared one the connector has filled,
	// fails.
	Lacks map[string]string
}

// Name is the PSA's name as settings write it.
func (d Driver) Name() string { return d.Profile.Name }

// Verify checks that the driver is complete and its profile consistent.
func (d Driver) Verify() error {
	if d.Connect == nil || d.Simulate == nil {
		return fmt.Errorf("driver %s: Connect and Simulate are required", d.Profile.Name)
	}
	return d.Profile.Verify()
}

// Params is what a connector is built from.
type Params struct {
	// Integration is the integration's name, for logs and metrics.
	Integration string
	Connection  integration.Connection
	// Secrets are the connection's decrypted secrets by credential name
	// (integration.Cred*).
	Secrets map[string]secret.Secret
	// Budget is the integration's request budget, shared by every
	// connector of the integration in this process.
	Budget     *psahttp.Budget
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
	// Observe is called after every PSA call.
	Observe func(op string, status int, d time.Duration)
	// Timeout and MaxAttempts, when set, bound one call and its in-call
	// retries, and RetryBackoff, when set, is the wait before the first
	// retry (tests point connectors at servers that never answer, or that
	// fail every request, and need them to give up fast).
	Timeout      time.Duration
	MaxAttempts  int
	RetryBackoff time.Duration
	// Direct says Connection.URL is the API root itself, so a connector
	// that would first look its root up (a zone found from the username,
	// say) uses the URL as it is. Tests set it to point a connector at a
	// stand-in that answers every path alike; drivers with no such lookup
	// to skip, or one they cannot skip, ignore it.
	Direct bool
}

// Secret returns the decrypted credential called name ("" when unset).
func (p Params) Secret(name string) secret.Secret { return p.Secrets[name] }

// SimOptions tune a simulator the same way for every PSA.
type SimOptions struct {
	// RequestLimit is the number of API requests per Window before the
	// simulator throttles; 0 is the PSA's own default (which may be no
	// limit where the PSA publishes none).
	RequestLimit int
	// Window is the rolling window of RequestLimit; 0 is the PSA's own.
	Window time.Duration
	// Latency is a fixed delay added to every response.
	Latency time.Duration
	// Now is the simulator's clock; default time.Now.
	Now func() time.Time
}

// Simulator is a PSA simulator serving its wire API, with the seed tenant
// facts the demo, the benchmarks and the tests need to use it without
// knowing which PSA it is.
type Simulator interface {
	http.Handler
	// Close stops the goroutines the simulator owns (webhook callouts).
	Close()
	// Banner describes the simulator served at base for `ticketbridge sim`:
	// the URL to set as connection.url and the seed tenant's credentials.
	Banner(base string) string
	// Settings returns integration settings for the seed tenant at base,
	// and the environment their secret references read.
	Settings(kind SettingsKind, p SettingsParams) (yaml string, env map[string]string)
	// Technician returns a connector acting as a person in the PSA at base.
	Technician(base string) (psa.Connector, error)
	// Seed names what the seed tenant holds.
	Seed() Seed
	// State returns every ticket the simulator holds with its notes, read
	// directly rather than through the API and its limits.
	State() State
	// Call describes a request to the simulator: whether the
	// integration's API user made it, and its kind for call logs.
	Call(r *http.Request) Call
	// OverBudget reports whether an answer is the simulator refusing a
	// request because the request budget of its window is spent.
	OverBudget(status int, body []byte) bool
	// FaultBody is the body of an injected error, in the PSA's shape.
	FaultBody(status int, msg string) []byte
	// FaultEligible says which requests fault injection may fail: all but
	// discovery calls a connector makes once and a real PSA serves from
	// a separate, sturdier service.
	FaultEligible(r *http.Request) bool
}

// Seed names what a simulator's seed tenant holds, by the names the PSA
// shows, for the demo, for the conformance suite and for tests that check
// what landed in the PSA. Every seed tenant holds the demo's story: the
// companies Default Account, SeedCompany, SeedOtherCompany, Initech and
// Umbrella Prospect (of ProspectType, another company type than the
// customers'). The facts that differ between PSAs are the fields.
type Seed struct {
	// ClosedStatus is the status a technician closes tickets with.
	ClosedStatus string
	// UpdateStatus is an open status other than the demo settings'
	// ticket.status, which a technician moves tickets to; where statuses
	// belong to boards, both are on the settings' ticket.queue.
	UpdateStatus string
	// NoteType is a note type both the integration and technicians write
	// notes with.
	NoteType string
	// Priorities is the priority the demo settings give each severity.
	Priorities map[string]string
	// CustomerType is the company type of the customers; ProspectType is
	// Umbrella Prospect's, which none of them has.
	CustomerType, ProspectType string
	// Contract is an active contract of Acme Corp, and Service a billable
	// service the demo's billable-user sync counts on it.
	Contract, Service string
	// Story names the security product whose seed document this PSA's
	// integration comes from, when the demo has a chapter for it
	// (StoryTrendAI); "" plays the shared story alone.
	Story string
}

// Seed stories the demo can play after the shared one.
const (
	// StoryTrendAI is the TrendAI Vision One seed: notifications of new
	// high-risk users, newly discovered assets and new risk events.
	StoryTrendAI = "trendai-vision-one"
)

// The story's names, the same in every seed tenant.
const (
	// SeedCompany is a customer with two active contacts, SeedContact
	// and SeedSecondContact, and an inactive one that still holds
	// SeedInactiveContact.
	SeedCompany         = "Acme Corp"
	SeedContact         = "jane@acme.example"
	SeedSecondContact   = "helpdesk@acme.example"
	SeedInactiveContact = "former@acme.example"
	// SeedOtherCompany is another customer.
	SeedOtherCompany = "Globex Corporation"
)

// SettingsKind chooses which settings a simulator returns.
type SettingsKind int

const (
	// DemoSettings tell the demo's story: overrides, fallback contacts,
	// a disabled organization. The end-to-end tests edit them by text:
	// they hold the lines `group_by: user_alert`, `      contact:
	// helpdesk@acme.example` (the last line of org-42's mapping) and
	// `notes:`.
	DemoSettings SettingsKind = iota
	// BenchSettings are lean: catch-all company, contacts by email,
	// auto-match, user_alert grouping, no overrides, so that a workload's
	// call count is the same story on every PSA.
	BenchSettings
)

// SettingsParams fill a simulator's settings.
type SettingsParams struct {
	// Name is the integration's name.
	Name string
	// Base is the simulator's base URL (scheme and host).
	Base string
	// RequestsPerHour, BudgetWindow and MaxConcurrent set the connection's
	// budget; 0 leaves the PSA's defaults.
	RequestsPerHour int
	BudgetWindow    time.Duration
	MaxConcurrent   int
}

// Call is one request as a call log sees it.
type Call struct {
	// Ours is true when the integration's API user made the request (not
	// a technician or an audit).
	Ours bool
	// Kind is ticket.create, ticket.get, ticket.query, ticket.update,
	// note.create, note.query, contact.query, company.query, ... or
	// other.
	Kind string
}

// State is what a simulator holds, for audits.
type State struct {
	Tickets []Ticket
}

// Ticket is a ticket in a simulator with its notes, oldest first.
type Ticket struct {
	ID          string
	Number      string
	CompanyID   string
	Title       string
	Status      string
	Closed      bool
	ExternalRef string
	// Description is the ticket's description (where a PSA keeps it as
	// the first note, that note, which Notes then leaves out).
	Description string
	Notes       []Note
}

// Note is a ticket note in a simulator.
type Note struct {
	ID          string
	Description string
}

// Notes returns every ticket's notes, in ticket order.
func (s State) Notes() []Note {
	var out []Note
	for _, t := range s.Tickets {
		out = append(out, t.Notes...)
	}
	return out
}

// TicketDeleter is implemented by simulators that can delete a ticket as
// a person does in the PSA's own screens, so end-to-end tests can show
// what a ticket gone from under an integration does on every PSA.
type TicketDeleter interface {
	// DeleteTicket deletes the ticket with PSA id id (as State names
	// it) and its notes; false when there is none.
	DeleteTicket(id string) bool
}

// QueueRenamer is implemented by simulators that can rename the queue
// tickets go to (a queue, board, team or group, as the PSA calls it) as
// an admin does in the PSA's own screens, so end-to-end tests can show
// settings drifting from the PSA on every PSA.
type QueueRenamer interface {
	// RenameQueue renames the queue called from to to; false when there
	// is none.
	RenameQueue(from, to string) bool
}
