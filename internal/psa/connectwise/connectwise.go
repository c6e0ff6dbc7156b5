// Package connectwise is the ConnectWise PSA (Manage) connector: a thin
// hand-written client for REST API 3.0 (codebase discovery, Basic
// authentication with the clientId header, conditions queries with Link
// paging, JSON-Patch updates, the {"code","message","errors"} error shape)
// behind the psa.Connector port. All traffic goes through psahttp, so the
// request budget, the concurrency cap, retries of reads and error
// classification are applied in one place.
//
// How ConnectWise maps onto the port:
//
//   - psa.FieldQueue is the service board.
//   - psa.FieldStatus holds the statuses of every board, each with Parent =
//     its board id: ConnectWise statuses belong to one board, so a status
//     name is resolved under the chosen board.
//   - psa.FieldIssueType is the board's types (Parent = board id) and
//     psa.FieldSubIssueType its subtypes (Parent = type id, one value per
//     type a subtype is associated with). Items have no port field.
//   - psa.FieldPriority, psa.FieldSource and psa.FieldCompanyType are the
//     priorities, sources and company types.
//   - psa.FieldType is empty: recordType only tells service tickets from
//     project tickets and is always ServiceTicket here; a board's types
//     are the issue types. psa.FieldCategory and psa.FieldClassification
//     are empty: ConnectWise has neither.
//   - psa.FieldNoteType holds one synthetic value, NoteTypeID ("Service
//     Note"): ConnectWise notes have no type, only flags. Visibility
//     internal sets internalAnalysisFlag, external detailDescriptionFlag.
//     A note's title is its first line (notes have no title field).
//   - A ticket's external reference is externalXRef, the ticket field
//     ConnectWise names for a cross-reference to another system.
//   - A ticket is Closed when its closedFlag is set or its status is a
//     closedStatus of its board.
//   - Ticket ids are the ticket numbers: Ticket.Number is the id.
//   - Contracts are agreements (TicketPatch.ContractID sets "agreement"),
//     services are procurement catalog items and a contract service is an
//     agreement addition, whose quantity is the contract service's units.
//   - The change feed is service/tickets by _info.lastUpdated; ticket
//     webhooks are system/callbacks, signed by ConnectWise with a key it
//     chooses and publishes at the callout's key_url.
package connectwise

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

// Defaults for zero Config fields. ConnectWise publishes no rate limit;
// the one figure in circulation is 60 requests a minute (unsourced), so
// that is the default budget, and the concurrency cap is psahttp's.
const (
	DefaultSite            = "https://api-na.myconnectwise.net"
	DefaultRequestsPerHour = 3600
	DefaultMaxConcurrent   = psahttp.DefaultMaxConcurrent
	// DefaultCodebase is the stable alias most clients hard-code; it is
	// used when companyinfo names no codebase.
	DefaultCodebase = "v4_6_release/"
)

// NoteTypeID is the one synthetic note type: ConnectWise notes are told
// apart by flags, not by a type.
const (
	NoteTypeID    = "service_note"
	NoteTypeLabel = "Service Note"
)

// Cache lifetimes: picklists and board statuses change when an admin edits
// them, rarely; the codebase changes on an upgrade, and a 404 that is not
// ConnectWise's own answer triggers a fresh discovery before then.
const (
	picklistTTL = 5 * time.Minute
	codebaseTTL = 24 * time.Hour
)

// Config configures a Connector.
type Config struct {
	// Site is the ConnectWise host, e.g. "https://api-na.myconnectwise.net"
	// or an on-premise server: the base for /login/companyinfo discovery and
	// the API. Cloud login hosts (na.myconnectwise.net) are mapped to their
	// API hosts. Tests point it at the simulator.
	Site string
	// Codebase, when set ("v2025_1/"), skips discovery.
	Codebase string
	// CompanyID is the login company.
	CompanyID string
	// PublicKey and PrivateKey are the API member's keys.
	PublicKey  string
	PrivateKey secret.Secret
	// ClientID is the integration's clientId header. ConnectWise asks that
	// it be kept like a password, so it is a Secret and never logged.
	ClientID secret.Secret
	// MemberIdentifier is the API member's Member ID ("ticketbridge"), how
	// notes, time entries and _info name who wrote them. ConnectWise has no
	// "who am I" call and cannot look a member up by public key, so when it
	// is empty TicketActivity takes the member that entered the ticket
	// ticketbridge created as ours (see TicketActivity).
	MemberIdentifier string
	// RequestsPerHour sizes the budget built when Budget is nil.
	RequestsPerHour int
	// MaxConcurrent caps requests in flight.
	MaxConcurrent int
	// Budget is optional and may be shared by every connector drawing on
	// the same ConnectWise tenant; built from RequestsPerHour when nil.
	Budget     *psahttp.Budget
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
	Observe    func(op string, status int, d time.Duration)
	// Timeout bounds one request (psahttp default when zero).
	Timeout time.Duration
	// MaxAttempts and RetryBackoff tune in-call retries of reads (psahttp
	// defaults when zero).
	MaxAttempts  int
	RetryBackoff time.Duration
}

