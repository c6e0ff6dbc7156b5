package servicenowsim

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// Options tune the simulator. The zero value is an instance as the notes
// describe its baseline: no rate-limit rule, case-insensitive string
// equality, resolved incidents still active, no auto-close.
type Options struct {
	// RateLimit is the requests per Window a rate-limit rule allows each
	// user (ServiceNow counts per user); 0 means no rule matches.
	RateLimit int
	// Window is the rule's window; one hour when zero (rules are hourly).
	Window time.Duration
	// Latency is added to every answer.
	Latency time.Duration
	// Now is the instance's clock; time.Now when nil.
	Now func() time.Time
	// CaseSensitive makes = and IN compare case-sensitively, as the docs
	// say; in practice the database collation makes them insensitive
	// (unverified), which is the default.
	CaseSensitive bool
	// ResolvedInactive sets active=false on Resolved (6) too; the baseline
	// is believed to keep resolved incidents active until closure
	// (unverified).
	ResolvedInactive bool
	// AutoClose closes resolved incidents this long after resolution
	// (the auto-close job); 0 never.
	AutoClose time.Duration
	// RequireHoldReason refuses On Hold (3) without a hold_reason.
	RequireHoldReason bool
	// WritableClosed lets non-admins update Closed and Canceled
	// incidents; by default they are read-only (403), as record ACLs make
	// them on most instances (unverified).
	WritableClosed bool
	// StrictChoices refuses choice values sys_choice does not list; the
	// real Table API stores them as given.
	StrictChoices bool
	// InvalidQueryNoRows answers a query naming an unknown field with no
	// rows (glide.invalid_query.returns_no_rows); by default the unknown
	// condition is dropped and the rest applied.
	InvalidQueryNoRows bool
	// DenyChoices refuses the integration user's reads of sys_choice (403),
	// as hardened instances may (unverified).
	DenyChoices bool
	// APIKeys accepts each user's API key in x-sn-apikey.
	APIKeys bool
	// Semaphore, when above 0, is the number of transactions the instance
	// runs at once; the excess is answered with SemaphoreStatus (429 or
	// 503, without rate-limit headers), as an exhausted API semaphore pool
	// answers.
	Semaphore       int
	SemaphoreStatus int
	// TokenLife is an OAuth access token's life; 1800s when zero (the
	// answer says expires_in 1799).
	TokenLife time.Duration
}

// User is a sys_user who can sign in.
type User struct {
	SysID, UserName, Password, Name, Email string
	Roles                                  []string
	APIKey                                 string
}

// token is an issued OAuth access token.
type token struct {
	user    string // user_name
	expires time.Time
}

// Sim is a ServiceNow instance. It is safe for concurrent use.
type Sim struct {
	opt    Options
	window *simkit.Window
	gate   *simkit.Gate
	ruleID string
	seq    atomic.Uint64 // sys_id sequence

	clientID, clientSecret string

	mu      sync.Mutex
	tables  map[string]*table
	users   map[string]*User // by user_name
	tokens  map[string]token
	refresh map[string]string // refresh token → user_name
	numbers map[string]int    // next number by prefix
}

// table holds a table's records in insertion order.
type table struct {
	rows []record
	byID map[string]record
}

// record is one row: every value a string, as ServiceNow stores them.
type record map[string]string

// New returns a simulator holding the seed tenant.
func New(opt Options) *Sim {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Window <= 0 {
		opt.Window = time.Hour
	}
	if opt.TokenLife <= 0 {
		opt.TokenLife = 1800 * time.Second
	}
	if opt.SemaphoreStatus == 0 {
		opt.SemaphoreStatus = http.StatusTooManyRequests
	}
	s := &Sim{
		opt: opt, window: simkit.NewWindow(opt.RateLimit, opt.Window, opt.Now), gate: simkit.NewGate(opt.Semaphore),
		clientID: seedSecret("client_id", 16), clientSecret: seedSecret("client_secret", 16),
		tables: map[string]*table{}, users: map[string]*User{}, tokens: map[string]token{},
		refresh: map[string]string{}, numbers: map[string]int{},
	}
	s.ruleID = s.newSysID()
	for name := range schemas {
		s.tables[name] = &table{byID: map[string]record{}}
	}
	s.seed()
	return s
}

// Close stops nothing: the simulator owns no goroutines.
func (s *Sim) Close() {}

// ClientID and ClientSecret are the OAuth application registry entry's.
func (s *Sim) ClientID() string     { return s.clientID }
func (s *Sim) ClientSecret() string { return s.clientSecret }

// User returns the user called userName (nil when none).
func (s *Sim) User(userName string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userName]
	if u == nil {
		return nil
	}
	c := *u
	return &c
}

func (s *Sim) now() time.Time { return s.opt.Now().UTC() }

// stamp is a date-time as ServiceNow writes it: UTC, whole seconds.
func stamp(t time.Time) string { return t.UTC().Format(DateTime) }

// DateTime is the layout of every date-time value.
const DateTime = "2006-01-02 15:04:05"

// newSysID returns 32 lowercase hex characters: a sequence number, then
// random ones. The notes ask only for 32 hex characters; ascending ones
// keep listings that tie on a second (ordered by time, then sys_id) in
// creation order, as the feed's readers expect of every PSA.
func (s *Sim) newSysID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%08x%s", uint32(s.seq.Add(1)), hex.EncodeToString(b))
}

// seedSecret is a credential of the seed tenant: the same in every
// process, so a simulator started elsewhere (ticketbridge sim) is
// reachable with the settings this one gives.
func seedSecret(name string, n int) string {
	sum := sha256.Sum256([]byte("servicenowsim seed " + name))
	return hex.EncodeToString(sum[:n])
}
