// Package servicenow is the ServiceNow connector: a thin hand-written
// client for the Table API (/api/now/v2/table/...) behind the psa.Connector
// port. All traffic goes through psahttp, so the request budget, the
// concurrency cap, retries of reads and error classification are applied
// in one place.
//
// How ServiceNow maps onto the port:
//
//   - Tickets are incidents, or CSM cases with connection.table
//     sn_customerservice_case. A ticket's id is its sys_id, its number the
//     INC/CS number, and our external reference is correlation_id (with
//     correlation_display "ticketbridge"), looked up before every retried
//     create.
//   - psa.FieldStatus is the state choice list, psa.FieldPriority the
//     priority list. ServiceNow computes priority from impact and urgency,
//     so a priority is written as the pair that gives it (priority =
//     impact + urgency - 1): 1 Critical = 1/1, 2 High = 1/2, 3 Moderate =
//     2/2, 4 Low = 2/3, 5 Planning = 3/3.
//   - psa.FieldQueue is the assignment group (sys_user_group).
//   - psa.FieldIssueType is category and psa.FieldSubIssueType subcategory
//     (Parent = the category it depends on); psa.FieldSource is
//     contact_type. There is no ticket category or type beside them.
//   - Companies are core_company; their type is derived from the
//     customer, vendor and manufacturer flags. Contacts are sys_user rows
//     of the company (caller_id, or contact on cases).
//   - Notes are journal entries: work_notes (internal) or comments
//     (external), read back from sys_journal_field. Journal entries have
//     no title, so a title is the text's first line; the one note type is
//     synthetic.
//   - Resolving (and closing) sends close_code and close_notes, which the
//     resolve data policy demands; On Hold sends a hold_reason.
//   - The change feed is sys_updated_on; activity by others is read from
//     sys_journal_field and sys_audit (state changes).
//
// The Table API validates no choice value: an unknown state or category
// would be stored as given. The connector checks every picklist value
// against the instance's own lists before writing.
package servicenow

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

// Defaults for zero Config fields. ServiceNow publishes no fixed quota:
// admins set per-user hourly rules, so the default budget is a modest one
// that an instance's rule should replace (connection.requests_per_hour).
const (
	DefaultRequestsPerHour = 3600
	DefaultMaxConcurrent   = psahttp.DefaultMaxConcurrent
	// CorrelationDisplay names our system on every ticket we create.
	CorrelationDisplay = "ticketbridge"
	// picklistTTL bounds how stale cached choice lists may get.
	picklistTTL = 5 * time.Minute
)

// Config configures a Connector.
type Config struct {
	// Instance is the instance name ("acme") or URL
	// ("https://acme.service-now.com", a custom domain, or a simulator).
	Instance string
	// Table is incident (default) or sn_customerservice_case.
	Table string
	// Username and Password sign in with Basic authentication, or with the
	// OAuth password grant when ClientID is set.
	Username string
	Password secret.Secret
	// ClientID and ClientSecret are an OAuth application registry entry's;
	// with RefreshToken the refresh_token grant is used, else the password
	// grant.
	ClientID, ClientSecret, RefreshToken secret.Secret

	RequestsPerHour int
	MaxConcurrent   int
	// Budget is optional and may be shared; built from RequestsPerHour
	// when nil.
	Budget       *psahttp.Budget
	HTTPClient   *http.Client
	Logger       *slog.Logger
	Now          func() time.Time
	Observe      func(op string, status int, d time.Duration)
	Timeout      time.Duration
	MaxAttempts  int
	RetryBackoff time.Duration
}

// Connector is a psa.Connector for one ServiceNow instance.
type Connector struct {
	cfg   Config
	http  *psahttp.Client
	log   *slog.Logger
	base  string // scheme://host
	table tableInfo
	oauth *tokenSource

	pickMu  sync.Mutex
	picks   *picklists
	pickExp time.Time
}

