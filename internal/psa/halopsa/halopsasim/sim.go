package halopsasim

import (
	"net/http"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// Defaults of zero Options fields: Halo's hosted limit as integrators
// quote it, and the token lifetime its token endpoint answers.
const (
	DefaultRateLimit     = 300
	DefaultWindow        = 5 * time.Minute
	DefaultTokenLifetime = time.Hour
	// MaxPageSize is the largest page_size the ticket list honours.
	MaxPageSize = 100
	// ClosedStatusID is Halo's fixed "Closed" status.
	ClosedStatusID = 9
)

// Options tune the simulator. The Bool fields choose between readings of
// behaviour the notes leave unverified; their zero values are the reading
// the notes lean to.
type Options struct {
	// RateLimit requests per Window per tenant before 429; 0 is
	// DefaultRateLimit, below 0 no limit.
	RateLimit int
	Window    time.Duration
	// TokenLifetime is expires_in of issued tokens.
	TokenLifetime time.Duration
	// Latency is added to every response.
	Latency time.Duration
	Now     func() time.Time
	// Tenant, when set, must be given as ?tenant= on token requests, as
	// Halo-hosted instances that show one on the API page require.
	Tenant string
	// RetryAfter adds a Retry-After header to 429 answers; Halo documents
	// none [?].
	RetryAfter bool
	// OpenOnlyByDefault lists only open tickets unless includeclosed or
	// closed_only is given [?]: which Halo does without the flags is not
	// recorded, so a client that needs closed tickets says so.
	OpenOnlyByDefault bool
	// NoStatusActions stops a status change made through POST /api/Tickets
	// from logging a system action ("Status changed …") on the ticket [?].
	NoStatusActions bool
	// JSONErrors answers validation failures with .NET exception JSON
	// {"ClassName":…,"Message":…} instead of a plain-text message: both
	// shapes occur [lib HaloAPI New-HaloError].
	JSONErrors bool
	// Mandatory lists, per ticket type id, ticket fields a create must
	// carry (the type's mandatory-field configuration).
	Mandatory map[int][]string
	// WebhookPayload is what a callout carries: PayloadKeyFields (the
	// default), PayloadFull or PayloadEvent.
	WebhookPayload string
	// HTTPClient delivers webhooks; a client with a 10s time-out when nil.
	HTTPClient *http.Client
}

// App is an API application: a client id and secret logging in as an
// agent with scopes.
type App struct {
	ClientID     string
	ClientSecret string
	AgentID      int
	Scopes       []string
}

// Sim is the HaloPSA simulator. Its state is guarded by mu.
type Sim struct {
	opt    Options
	now    func() time.Time
	window *simkit.Window
	hooks  *dispatcher

	mu        sync.Mutex
	apps      []App
	tokens    map[string]token
	agents    []agent
	tops      []topLevel
	clients   []client
	sites     []site
	users     []user
	statuses  []status
	types     []ticketType
	prios     []priority
	outcomes  []outcome
	teams     []team
	cats      []category
	tickets   []*ticket
	contracts []contract
	items     []item
	invoices  []*invoice
	webhooks  []*webhook
	events    []webhookEvent
	nextID    map[string]int
	tokenSeq  int
}

// New returns a simulator holding the seed tenant.
func New(o Options) *Sim {
	if o.RateLimit == 0 {
		o.RateLimit = DefaultRateLimit
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = DefaultTokenLifetime
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Sim{opt: o, now: o.Now, tokens: map[string]token{}, nextID: map[string]int{}}
	s.window = simkit.NewWindow(o.RateLimit, o.Window, o.Now)
	s.hooks = newDispatcher(s)
	s.seed()
	return s
}

// Close stops webhook deliveries.
func (s *Sim) Close() { s.hooks.close() }

// Apps returns the seed API applications: the integration's first, a
// technician's second, a read-only one third.
func (s *Sim) Apps() []App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]App(nil), s.apps...)
}

// AgentID returns the agent an access token logs in as, or 0.
func (s *Sim) AgentID(bearer string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[bearer]
	if !ok {
		return 0
	}
	return t.agent
}

// Tenant is the tenant token requests must name ("" for none).
func (s *Sim) Tenant() string { return s.opt.Tenant }

// id hands out the next id of a kind.
func (s *Sim) id(kind string) int {
	s.nextID[kind]++
	return s.nextID[kind]
}

// stamp is the simulator's time as Halo keeps it: UTC, milliseconds.
func (s *Sim) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }
