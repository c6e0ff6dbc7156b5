package autotasksim

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// User is an API user of the simulated tenant.
type User struct {
	UserName string
	Secret   string
	// ResourceID is the user's resource; it lands in creatorResourceID and
	// the other who-did-it fields of what the user writes.
	ResourceID int
}

// Options configures a Sim. The zero value gives a realistic tenant with
// Autotask's stock limits and no added latency.
type Options struct {
	// Users are the API users; default: ticketbridge@msp.example and
	// technician@msp.example (see DefaultUsers).
	Users []User
	// IntegrationCode is the accepted ApiIntegrationCode header; default
	// "TBSIMINTEGRATIONCODE0000001".
	IntegrationCode string
	// HourlyLimit is the number of requests per rolling Window for the
	// database; default 10000.
	HourlyLimit int
	// Window is the rolling window length; default 1h. Tests scale it down.
	Window time.Duration
	// ThreadLimit is the number of concurrent requests per (integration code
	// × entity endpoint); default 3.
	ThreadLimit int
	// ThreadLimitStatus is the HTTP status of the thread-threshold error;
	// default 429. Live reports say it may arrive non-429, unverified.
	ThreadLimitStatus int
	// Latency is a fixed delay added to every request.
	Latency time.Duration
	// ThrottleLatency adds Autotask's usage-based delay: 500ms past 50% of
	// HourlyLimit and 1s past 75%, scaled by Window/1h.
	ThrottleLatency bool
	// RetryAfter, when positive, makes 429 answers carry Retry-After (whole
	// seconds). Live Autotask sends no such header.
	RetryAfter time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time

	// WebhookClient sends webhook callouts; default a client with a 5s
	// timeout.
	WebhookClient *http.Client
	// WebhookRetries is how often a callout answered non-2xx (or not at
	// all) is tried again; default 3. Negative means no retries.
	WebhookRetries int
	// WebhookRetryDelay is the wait before the first retry, doubled for
	// each further one; default 1s. Tests use milliseconds.
	WebhookRetryDelay time.Duration
	// WebhookDeactivateAfter is the number of consecutive callouts of one
	// webhook that may fail (every retry included) before the webhook is
	// deactivated and its deactivationUrl told; default 10.
	WebhookDeactivateAfter int
}

// Defaults of Options.
const (
	DefaultIntegrationCode   = "TBSIMINTEGRATIONCODE0000001"
	DefaultHourlyLimit       = 10000
	DefaultWindow            = time.Hour
	DefaultThreadLimit       = 3
	DefaultThreadLimitStatus = http.StatusTooManyRequests

	DefaultWebhookRetries         = 3
	DefaultWebhookRetryDelay      = time.Second
	DefaultWebhookDeactivateAfter = 10
	DefaultWebhookTimeout         = 5 * time.Second
)

// DefaultUsers returns the API user ticketbridge uses and a technician that
// tests use to act on tickets as a human would.
func DefaultUsers() []User {
	return []User{
		{UserName: "ticketbridge@msp.example", Secret: "tb-secret-$~*#@1", ResourceID: 29682885},
		{UserName: "technician@msp.example", Secret: "tech-secret-2", ResourceID: 29682886},
	}
}

