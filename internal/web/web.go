// Package web is the console: server-rendered pages over the same logic
// as the REST API. Every read and write goes through the /api/v1 handler,
// called in process with the signed-in admin's token, so the console
// cannot drift from the API or bypass its checks. Pages work without
// JavaScript: the vendored htmx only enhances them (a drop-down that
// narrows another without a round trip through the whole page).
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Health is one integration's state as the overview shows it.
type Health struct {
	Integration string
	Degraded    bool
	Since       time.Time
	Reason      string
	Waiting     int
}

// Budget is an integration's PSA request budget as this process counts
// it: requests sent in the rolling window and what is left.
type Budget struct {
	Used, Remaining, Limit int
	Window                 time.Duration
}

// TokenStore finds admin API tokens by hash: the same tokens the API
// accepts.
type TokenStore interface {
	APITokenByHash(ctx context.Context, tokenHash string) (store.APIToken, error)
}

// Config holds what the console needs; API, Tokens and PSAs are required.
type Config struct {
	// API is the /api/v1 handler; the console is its client.
	API    http.Handler
	Tokens TokenStore
	// Health reports the health of each integration of a tenant; nil
	// shows none.
	Health func(tenant string) []Health
	// Budget reports an integration's request budget, false when this
	// process has not used it yet; nil shows none.
	Budget func(tenant, integration string) (Budget, bool)
	// PSAs are the driver names the wizard offers.
	PSAs []string
	// Profiles say which connection keys and settings each PSA reads,
	// so the wizard asks only for those.
	Profiles integration.Profiles
	Now      func() time.Time
	Logger   *slog.Logger
	// SecureCookies marks cookies Secure on plain HTTP too: TLS ends at
	// a proxy in front.
	SecureCookies bool
	// SessionTTL is how long a session lasts without use; default 8h.
	SessionTTL time.Duration
}

// Console is the console's http.Handler.
type Console struct {
	cfg      Config
	mux      *http.ServeMux
	pages    *pages
	sessions *sessions
}

// New builds the console. Its templates and assets are embedded and
// parsed here, so a broken template fails the start, not a request.
func New(cfg Config) *Console {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	c := &Console{cfg: cfg, mux: http.NewServeMux(), pages: mustParsePages(), sessions: newSessions(cfg.Now, cfg.SessionTTL)}
	c.routes()
	return c
}

func (c *Console) routes() {
	c.mux.HandleFunc("GET /assets/{file}", c.pages.serveAsset)
	c.mux.HandleFunc("GET /signin", c.signInForm)
	c.mux.HandleFunc("POST /signin", c.signIn)
	c.mux.HandleFunc("POST /signout", c.signedIn(c.signOut))
	c.mux.HandleFunc("GET /{$}", c.signedIn(func(w http.ResponseWriter, r *http.Request, _ *session) {
		http.Redirect(w, r, "/integrations", http.StatusSeeOther)
	}))
	c.mux.HandleFunc("GET /integrations", c.signedIn(c.integrations))
	c.mux.HandleFunc("GET /integrations/new", c.signedIn(c.wizardStart))
	c.mux.HandleFunc("POST /setup/save", c.signedIn(c.wizardSave))
	c.mux.HandleFunc("GET /setup/{step}", c.signedIn(c.wizardShow))
	c.mux.HandleFunc("POST /setup/{step}", c.signedIn(c.wizardPost))
	c.mux.HandleFunc("GET /integrations/{name}", c.signedIn(c.integration))
	c.mux.HandleFunc("GET /integrations/{name}/edit", c.signedIn(c.wizardEdit))
	c.mux.HandleFunc("GET /integrations/{name}/customers", c.signedIn(c.customers))
	c.mux.HandleFunc("POST /integrations/{name}/customers/{action}", c.signedIn(c.customersPost))
	c.mux.HandleFunc("GET /integrations/{name}/tickets", c.signedIn(c.tickets))
	c.mux.HandleFunc("GET /tickets", c.signedIn(c.ticketsChooser))
	c.mux.HandleFunc("GET /sources", c.signedIn(c.sources))
	c.mux.HandleFunc("POST /sources", c.signedIn(c.createSource))
	c.mux.HandleFunc("GET /sources/{id}/token", c.signedIn(c.sourceToken))
	c.mux.HandleFunc("POST /sources/{id}/rotate", c.signedIn(c.rotateSource))
	c.mux.HandleFunc("GET /sources/{id}/revoke", c.signedIn(c.revokeConfirm))
	c.mux.HandleFunc("POST /sources/{id}/revoke", c.signedIn(c.revokeSource))
	c.mux.HandleFunc("GET /explain", c.signedIn(c.explainForm))
	c.mux.HandleFunc("POST /explain", c.signedIn(c.explain))
	c.mux.HandleFunc("GET /alerts", c.signedIn(c.alerts))
	c.mux.HandleFunc("GET /alerts/{seq}", c.signedIn(c.alert))
	c.mux.HandleFunc("GET /deliveries", c.signedIn(c.deliveries))
	c.mux.HandleFunc("POST /deliveries/{id}/retry", c.signedIn(c.retry))
	c.mux.HandleFunc("POST /deliveries/retry", c.signedIn(c.retryAll))
}

// ServeHTTP sets the headers every answer carries, then routes.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Only the console's own script files run: nothing inline, no eval.
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	c.mux.ServeHTTP(w, r)
}

// contentSecurityPolicy allows the console's own stylesheet, images and
// script files, requests and forms to itself, nothing else. htmx runs
// under it because the layout's htmx-config turns off what would need
// more: its injected indicator style (inline style) and hx-on, hx-vars
// and js: values (eval). connect-src is htmx's requests.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
