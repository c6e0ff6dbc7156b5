// Package httpapi is the management REST API under /api/v1: alert reads
// with their routes, tickets, deliveries and timeline, integrations (never
// their credentials), deliveries with a retry action and their backlog,
// the PSA tickets of an integration, sources with their tokens, and the
// OpenAPI document. Every error is application/problem+json;
// internal errors are logged and never shown. POST /api/v1/alerts is not
// here: the app mounts the ingest handler beside this one.
package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/source"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Config holds the API's collaborators.
type Config struct {
	Store  store.Store
	Now    func() time.Time
	Logger *slog.Logger
	// OnRetry is called after a delivery was set back to pending (the app
	// nudges the engine). It must not block.
	OnRetry func(integrationID int64)
	// Extra lets the app mount more routes (e.g. apply) on the same mux,
	// behind the same authentication; only admin tokens reach them, and
	// the request context carries the tenant (see Tenant). May be nil.
	Extra func(mux *http.ServeMux)
	// CallbackSecret returns the secret a new source verifies our status
	// callbacks with; nil leaves it out of the answer.
	CallbackSecret func(sourceID string) string
	// Formats holds the built-in source formats; nil loads them.
	Formats *source.Builtins
	// Encrypt seals a secret with the keyring (a source's signing
	// secret); nil refuses signed sources.
	Encrypt func(plain string) (string, error)
	// OnSourceChanged is called with a source's token hash after its
	// format or settings changed (the app drops ingest's cached copy).
	OnSourceChanged func(tokenHash string)
	// OperatorTokenHash is the hash of the operator's token, which
	// manages tenants; "" means there is no operator.
	OperatorTokenHash string
}

// pathOpenAPI is the API's description, served without a token.
const pathOpenAPI = "/api/v1/openapi.json"

// patternAlert is the one route a source token may use.
const patternAlert = "GET /api/v1/alerts/{id}"

// server is the API; its mux holds the routes and ServeHTTP authenticates
// before dispatching.
type server struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux
}

// New returns the API handler for /api/v1/... except POST /api/v1/alerts.
func New(cfg Config) http.Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Formats == nil {
		cfg.Formats = source.MustLoadBuiltins()
	}
	s := &server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	s.routes()
	if cfg.Extra != nil {
		cfg.Extra(s.mux)
	}
	return s
}

func (s *server) routes() {
	s.mux.HandleFunc(patternAlert, s.getAlert)
	s.mux.HandleFunc("GET /api/v1/alerts", s.listAlerts)
	s.mux.HandleFunc("GET /api/v1/integrations", s.listIntegrations)
	s.mux.HandleFunc("GET /api/v1/integrations/{name}", s.getIntegration)
	s.mux.HandleFunc("GET /api/v1/deliveries", s.listDeliveries)
	s.mux.HandleFunc("POST /api/v1/deliveries/{id}/retry", s.retryDelivery)
	s.mux.HandleFunc("POST /api/v1/deliveries/retry", s.retryFailed)
	s.mux.HandleFunc("GET /api/v1/deliveries/backlog", s.deliveryBacklog)
	s.mux.HandleFunc("GET /api/v1/tickets", s.listTickets)
	s.mux.HandleFunc("GET /api/v1/sources", s.listSources)
	s.mux.HandleFunc("POST /api/v1/sources", s.createSource)
	s.mux.HandleFunc("PUT /api/v1/sources/{id}/format", s.setSourceFormat)
	s.mux.HandleFunc("POST /api/v1/sources/{id}/rotate", s.rotateSource)
	s.mux.HandleFunc("POST /api/v1/sources/{id}/revoke", s.revokeSource)
	s.mux.HandleFunc("GET /api/v1/formats", s.listFormats)
	s.mux.HandleFunc("POST /api/v1/formats/test", s.testFormat)
	s.mux.HandleFunc("GET /api/v1/mail/unmatched", s.listUnmatchedMail)
	s.mux.HandleFunc("GET "+pathOpenAPI, s.openAPI)
	s.tenantRoutes()
}

// ServeHTTP authenticates the caller, keeps source tokens to their one
// route, and turns the mux's own 404 and 405 answers into problems.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The API's description is public: a client generator or a person
	// reads it before holding a token.
	if r.Method == http.MethodGet && r.URL.Path == pathOpenAPI {
		s.openAPI(w, r)
		return
	}
	p, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	h, pattern := s.mux.Handler(r)
	if pattern == "" {
		s.unrouted(w, r, h)
		return
	}
	if !s.allowed(w, p, pattern) {
		return
	}
	s.mux.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
}

// unrouted runs the mux's fallback handler against a recorder to learn
// whether the path is unknown (404), the method is wrong (405, with its
// Allow header) or the path needs a redirect, and answers in kind.
func (s *server) unrouted(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	switch {
	case rec.code == http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.header.Get("Allow"))
		writeProblem(w, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed",
			"allowed: "+rec.header.Get("Allow"), nil)
	case rec.code >= 300 && rec.code < 400 && rec.header.Get("Location") != "":
		http.Redirect(w, r, rec.header.Get("Location"), rec.code)
	default:
		writeProblem(w, http.StatusNotFound, "not-found", "Not found", "no such route", nil)
	}
}

// headerRecorder keeps the status and headers of a response and drops its
// body.
type headerRecorder struct {
	header http.Header
	code   int
}

func (r *headerRecorder) Header() http.Header { return r.header }
func (r *headerRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
func (r *headerRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return len(b), nil
}
