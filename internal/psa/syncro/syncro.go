// Package syncro is the Syncro (SyncroMSP) connector: a thin hand-written
// client for the REST API under https://<subdomain>.syncromsp.com/api/v1
// (an API token in the Authorization header, 1-based pages with meta,
// wrapped single objects, error bodies whose shape differs per endpoint)
// behind the psa.Connector port. All traffic goes through psahttp, so the
// request budget, the concurrency cap, retries of reads and error
// classification are applied in one place.
//
// How Syncro maps onto the port:
//
//   - psa.FieldStatus is the tenant's ticket_status_list; a status's id is
//     its name, as the API takes it. A ticket is Closed when its status
//     starts with "Resolved" (Syncro's terminal statuses) or is Invoiced.
//   - psa.FieldPriority is /settings ticket.priorities, ids are the names.
//   - psa.FieldQueue is the ticket type (ticket_type_id): Syncro has no
//     queues, and ticket types, with their own fields and forms, are how
//     a tenant routes kinds of work.
//   - psa.FieldIssueType is the problem type (/settings
//     ticket.problem_types), ids are the names. Syncro has no second level,
//     no category, no source and no separate ticket type field.
//   - psa.FieldNoteType holds one synthetic value, "Comment": comments
//     have no type. A note's title is the comment's subject, its text the
//     body; internal notes are hidden, external ones public without email
//     (do_not_email), so the customer is never mailed by ticketbridge.
//   - psa.FieldCompanyType is Business or Individual: customers with a
//     business name, and people. Customers have no classification.
//   - A ticket's external reference is the custom field (properties)
//     named RefField, found again through the tickets list's query search.
//   - A ticket's description is its first comment ("Initial Issue").
//   - The change feed is GET /tickets?since_updated_at=. TicketsByID
//     answers from what the connector has seen, refreshed by one change
//     feed read from the oldest of them (Syncro has no list-by-ids).
package syncro

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

// Defaults for zero Config fields. Syncro allows 180 requests a minute
// per client address; the hourly budget is that rate, and the connector
// also paces itself to 180 in any minute when its budget counts an hour.
const (
	DefaultRequestsPerMinute = 180
	DefaultRequestsPerHour   = DefaultRequestsPerMinute * 60
	DefaultMaxConcurrent     = 3
	apiPath                  = "/api/v1"
)

// RefField is the ticket custom field (a key of properties) that holds
// ticketbridge's external reference.
const RefField = "TicketBridge Reference"

// NoteTypeID and NoteTypeLabel are the one synthetic note type.
const (
	NoteTypeID    = "comment"
	NoteTypeLabel = "Comment"
)

// Company types: customers with a business name, and people.
const (
	TypeBusiness   = "business"
	TypeIndividual = "individual"
)

// initialSubject is the subject of the comment that carries a ticket's
// description.
const initialSubject = "Initial Issue"

const picklistTTL = 5 * time.Minute

// Config configures a Connector.
type Config struct {
	// Subdomain is the tenant's: "acme", "acme.syncromsp.com" or
	// "https://acme.syncromsp.com/" are all read as "acme".
	Subdomain string
	// URL overrides the API's address (a simulator, a proxy): scheme and
	// host, with or without /api/v1.
	URL string
	// APIToken is the API user's token.
	APIToken secret.Secret
	// RequestsPerHour sizes the budget built when Budget is nil.
	RequestsPerHour int
	// PaceMinute caps requests in any minute at RequestsPerHour/60, for a
	// budget counted over an hour: Syncro's limit is per minute.
	PaceMinute    bool
	MaxConcurrent int
	Budget        *psahttp.Budget
	HTTPClient    *http.Client
	Logger        *slog.Logger
	Now           func() time.Time
	Observe       func(op string, status int, d time.Duration)
	Timeout       time.Duration
	MaxAttempts   int
	RetryBackoff  time.Duration
}

// Connector is a psa.Connector for one Syncro tenant.
type Connector struct {
	cfg  Config
	http *psahttp.Client
	log  *slog.Logger
	base string // .../api/v1
	pace *psahttp.Budget

	pickMu  sync.Mutex
	picks   psa.Picklists
	pickExp time.Time

	seen ticketCache
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

// New validates cfg and returns a Connector; it makes no request.
func New(cfg Config) (*Connector, error) {
	base, err := cfg.defaults()
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
	c := &Connector{cfg: cfg, http: hc, log: log, base: base}
	if cfg.PaceMinute {
		c.pace = psahttp.NewBudget(max(1, cfg.Budget.Limit()/60), time.Minute, cfg.Now)
	}
	return c, nil
}

// defaults fills zero fields and returns the API root, or every problem.
func (cfg *Config) defaults() (string, error) {
	var errs []error
	if strings.TrimSpace(cfg.APIToken.Reveal()) == "" {
		errs = append(errs, errors.New("syncro: set the API token"))
	}
	base, err := apiRoot(cfg.URL, cfg.Subdomain)
	if err != nil {
		errs = append(errs, err)
	}
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
	return base, errors.Join(errs...)
}

// apiRoot is the API's root: the URL override, else the subdomain's host.
func apiRoot(override, subdomain string) (string, error) {
	if override = strings.TrimSpace(override); override != "" {
		u, err := url.Parse(override)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			return "", errors.New("syncro: url must be an absolute http(s) URL such as https://acme.syncromsp.com")
		}
		return strings.TrimSuffix(strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), apiPath) + apiPath, nil
	}
	sub, err := NormalizeSubdomain(subdomain)
	if err != nil {
		return "", err
	}
	return "https://" + sub + ".syncromsp.com" + apiPath, nil
}

// NormalizeSubdomain reads "acme", "acme.syncromsp.com" or
// "https://acme.syncromsp.com/" as "acme".
func NormalizeSubdomain(v string) (string, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.Index(v, "://"); i >= 0 {
		v = v[i+3:]
	}
	v, _, _ = strings.Cut(v, "/")
	v = strings.TrimSuffix(v, ".syncromsp.com")
	if v == "" || strings.ContainsAny(v, ".:@ ") {
		return "", fmt.Errorf("syncro: subdomain %q: set the part of your Syncro address before .syncromsp.com", v)
	}
	return v, nil
}

// Budget returns the request budget this connector draws on.
func (c *Connector) Budget() *psahttp.Budget { return c.cfg.Budget }

// BudgetRemaining implements psa.Budgeted.
func (c *Connector) BudgetRemaining() int { return c.cfg.Budget.Remaining() }

// BudgetTimes implements psa.BudgetState.
func (c *Connector) BudgetTimes() []time.Time { return c.Budget().Times() }

// SeedBudget implements psa.BudgetState.
func (c *Connector) SeedBudget(times []time.Time) { c.Budget().Seed(times) }

// JournalBudget implements psa.BudgetJournal.
func (c *Connector) JournalBudget(journal func(runs []psa.BudgetRun) error, claimFor time.Duration) {
	b := c.Budget()
	b.SetJournal(journal, psahttp.ClaimSize(b.Limit()), claimFor)
}