func (o Options) withDefaults() Options {
	if len(o.Users) == 0 {
		o.Users = DefaultUsers()
	}
	if o.IntegrationCode == "" {
		o.IntegrationCode = DefaultIntegrationCode
	}
	if o.HourlyLimit <= 0 {
		o.HourlyLimit = DefaultHourlyLimit
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.ThreadLimit <= 0 {
		o.ThreadLimit = DefaultThreadLimit
	}
	if o.ThreadLimitStatus == 0 {
		o.ThreadLimitStatus = DefaultThreadLimitStatus
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o.webhookDefaults()
}

func (o Options) webhookDefaults() Options {
	if o.WebhookClient == nil {
		o.WebhookClient = &http.Client{Timeout: DefaultWebhookTimeout}
	}
	switch {
	case o.WebhookRetries == 0:
		o.WebhookRetries = DefaultWebhookRetries
	case o.WebhookRetries < 0:
		o.WebhookRetries = 0
	}
	if o.WebhookRetryDelay <= 0 {
		o.WebhookRetryDelay = DefaultWebhookRetryDelay
	}
	if o.WebhookDeactivateAfter <= 0 {
		o.WebhookDeactivateAfter = DefaultWebhookDeactivateAfter
	}
	return o
}

// Sim is a simulated Autotask tenant (one database) served over HTTP. It is
// safe for concurrent use. Its state changes only through the API.
type Sim struct {
	opts  Options
	users map[string]User // by lower-case user name

	mu          sync.Mutex // guards entities' rows, ticketSeq, lastTracked and hookSeq
	entities    map[string]*entity
	children    map[string]childRoute
	ticketSeq   map[string]int  // ticket numbers issued per day (yyyyMMdd)
	lastTracked time.Time       // the latest lastTrackedModificationDateTime issued
	hookSeq     map[int64]int64 // last SequenceNumber per webhook

	hooks *dispatcher

	requests *simkit.Window // the rolling-hour threshold, keyed by database
	threads  *simkit.Gate   // the thread limit, keyed by integration code × endpoint
}

// childRoute is a /{Parent}/{parentId}/{Child} path: its entity and the
// field of that entity holding the parent id.
type childRoute struct {
	entity      string // lower-case entity key
	parentField string
}

// New returns a Sim seeded with the stock companies, contacts, resources,
// picklists, services and contracts. Call Close when done with a Sim whose
// webhooks may have fired: callouts are delivered by a goroutine it owns.
func New(opts Options) *Sim {
	opts = opts.withDefaults()
	s := &Sim{
		opts:      opts,
		users:     make(map[string]User, len(opts.Users)),
		entities:  make(map[string]*entity),
		ticketSeq: make(map[string]int),
		requests:  simkit.NewWindow(opts.HourlyLimit, opts.Window, opts.Now),
		threads:   simkit.NewGate(opts.ThreadLimit),
		hookSeq:   make(map[int64]int64),
		children: map[string]childRoute{
			"tickets/notes":                    {entity: "ticketnotes", parentField: "ticketID"},
			"companies/contacts":               {entity: "contacts", parentField: "companyID"},
			"contracts/services":               {entity: "contractservices", parentField: "contractID"},
			"contracts/serviceunits":           {entity: "contractserviceunits", parentField: "contractID"},
			"contracts/serviceadjustments":     {entity: "contractserviceadjustments", parentField: "contractID"},
			"ticketwebhooks/fields":            {entity: "ticketwebhookfields", parentField: "webhookID"},
			"ticketwebhooks/excludedresources": {entity: "ticketwebhookexcludedresources", parentField: "webhookID"},
		},
	}
	s.hooks = newDispatcher(s)
	for _, u := range opts.Users {
		s.users[strings.ToLower(u.UserName)] = u
	}
	for _, e := range []*entity{
		newCompanies(), newContacts(), newTickets(), newTicketNotes(), newResources(opts.Users),
		newTicketHistory(), newTimeEntries(),
		newContracts(), newServices(), newContractServices(), newContractServiceUnits(), newAdjustments(),
		newTicketWebhooks(), newTicketWebhookFields(), newTicketWebhookExcludedResources(),
	} {
		s.entities[strings.ToLower(e.name)] = e
	}
	owner, now := int64(opts.Users[0].ResourceID), opts.Now().UTC()
	seedRows(s.entities["companies"], s.entities["contacts"], owner, now)
	s.seedContracts(owner, now)
	return s
}

// Users returns the configured API users.
func (s *Sim) Users() []User { return append([]User(nil), s.opts.Users...) }

// IntegrationCode returns the accepted ApiIntegrationCode.
func (s *Sim) IntegrationCode() string { return s.opts.IntegrationCode }

// RequestCount returns the number of requests counted in the current
// window, the figure ThresholdInformation reports.
func (s *Sim) RequestCount() int { return s.requests.Count(database) }

// entityByType finds an entity by its singular name (a referenceEntityType).
func (s *Sim) entityByType(singular string) *entity {
	for _, e := range s.entities {
		if e.singular == singular {
			return e
		}
	}
	return nil
}