var (
	_ psa.Connector      = (*Connector)(nil)
	_ psa.ChangeFeed     = (*Connector)(nil)
	_ psa.ActivityReader = (*Connector)(nil)
	_ psa.TicketLister   = (*Connector)(nil)
	_ psa.ContactBatcher = (*Connector)(nil)
	_ psa.Budgeted       = (*Connector)(nil)
	_ psa.BudgetState    = (*Connector)(nil)
	_ psa.BudgetJournal  = (*Connector)(nil)
)

// New validates cfg and returns a Connector. It makes no request.
func New(cfg Config) (*Connector, error) {
	base, err := instanceURL(cfg.Instance)
	if err != nil {
		return nil, fmt.Errorf("servicenow: connection.url: %w", err)
	}
	tbl, ok := tables[cfg.Table]
	if cfg.Table == "" {
		tbl, ok = tables["incident"], true
	}
	if !ok {
		return nil, fmt.Errorf("servicenow: connection.table %q: use incident or sn_customerservice_case", cfg.Table)
	}
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Connector{cfg: cfg, log: log, base: base, table: tbl}
	c.http = psahttp.New(psahttp.Config{
		MaxConcurrent: cfg.MaxConcurrent, Budget: cfg.Budget, Timeout: cfg.Timeout, MaxAttempts: cfg.MaxAttempts,
		RetryBackoff: cfg.RetryBackoff, HTTPClient: cfg.HTTPClient, Logger: log, Observe: cfg.Observe, Now: cfg.Now,
	})
	if !cfg.ClientID.IsZero() {
		// Token requests go to the instance's OAuth endpoint, not the
		// Table API whose rate rules the budget mirrors.
		c.oauth = &tokenSource{c: c, http: psahttp.New(psahttp.Config{
			Timeout: cfg.Timeout, MaxAttempts: cfg.MaxAttempts, RetryBackoff: cfg.RetryBackoff,
			HTTPClient: cfg.HTTPClient, Logger: log, Observe: cfg.Observe, Now: cfg.Now,
		})}
	}
	return c, nil
}

// defaults fills zero fields and reports every missing credential at once.
func (cfg *Config) defaults() error {
	var errs []error
	oauth := !cfg.ClientID.IsZero()
	switch {
	case oauth && cfg.ClientSecret.IsZero():
		errs = append(errs, errors.New("servicenow: set connection.client_secret with connection.client_id"))
	case oauth && cfg.RefreshToken.IsZero() && (cfg.Username == "" || cfg.Password.IsZero()):
		errs = append(errs, errors.New("servicenow: OAuth needs connection.refresh_token, or connection.username and connection.secret for the password grant"))
	case !oauth && (strings.TrimSpace(cfg.Username) == "" || cfg.Password.IsZero()):
		errs = append(errs, errors.New("servicenow: set connection.username and connection.secret (the integration user's password), or an OAuth client"))
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
	return errors.Join(errs...)
}

// instanceURL accepts an instance name ("acme" is
// https://acme.service-now.com), a host, or an absolute http(s) URL
// without a path.
func instanceURL(raw string) (string, error) {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	switch {
	case raw == "":
		return "", errors.New("set the instance URL, e.g. https://acme.service-now.com")
	case !strings.Contains(raw, "://") && !strings.ContainsAny(raw, ".:/"):
		return "https://" + raw + ".service-now.com", nil
	case !strings.Contains(raw, "://"):
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("must be an instance name or an absolute http(s) URL")
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return "", errors.New("must be the instance's root, e.g. https://acme.service-now.com")
	}
	return u.Scheme + "://" + u.Host, nil
}

// tableInfo is what differs between the incident and the case table.
type tableInfo struct {
	name, company, contact string
	// closed states end a ticket for us; resolve states need close_code
	// and close_notes.
	closed, resolve []string
}

var tables = map[string]tableInfo{
	"incident": {name: "incident", company: "company", contact: "caller_id",
		closed: []string{"6", "7", "8"}, resolve: []string{"6", "7"}},
	"sn_customerservice_case": {name: "sn_customerservice_case", company: "account", contact: "contact",
		closed: []string{"6", "3", "7"}, resolve: []string{"6", "3"}},
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