// Connector is a psa.Connector for one ConnectWise company.
type Connector struct {
	cfg  Config
	http *psahttp.Client
	log  *slog.Logger
	now  func() time.Time
	api  string // scheme://host of the API, from Site

	baseMu  sync.Mutex
	base    string // API root ending in /apis/3.0/
	baseExp time.Time

	pickMu  sync.Mutex
	picks   psa.Picklists
	pickExp time.Time

	boards boardCache

	keys   keyCache   // callback signing keys by key_url
	addMu  sync.Mutex // serialises read-modify-write of addition quantities
	addIDs map[int64]*sync.Mutex
}

var (
	_ psa.Connector = (*Connector)(nil)
	_ psa.Budgeted  = (*Connector)(nil)
)

// New validates cfg, fills defaults and returns a Connector. It makes no
// request: discovery happens on the first call.
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
		HTTPClient:    captureClient(cfg.HTTPClient),
		Logger:        log,
		Observe:       cfg.Observe,
		Now:           cfg.Now,
	})
	c := &Connector{cfg: cfg, http: hc, log: log, now: cfg.Now, api: apiHost(cfg.Site)}
	c.boards.ttl = picklistTTL
	if cfg.Codebase != "" {
		c.base, c.baseExp = c.api+"/"+cfg.Codebase+"apis/3.0/", time.Unix(1<<62, 0)
	}
	return c, nil
}

// defaults fills zero fields and reports every missing setting at once.
func (cfg *Config) defaults() error {
	var errs []error
	for _, f := range []struct{ val, msg string }{
		{cfg.CompanyID, "set the login company id"},
		{cfg.PublicKey, "set the API member's public key"},
		{cfg.PrivateKey.Reveal(), "set the API member's private key"},
		{cfg.ClientID.Reveal(), "set the integration's clientId"},
	} {
		if strings.TrimSpace(f.val) == "" {
			errs = append(errs, errors.New("connectwise: "+f.msg))
		}
	}
	if cfg.Site == "" {
		cfg.Site = DefaultSite
	}
	cfg.Site = strings.TrimRight(cfg.Site, "/")
	if err := checkSite(cfg.Site); err != nil {
		errs = append(errs, fmt.Errorf("connectwise: site: %w", err))
	}
	if cfg.Codebase != "" {
		cfg.Codebase = strings.Trim(cfg.Codebase, "/") + "/"
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

// checkSite accepts an absolute http(s) URL without a path: discovery and
// the API both hang off the host's root.
func checkSite(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http(s) URL")
	}
	if u.Path != "" || u.RawQuery != "" {
		return errors.New("must be the host only, e.g. https://api-na.myconnectwise.net")
	}
	return nil
}

// cloudAPIHosts maps ConnectWise cloud login hosts to their API hosts, so
// an admin may paste either.
var cloudAPIHosts = map[string]string{
	"na.myconnectwise.net":       "api-na.myconnectwise.net",
	"eu.myconnectwise.net":       "api-eu.myconnectwise.net",
	"au.myconnectwise.net":       "api-au.myconnectwise.net",
	"aus.myconnectwise.net":      "api-aus.myconnectwise.net",
	"za.myconnectwise.net":       "api-za.myconnectwise.net",
	"staging.connectwisedev.com": "api-staging.connectwisedev.com",
}

// apiHost returns scheme://host of the API for site.
func apiHost(site string) string {
	u, err := url.Parse(site)
	if err != nil {
		return site
	}
	if h, ok := cloudAPIHosts[strings.ToLower(u.Hostname())]; ok {
		u.Host = h
	}
	return u.Scheme + "://" + u.Host
}

// Budget returns the request budget this connector draws on.
func (c *Connector) Budget() *psahttp.Budget { return c.cfg.Budget }

// BudgetRemaining implements psa.Budgeted.
func (c *Connector) BudgetRemaining() int { return c.cfg.Budget.Remaining() }
