package connectwisesim

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// Member is an API member of the simulated tenant. CompanyID is the login
// company (the "company" of company+publicKey:privateKey), not a customer
// company record.
type Member struct {
	CompanyID  string
	PublicKey  string
	PrivateKey string
	Identifier string
	MemberID   int
}

// Options configures a Sim. The zero value gives a realistic tenant with no
// throttling (ConnectWise documents no numeric rate limit) and no latency.
// Behaviours the reference notes mark as unverified are switches here, with
// the default named on each field.
type Options struct {
	// Members are the API members; default DefaultMembers(): the
	// ticketbridge API member and a technician.
	Members []Member
	// ClientID is the accepted clientId header; default DefaultClientID.
	// Requests without it, or with another value, get 401.
	ClientID string
	// Codebase is what /login/companyinfo advertises; the API is mounted
	// under it as well as under v4_6_release/. Default "v2025_1/".
	Codebase string
	// RateLimit is the number of API requests allowed per rolling Window;
	// 0 (the default) disables throttling, since ConnectWise publishes no
	// limit. One unsourced guide claims 60 per minute.
	RateLimit int
	// Window is the rolling window of RateLimit; default one minute.
	Window time.Duration
	// ThrottleStatus is the status of a throttled answer; default 429.
	// Cloud tenants are reported to answer 503 under load as well.
	ThrottleStatus int
	// RejectOversizePage answers pageSize > 1000 with 400 instead of
	// clamping it to 1000 (which of the two ConnectWise does is unverified).
	RejectOversizePage bool
	// BoardMoveDefaults makes a ticket moved to another board without a
	// valid status (type, subtype, item, team) of that board take the new
	// board's defaults; by default such a move fails validation. Which one
	// ConnectWise does is unverified.
	BoardMoveDefaults bool
	// AllowFlaglessNotes accepts notes with none of detailDescriptionFlag,
	// internalAnalysisFlag and resolutionFlag set; by default they are
	// refused (unverified either way).
	AllowFlaglessNotes bool
	// KeyURLStringEncoded makes the callback key_url answer a JSON string
	// holding {"signing_key":"…"} (what connectwise-rest parses) instead of
	// the plain object (what Nango reads).
	KeyURLStringEncoded bool
	// SigningKey signs callback deliveries; default DefaultSigningKey.
	SigningKey string
	// BaseURL is the site URL used in callback payloads (FromUrl, key_url);
	// default: the scheme and host of the request that caused the change.
	BaseURL string
	// CallbackClient sends callback deliveries; default a client with a
	// 10 s time-out.
	CallbackClient *http.Client
	// Latency is a fixed delay added to every API request.
	Latency time.Duration
	// Now is the clock; default time.Now. Times are kept to the second, as
	// ConnectWise does.
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultClientID   = "6f1c2d3e-4b5a-4c7d-9e8f-0a1b2c3d4e5f"
	DefaultCodebase   = "v2025_1/"
	DefaultWindow     = time.Minute
	DefaultSigningKey = "tbsim-callback-signing-key-0001"
	// DefaultCompanyID is the login company of the default members.
	DefaultCompanyID = "msptest"
	// StableCodebase is the alias every client may hard-code.
	StableCodebase = "v4_6_release/"
	// apiVersion is the version the simulated tenant runs.
	apiVersion = "2025.1"
)

// DefaultMembers returns the API member ticketbridge uses and a technician
// member tests use to act on tickets as a human would.
func DefaultMembers() []Member {
	return []Member{
		{CompanyID: DefaultCompanyID, PublicKey: "tbPublicKey0001", PrivateKey: "tb-Private$Key~0001", Identifier: "ticketbridge", MemberID: 150},
		{CompanyID: DefaultCompanyID, PublicKey: "techPublicKey02", PrivateKey: "tech-private-key-02", Identifier: "jtech", MemberID: 151},
	}
}

func (o Options) withDefaults() Options {
	if len(o.Members) == 0 {
		o.Members = DefaultMembers()
	}
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.Codebase == "" {
		o.Codebase = DefaultCodebase
	}
	if !strings.HasSuffix(o.Codebase, "/") {
		o.Codebase += "/"
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.ThrottleStatus == 0 {
		o.ThrottleStatus = http.StatusTooManyRequests
	}
	if o.SigningKey == "" {
		o.SigningKey = DefaultSigningKey
	}
	if o.CallbackClient == nil {
		o.CallbackClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Sim is a simulated ConnectWise PSA (Manage) tenant served over HTTP. It is
// safe for concurrent use; its state changes only through the API.
type Sim struct {
	opts    Options
	members map[string]Member // by lower-case company+"+"+publicKey

	mu     sync.Mutex // guards tables and callouts
	tables map[string]*table

	limiter *simkit.Window // keyed by tenant; off unless Options.RateLimit
	reqSeq  atomic.Int64

	// Callback deliveries run on goroutines owned by the Sim; Close
	// cancels them and waits.
	ctx      context.Context
	cancel   context.CancelFunc
	inflight sync.WaitGroup
	callouts []Callout
}

// New returns a Sim seeded with the companies, contacts, boards and
// agreements listed in the package documentation.
func New(opts Options) *Sim {
	opts = opts.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sim{
		opts:    opts,
		members: make(map[string]Member, len(opts.Members)),
		tables:  make(map[string]*table),
		limiter: simkit.NewWindow(opts.RateLimit, opts.Window, opts.Now),
		ctx:     ctx,
		cancel:  cancel,
	}
	for _, m := range opts.Members {
		s.members[memberKey(m.CompanyID, m.PublicKey)] = m
	}
	s.seed(s.now())
	return s
}

func memberKey(company, public string) string {
	return strings.ToLower(company) + "+" + public
}

// Members returns the configured API members.
func (s *Sim) Members() []Member { return append([]Member(nil), s.opts.Members...) }

// ClientID returns the accepted clientId header value.
func (s *Sim) ClientID() string { return s.opts.ClientID }

// CompanyID returns the login company id (of the first member).
func (s *Sim) CompanyID() string { return s.opts.Members[0].CompanyID }

// SigningKey returns the key callback deliveries are signed with.
func (s *Sim) SigningKey() string { return s.opts.SigningKey }

// RequestCount returns the number of API requests counted in the current
// rate-limit window (0 when throttling is off).
func (s *Sim) RequestCount() int { return s.limiter.Count(tenant) }

// Close stops callback deliveries in flight and waits for them to end.
func (s *Sim) Close() {
	s.mu.Lock()
	s.cancel()
	s.mu.Unlock()
	s.inflight.Wait()
}

// now is the clock truncated to whole seconds in UTC.
func (s *Sim) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }
