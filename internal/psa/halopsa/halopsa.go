// Package halopsa is the HaloPSA connector (HaloITSM, HaloPSA and
// HaloServiceDesk share the API): a thin hand-written client for Halo's
// REST API behind the psa.Connector port. Tokens come from the OAuth2
// client-credentials grant (golang.org/x/oauth2/clientcredentials) at the
// authorisation server /api/authinfo names; every request, token calls
// included, goes through psahttp, so the request budget, the concurrency
// cap, retries of reads and error classification are applied in one place.
//
// How HaloPSA maps onto the port:
//
//   - Companies are clients; psa.FieldCompanyType is the client's top
//     level (Halo groups clients under top levels), so the type filter
//     lists the clients of a top level. Halo has no classification.
//   - Contacts are users of the client, matched by emailaddress, email2
//     or email3.
//   - psa.FieldType is the ticket type (tickettype_id, required),
//     psa.FieldStatus the statuses, psa.FieldPriority the priorities
//     (priorityid; priorities belong to SLAs), psa.FieldQueue the teams
//     (a ticket names its team by name, so the team's name is the id),
//     psa.FieldCategory the values of category 1 (by value, likewise),
//     psa.FieldNoteType the outcomes (action types).
//   - A ticket's external reference is supplier_reference, found with the
//     search_supplier_reference filter; the ticket id is its number.
//   - A ticket is Closed when its status is Halo's fixed Closed status (9).
//   - Notes are actions: the note's title is its first line, internal
//     notes are hiddenfromuser, the note type is the outcome.
//   - The change feed is the ticket list by lastactiondate, compared on
//     last_update; activity is the ticket's actions by agents other than
//     the API application's own (GET /api/Agent/me).
//   - Contracts are client contracts (by ref), services are items, and a
//     contract service is an item on the contract's recurring invoice
//     (see contract.go for how units are kept as dated lines).
//   - Ticket webhooks are not offered: Halo signs no callout.
package halopsa

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/psahttp"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// Defaults for zero Config fields. Hosted Halo allows 300 requests per
// rolling 5 minutes per tenant; an hourly budget of 300 can never break
// that, and an integration that sets budget_window: 5m gets the whole
// allowance.
const (
	DefaultRequestsPerHour = 300
	DefaultMaxConcurrent   = 3
	// ClosedStatusID is Halo's fixed Closed status.
	ClosedStatusID = "9"
)

// picklistTTL is how long picklists are cached: they change when an admin
// edits them.
const picklistTTL = 5 * time.Minute

// Config configures a Connector.
type Config struct {
	// URL is the Halo instance, e.g. https://acme.halopsa.com; the API is
	// below /api and the authorisation server is discovered there.
	URL string
	// TokenURL, when set, skips discovery (tests, or a known auth host).
	TokenURL string
	// Tenant is added as ?tenant= to token requests when set.
	Tenant       string
	ClientID     secret.Secret
	ClientSecret secret.Secret
	// RequestsPerHour sizes the budget built when Budget is nil.
	RequestsPerHour int
	MaxConcurrent   int
	Budget          *psahttp.Budget
	HTTPClient      *http.Client
	Logger          *slog.Logger
	Now             func() time.Time
	Observe         func(op string, status int, d time.Duration)
	Timeout         time.Duration
	MaxAttempts     int
	RetryBackoff    time.Duration
}

// Connector is a psa.Connector for one Halo tenant.
type Connector struct {
	cfg  Config
	http *psahttp.Client
	log  *slog.Logger
	now  func() time.Time
	host string // scheme://host[/path] of the instance, no trailing slash
	auth *tokens

	meMu sync.Mutex
	me   string // the API application's agent id

	pickMu  sync.Mutex
	picks   psa.Picklists
	pickExp time.Time

	lineMu    sync.Mutex
	lineLocks map[string]*sync.Mutex // by contract service
}

var (
	_ psa.Connector      = (*Connector)(nil)
	_ psa.Budgeted       = (*Connector)(nil)
	_ psa.BudgetState    = (*Connector)(nil)
	_ psa.BudgetJournal  = (*Connector)(nil)
	_ psa.ChangeFeed     = (*Connector)(nil)
	_ psa.ActivityReader = (*Connector)(nil)
	_ psa.TicketLister   = (*Connector)(nil)
	_ psa.ContactBatcher = (*Connector)(nil)
)

// New checks cfg and returns a Connector. It makes no request.
func New(cfg Config) (*Connector, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := psahttp.New(psahttp.Config{
		MaxConcurrent: cfg.MaxConcurrent, Budget: cfg.Budget, Timeout: cfg.Timeout,
		MaxAttempts: cfg.MaxAttempts, RetryBackoff: cfg.RetryBackoff, HTTPClient: cfg.HTTPClient,
		Logger: log, Observe: cfg.Observe, Now: cfg.Now,
	})
	c := &Connector{cfg: cfg, http: hc, log: log, now: cfg.Now, host: cfg.URL}
	c.auth = &tokens{c: c, tokenURL: cfg.TokenURL}
	return c, nil
}

// defaults fills zero fields and reports every missing setting at once.
func (cfg *Config) defaults() error {
	var errs []error
	if strings.TrimSpace(cfg.ClientID.Reveal()) == "" {
		errs = append(errs, errors.New("halopsa: set the API application's client id"))
	}
	if strings.TrimSpace(cfg.ClientSecret.Reveal()) == "" {
		errs = append(errs, errors.New("halopsa: set the API application's client secret"))
	}
	host, err := instance(cfg.URL)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.URL = host
	if cfg.RequestsPerHour <= 0 {
		cfg.RequestsPerHour = DefaultRequestsPerHour
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Budget == nil {
		cfg.Budget = psahttp.NewBudget(cfg.RequestsPerHour, time.Hour, cfg.Now)
	}
	return errors.Join(errs...)
}

// instance reads the instance URL: an absolute http(s) URL, with a
// trailing /api or /auth dropped (admins paste the API page's address).
func instance(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("halopsa: url: set the Halo instance's address, e.g. https://yourcompany.halopsa.com")
	}
	path := strings.TrimRight(u.Path, "/")
	for _, tail := range []string{"/api", "/auth"} {
		if strings.HasSuffix(strings.ToLower(path), tail) {
			path = path[:len(path)-len(tail)]
		}
	}
	return u.Scheme + "://" + u.Host + path, nil
}

// Budget returns the request budget this connector draws on.
func (c *Connector) Budget() *psahttp.Budget { return c.cfg.Budget }

// BudgetRemaining implements psa.Budgeted.
func (c *Connector) BudgetRemaining() int { return c.cfg.Budget.Remaining() }

// BudgetTimes implements psa.BudgetState.
func (c *Connector) BudgetTimes() []time.Time { return c.cfg.Budget.Times() }

// SeedBudget implements psa.BudgetState.
func (c *Connector) SeedBudget(times []time.Time) { c.cfg.Budget.Seed(times) }

// JournalBudget implements psa.BudgetJournal.
func (c *Connector) JournalBudget(journal func(runs []psa.BudgetRun) error, claimFor time.Duration) {
	b := c.cfg.Budget
	b.SetJournal(journal, psahttp.ClaimSize(b.Limit()), claimFor)
}
