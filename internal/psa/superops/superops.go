// Package superops is the SuperOps.ai (MSP) connector: a thin hand-written
// client for SuperOps' GraphQL API (one POST endpoint per region, bearer
// API token and CustomerSubDomain headers, business errors in
// errors[].extensions.clientError of an HTTP 200 answer, hasMore paging)
// behind the psa.Connector port. All traffic goes through psahttp, so the
// request budget, the concurrency cap, retries of reads and the HTTP
// status classification are applied in one place.
//
// How SuperOps maps onto the port:
//
//   - Picklist values travel by name on the wire, so the ids of
//     psa.FieldStatus, FieldPriority, FieldIssueType (categories) and
//     FieldSubIssueType (subcategories, Parent = their category) are the
//     names themselves. psa.FieldQueue is the technician groups, by
//     groupId; psa.FieldCompanyType the client stages, by name.
//   - psa.FieldNoteType holds one synthetic value, NoteTypeID: SuperOps
//     notes have no type, only a privacy (internal PRIVATE, external
//     PUBLIC). A note's title is its content's first paragraph.
//   - A ticket's external reference lives in the ticket custom field
//     labelled RefFieldLabel (found by label, cached), which tickets are
//     searched by: the Ticket type has no readable external-id field
//     (sourceReferenceId is write-only), so it is sent too but never read.
//   - A ticket is Closed when its status is Resolved or Closed.
//   - Ticket.Number is the displayId (MMDDYY-NNNN).
//   - The change feed is getTicketList sorted by updatedTime, newest
//     first, read until a page reaches the cursor: date operators are
//     documented but reported to fail live, so none is used.
//   - Several tickets are read in one request with aliased getTicket
//     fields: GraphQL's own batching, one request against the limit.
package superops

import (
	"errors"
	"fmt"
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

// SuperOps' documented limit is 800 requests per minute per token. The
// profile's default budget is 800 per settings window (an hour unless
// connection.budget_window says 1m), which can never exceed it; a
// connector built without a budget counts SuperOps' own minute.
const (
	DefaultRequestsPerMinute = 800
	DefaultRequestsPerHour   = 800
	DefaultMaxConcurrent     = psahttp.DefaultMaxConcurrent
	// DefaultRegion is the data centre used when connection.region is
	// empty.
	DefaultRegion = "us"
)

// Regions maps connection.region to the MSP API endpoint.
var Regions = map[string]string{
	"us": "https://api.superops.ai/msp",
	"eu": "https://euapi.superops.ai/msp",
}

// NoteTypeID and NoteTypeLabel are the one synthetic note type.
const (
	NoteTypeID    = "note"
	NoteTypeLabel = "Note"
)

// RefFieldLabel is the label of the ticket custom field (type Text) that
// holds ticketbridge's external reference.
const RefFieldLabel = "ticketbridge reference"

// picklistTTL is how long picklists are cached.
const picklistTTL = 5 * time.Minute

// Config configures a Connector.
type Config struct {
	// Region is "us" or "eu"; URL, when set, overrides it (a simulator,
	// a proxy). A URL without a path gets /msp.
	Region string
	URL    string
	// Subdomain is the MSP's CustomerSubDomain.
	Subdomain string
	// APIToken is the API user's token.
	APIToken secret.Secret
	// RequestsPerHour and Window size the budget built when Budget is nil
	// (default 800 a minute).
	RequestsPerHour int
	Window          time.Duration
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

// Connector is a psa.Connector for one SuperOps MSP account.
type Connector struct {
	cfg      Config
	endpoint string
	http     *psahttp.Client
	log      *slog.Logger

	pickMu  sync.Mutex
	picks   psa.Picklists
	pickExp time.Time

	refMu  sync.Mutex
	refCol string // the reference field's column, once found
}

var (
	_ psa.Connector      = (*Connector)(nil)
	_ psa.Budgeted       = (*Connector)(nil)
	_ psa.BudgetState    = (*Connector)(nil)
	_ psa.BudgetJournal  = (*Connector)(nil)
	_ psa.ChangeFeed     = (*Connector)(nil)
	_ psa.TicketLister   = (*Connector)(nil)
	_ psa.ContactBatcher = (*Connector)(nil)
)

// New validates cfg and returns a Connector. It makes no request.
func New(cfg Config) (*Connector, error) {
	endpoint, err := cfg.defaults()
	if err != nil {
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
	return &Connector{cfg: cfg, endpoint: endpoint, http: hc, log: log}, nil
}

// defaults fills zero fields, reports every missing setting at once and
// returns the endpoint.
func (cfg *Config) defaults() (string, error) {
	var errs []error
	if strings.TrimSpace(cfg.Subdomain) == "" {
		errs = append(errs, errors.New("superops: set the CustomerSubDomain (connection.subdomain)"))
	}
	if strings.TrimSpace(cfg.APIToken.Reveal()) == "" {
		errs = append(errs, errors.New("superops: set the API token (connection.api_token)"))
	}
	endpoint, err := cfg.endpoint()
	if err != nil {
		errs = append(errs, err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RequestsPerHour <= 0 {
		cfg.RequestsPerHour, cfg.Window = DefaultRequestsPerMinute, time.Minute
	}
	if cfg.Window <= 0 {
		cfg.Window = time.Hour
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.Budget == nil {
		cfg.Budget = psahttp.NewBudget(cfg.RequestsPerHour, cfg.Window, cfg.Now)
	}
	return endpoint, errors.Join(errs...)
}

// endpoint is the URL override, or the region's endpoint.
func (cfg *Config) endpoint() (string, error) {
	if cfg.URL == "" {
		region := strings.ToLower(strings.TrimSpace(cfg.Region))
		if region == "" {
			region = DefaultRegion
		}
		ep, ok := Regions[region]
		if !ok {
			return "", fmt.Errorf("superops: region %q: set us or eu", cfg.Region)
		}
		return ep, nil
	}
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("superops: url: must be an absolute http(s) URL")
	}
	if u.Path == "" {
		u.Path = "/msp"
	}
	return u.String(), nil
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
