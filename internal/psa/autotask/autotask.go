// Package autotask is the Autotask PSA connector: a thin hand-written client
// for the REST API (zone discovery, header authentication, query paging,
// error envelopes) behind the psa.Connector port.
//
// All traffic goes through psahttp, so the request budget (10,000 per rolling
// hour per database), the thread limit (3 concurrent requests) and error
// classification are applied in one place.
package autotask

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

// Defaults for zero Config fields.
const (
	DefaultBaseURL         = "https://webservices.autotask.net/atservicesrest/"
	DefaultRequestsPerHour = 10000
	DefaultMaxConcurrent   = 3
	DefaultDueIn           = 24 * time.Hour
	// DefaultPublishExternal and DefaultPublishInternal are the TicketNotes
	// publish values used for external and internal notes. Which publish
	// level a customer can read is unverified (see the API notes), so both
	// are configurable.
	DefaultPublishExternal = 1 // All Autotask Users
	DefaultPublishInternal = 2 // Internal Project Team
)

// picklistTTL is how long picklists are reused: they change when an admin
// edits them, rarely, and three metadata calls per resolution would eat the
// request budget.
const picklistTTL = 5 * time.Minute

// zoneTTL is how long the discovered zone is trusted; a tenant moves zones
// only in a migration.
const zoneTTL = 24 * time.Hour

// Config configures a Connector.
type Config struct {
	// BaseURL is the zone discovery root; tests point it at the simulator.
	BaseURL string
	// ZoneURL, when set, skips discovery and is used as the API root. It
	// must end in /atservicesrest/.
	ZoneURL         string
	Username        string
	Secret          secret.Secret
	IntegrationCode secret.Secret
	// RequestsPerHour sizes the budget built when Budget is nil.
	RequestsPerHour int
	// MaxConcurrent caps requests in flight (Autotask's thread limit).
	MaxConcurrent int
	HTTPClient    *http.Client
	Logger        *slog.Logger
	Now           func() time.Time
	Observe       func(op string, status int, d time.Duration)
	// Budget is optional and may be shared by every connector drawing on the
	// same Autotask database; built from RequestsPerHour when nil.
	Budget *psahttp.Budget
	// PublishExternal and PublishInternal are the note publish values for
	// the two visibilities.
	PublishExternal int
	PublishInternal int
	// Timeout bounds one request (psahttp default when zero).
	Timeout time.Duration
	// MaxAttempts and RetryBackoff tune in-call retries of reads (psahttp
	// defaults when zero).
	MaxAttempts  int
	RetryBackoff time.Duration
	// DueIn is added to the current time for tickets created without a due
	// date: Autotask rejects a ticket without dueDateTime unless its
	// category supplies one.
	DueIn time.Duration
}

// Connector is a psa.Connector for one Autotask database.
type Connector struct {
	cfg  Config
	http *psahttp.Client
	log  *slog.Logger
	now  func() time.Time

	zoneMu  sync.Mutex
	zone    string
	zoneExp time.Time

	pickMu  sync.Mutex
	picks   psa.Picklists
	pickExp time.Time

	selfMu sync.Mutex
	self   string // our API user's resource id, once looked up
}

var _ psa.Connector = (*Connector)(nil)

// New validates cfg, fills defaults and returns a Connector. It makes no
// request: zone discovery happens on the first call.
func New(cfg Config) (*Connector, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := psahttp.New(psahttp.Config{
		MaxConcurrent: cfg.MaxConcurrent,
		Budget:        cfg.Budget,
		Timeout:       cfg.Timeout,
		MaxAttempts:   cfg.MaxAttempts,
		RetryBackoff:  cfg.RetryBackoff,
		HTTPClient:    cfg.HTTPClient,
		Logger:        log,
		Observe:       cfg.Observe,
		Now:           cfg.Now,
		ClassifyBody:  classifyBody,
	})
	c := &Connector{cfg: cfg, http: hc, log: log, now: cfg.Now}
	if cfg.ZoneURL != "" {
		c.zone, c.zoneExp = cfg.ZoneURL, time.Unix(1<<62, 0)
	}
	return c, nil
}

// defaults fills zero fields and reports every missing setting at once.
func (cfg *Config) defaults() error {
	var errs []error
	if strings.TrimSpace(cfg.Username) == "" {
		errs = append(errs, errors.New("autotask: set the API user's username"))
	}
	if cfg.Secret.IsZero() {
		errs = append(errs, errors.New("autotask: set the API user's secret"))
	}
	if cfg.IntegrationCode.IsZero() {
		errs = append(errs, errors.New("autotask: set the API integration code (tracking identifier)"))
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if !strings.HasSuffix(cfg.BaseURL, "/") {
		cfg.BaseURL += "/"
	}
	if err := checkRoot(cfg.BaseURL); err != nil {
		errs = append(errs, fmt.Errorf("autotask: base URL: %w", err))
	}
	if cfg.ZoneURL != "" {
		if !strings.HasSuffix(strings.ToLower(cfg.ZoneURL), "/atservicesrest/") {
			errs = append(errs, errors.New("autotask: zone URL must end in /atservicesrest/"))
		} else if err := checkRoot(cfg.ZoneURL); err != nil {
			errs = append(errs, fmt.Errorf("autotask: zone URL: %w", err))
		}
	}
	cfg.fillNumbers()
	return errors.Join(errs...)
}

func (cfg *Config) fillNumbers() {
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
	if cfg.PublishExternal == 0 {
		cfg.PublishExternal = DefaultPublishExternal
	}
	if cfg.PublishInternal == 0 {
		cfg.PublishInternal = DefaultPublishInternal
	}
	if cfg.DueIn <= 0 {
		cfg.DueIn = DefaultDueIn
	}
}

// checkRoot accepts absolute http(s) URLs.
func checkRoot(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http(s) URL")
	}
	return nil
}

// Budget returns the request budget this connector draws on.
func (c *Connector) Budget() *psahttp.Budget { return c.cfg.Budget }

// BudgetRemaining implements psa.Budgeted.
func (c *Connector) BudgetRemaining() int { return c.cfg.Budget.Remaining() }
