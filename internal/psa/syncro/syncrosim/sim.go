// Package syncrosim is an http.Handler that speaks Syncro's REST API
// (/api/v1) as the notes in shared/psa-apis/syncro.md describe it: the
// three token forms, per-token permissions and single-customer tokens,
// 1-based paging with meta, the wrapped and bare object shapes, the
// per-endpoint error shapes (error vs errors vs message, strings vs
// arrays, the record echo), 422 validation, the 180-per-minute limit per
// client address and the Notification Center webhook.
//
// Behaviour the notes mark unverified is an Option rather than a guess
// baked in: whether unknown status, problem type and priority values are
// refused (Lenient), whether since_updated_at is inclusive
// (SinceExclusive), whether 429 carries Retry-After (RetryAfterHeader),
// whether the ticket search reads custom fields (QueryIgnoresProperties)
// and whether API comments move the status by their subject
// (CommentSubjectStatus). Where the spec and a live tenant disagree, the
// live answer is the default and the spec's an option: tickets come 50 a
// page as a live tenant sent them, not the documented 25
// (TicketPageSize).
package syncrosim

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// Defaults of the options.
const (
	DefaultSubdomain = "acme-msp"
	// DefaultRateLimit is Syncro's published limit: 180 requests per
	// minute per client address.
	DefaultRateLimit = 180
	DefaultWindow    = time.Minute
	// DefaultPageSize is the spec's page size of customers and contacts.
	DefaultPageSize = 25
	// DefaultTicketPageSize is what a live tenant answered for tickets
	// (live-observed); the spec documents 25, which TicketPageSize sets.
	DefaultTicketPageSize   = 50
	DefaultContractPageSize = 50
	DefaultCommentsPerPage  = 10
)

// Options tune the simulator. The zero value is the documented behaviour.
type Options struct {
	// Subdomain is the tenant's; a request whose Host names another
	// <sub>.syncromsp.com is refused. Default DefaultSubdomain.
	Subdomain string
	// RateLimit requests per Window per client address; default 180 a
	// minute, below 0 off.
	RateLimit int
	Window    time.Duration
	// RetryAfterHeader sends Retry-After with a 429 (unverified: a guide
	// says Syncro sends none).
	RetryAfterHeader bool
	// Latency is added to every answer.
	Latency time.Duration
	// PageSize of customers, contacts and products; default 25.
	PageSize int
	// TicketPageSize of the tickets list; default 50, as a live tenant
	// answered (the spec says 25).
	TicketPageSize int
	// Lenient accepts any status, problem type and priority on tickets;
	// by default only the tenant's lists are accepted (unverified).
	Lenient bool
	// RequireTicketType is the tenant flag require_ticket_type.
	RequireTicketType bool
	// SinceExclusive makes since_updated_at match updated_at > since;
	// by default >= (unverified).
	SinceExclusive bool
	// QueryIgnoresProperties keeps custom field values out of the tickets
	// list's query search, which by default matches subject, number and
	// custom field values (unverified).
	QueryIgnoresProperties bool
	// CommentSubjectStatus applies the UI's update types to API comments
	// (Diagnosis → In Progress, ...); unverified, off by default.
	CommentSubjectStatus bool
	// WebhookURL, when set, receives Notification Center events.
	WebhookURL string
	// WebhookClient posts them; http.DefaultClient when nil.
	WebhookClient *http.Client
	Now           func() time.Time
}

// Sim is the simulated Syncro tenant.
type Sim struct {
	opt    Options
	mux    *http.ServeMux
	window *simkit.Window
	hooks  *emitter

	mu sync.Mutex
	t  tenant
}

// New returns a simulator holding the seed tenant.
func New(o Options) *Sim {
	if o.Subdomain == "" {
		o.Subdomain = DefaultSubdomain
	}
	if o.RateLimit == 0 {
		o.RateLimit = DefaultRateLimit
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	if o.TicketPageSize <= 0 {
		o.TicketPageSize = DefaultTicketPageSize
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Sim{opt: o, window: simkit.NewWindow(o.RateLimit, o.Window, o.Now)}
	s.t = seedTenant(o.Now())
	s.hooks = newEmitter(o.WebhookURL, o.WebhookClient)
	s.routes()
	return s
}

// Close stops webhook deliveries in flight.
func (s *Sim) Close() { s.hooks.close() }

// Subdomain is the tenant's subdomain.
func (s *Sim) Subdomain() string { return s.opt.Subdomain }

// ServeHTTP checks the host, the rate limit and the token, then routes.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.opt.Latency > 0 {
		simkit.Sleep(r.Context(), s.opt.Latency)
	}
	if sub, ok := strings.CutSuffix(hostname(r.Host), ".syncromsp.com"); ok && !strings.EqualFold(sub, s.opt.Subdomain) {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not found"})
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/api/v1/") {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not found"})
		return
	}
	if v := s.window.Take(clientKey(r)); !v.OK {
		if s.opt.RetryAfterHeader {
			w.Header().Set("Retry-After", simkit.RetryAfter(v.Wait))
		}
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": RateLimitMessage})
		return
	}
	tok, ok := s.token(r)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "Not authorized. Invalid or missing API token."})
		return
	}
	s.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok)))
}

// RateLimitMessage is the body's error of a 429.
const RateLimitMessage = "Rate limit exceeded: 180 requests per minute"

func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return strings.ToLower(h)
	}
	return strings.ToLower(host)
}

// clientKey is what the limit counts by: the client's address.
func clientKey(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

type tokenKey struct{}

func tokenOf(r *http.Request) Token { return r.Context().Value(tokenKey{}).(Token) }

// token finds the presented token in any of the three accepted forms.
func (s *Sim) token(r *http.Request) (Token, bool) {
	raw := strings.TrimSpace(r.Header.Get("Authorization"))
	if b, ok := strings.CutPrefix(raw, "Bearer "); ok {
		raw = strings.TrimSpace(b)
	}
	if raw == "" {
		raw = r.URL.Query().Get("api_key")
	}
	if raw == "" {
		return Token{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.t.tokens {
		if simkit.EqualSecret(raw, t.Value) {
			return t, true
		}
	}
	return Token{}, false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// NotAuthorized is the documented answer of a token without the
// permission an endpoint needs.
const NotAuthorized = "Not authorized. Please ask account admin to update your group permissions."

// notFound is the common 404.
func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not found"})
}
