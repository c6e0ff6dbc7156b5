// Package app is the composition root: it opens the store and the keyring,
// builds the engine, ingest, API and metrics, and owns their lifecycle
// (New, Run, Close). serve, demo and the end-to-end tests all use it.
package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ticketbridge/ticketbridge/internal/config"
	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/mailin"
	"github.com/ticketbridge/ticketbridge/internal/obs"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
	"github.com/ticketbridge/ticketbridge/internal/psa/psahttp"
	"github.com/ticketbridge/ticketbridge/internal/retention"
	"github.com/ticketbridge/ticketbridge/internal/secret"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/storeopen"
)

// Options are the collaborators tests and the demo swap in.
type Options struct {
	Logger     *slog.Logger
	Now        func() time.Time
	HTTPClient *http.Client
	// Engine tunables (zero values take the engine's defaults).
	Rescan        time.Duration
	RetryBase     time.Duration
	RateLimitWait time.Duration
	AfterCreate   func(ctx context.Context, t psa.Ticket) error
	LeaseTTL      time.Duration
	// WrapStore, when set, wraps the opened store (fault injection).
	WrapStore func(store.Store) store.Store
	// Drivers are the PSAs integrations may name; default drivers.All().
	Drivers driver.List
	// Getenv reads the environment variables mailbox passwords are named
	// by; default os.Getenv.
	Getenv func(string) string
	// MailPollEvery is how often serve polls the mailbox folders of
	// sources; default a minute. Negative: never, for tests that call
	// PollMailOnce themselves and must not race a poll of serve's.
	MailPollEvery time.Duration
	// PlanOnly opens the app to plan a change and write nothing: no data
	// folder, key or admin token is created, and where no SQLite database
	// exists yet the plan runs against an empty one in a scratch folder
	// that Close removes.
	PlanOnly bool
	// Tenant is the tenant the app's own calls (apply, export, explain,
	// billing, reconcile, replay) work for; "" is the default tenant. An
	// unknown tenant fails New with ErrUnknownTenant.
	Tenant string
}

// App is one running ticketbridge.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	now     func() time.Time
	client  *http.Client
	Store   store.Store
	Keyring *secret.Keyring
	Metrics *obs.Metrics
	Engine  *engine.Engine
	// Retention prunes old alerts while Serve runs; nil when the config
	// keeps everything.
	Retention *retention.Pruner
	Tenant    string

	drivers driver.List
	// scratch is the folder of a plan-only app's empty database.
	scratch string
	// picklists caches each integration's PSA picklists for the API.
	picklists picklistCache

	budgetsMu sync.Mutex
	budgets   map[string]*psahttp.Budget

	// ingest is the one ingest handler: HTTP and mail commit through it,
	// sharing its group commit.
	ingestOnce sync.Once
	ingest     *ingest.Handler
	getenv     func(string) string
	// mailPollEvery is Options.MailPollEvery, its default filled in.
	mailPollEvery time.Duration
}

// New opens everything the app needs. Close releases it.
func New(ctx context.Context, cfg config.Config, opts Options) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: opts.Logger, now: opts.Now, client: opts.HTTPClient, Tenant: store.DefaultTenant, budgets: map[string]*psahttp.Budget{}, drivers: opts.Drivers, getenv: opts.Getenv, mailPollEvery: cmp.Or(opts.MailPollEvery, defaultMailPollEvery)}
	if a.drivers == nil {
		a.drivers = drivers.All()
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.client == nil {
		a.client = &http.Client{Timeout: 30 * time.Second}
	}
	dbPath := cfg.SQLitePath()
	fresh := cfg.DatabaseURL == "" && !exists(dbPath)
	var kr *secret.Keyring
	var err error
	switch {
	case opts.PlanOnly && fresh:
		// Nothing is stored yet: plan against an empty database, with a
		// key that lives as long as the plan.
		if a.scratch, err = os.MkdirTemp("", "ticketbridge-plan-"); err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
		dbPath = filepath.Join(a.scratch, "plan.db")
		kr, err = ephemeralKeyring()
	case opts.PlanOnly:
		kr, err = openKeyring(cfg, false)
	default:
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		kr, err = openKeyring(cfg, true)
	}
	if err != nil {
		a.removeScratch()
		return nil, err
	}
	st, _, err := storeopen.Open(ctx, cfg.DatabaseURL, dbPath, a.now)
	if err != nil {
		a.removeScratch()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if opts.WrapStore != nil {
		st = opts.WrapStore(st)
	}
	a.Store, a.Keyring, a.Metrics = st, kr, obs.NewMetrics()
	if !opts.PlanOnly {
		if err := a.ensureAdminToken(ctx); err != nil {
			st.Close()
			return nil, err
		}
	}
	if opts.Tenant != "" {
		if err := a.UseTenant(ctx, opts.Tenant); err != nil {
			a.Close()
			return nil, err
		}
	}
	a.Engine = engine.New(engine.Config{
		Store: st, Connectors: a.connector, Profiles: a.Profiles(), Logger: a.log, Metrics: a.Metrics, Now: a.now,
		Reconcile:   a.reconcileByID,
		MaxAttempts: cfg.MaxAttempts, GiveUpAfter: cfg.GiveUpAfter, DegradedAfter: cfg.DegradedAfter,
		Rescan: opts.Rescan, RetryBase: opts.RetryBase, RateLimitWait: opts.RateLimitWait, AfterCreate: opts.AfterCreate,
		WebhookKey:  func(name string) secret.Secret { return kr.Derive("webhook:" + name) },
		CallbackKey: a.CallbackKey,
		HTTPClient:  a.client,
		Replica:     cfg.ReplicaID(),
		LeaseTTL:    opts.LeaseTTL,
		RouteSettle: routeSettle(cfg),
	})
	if cfg.Retention > 0 {
		a.Retention = retention.New(retention.Config{
			Store: st, Tenant: a.Tenant, Tenants: a.tenantIDs, MaxAge: cfg.Retention, Now: a.now, Logger: a.log, Pruned: a.Metrics.AlertsPruned,
		})
	}
	return a, nil
}

// openKeyring opens the secret key from the environment or the data
// folder's key file, which it creates when create is set.
func openKeyring(cfg config.Config, create bool) (*secret.Keyring, error) {
	var key []byte
	var err error
	file := filepath.Join(cfg.DataDir, "secret.key")
	switch {
	case !cfg.SecretKey.IsZero():
		key, err = secret.ParseKey(cfg.SecretKey.Reveal())
	case create:
		key, err = secret.LoadOrCreateKeyFile(file)
	case exists(file):
		key, err = secret.LoadOrCreateKeyFile(file)
	default:
		return nil, fmt.Errorf("secret key: %s is missing, and TICKETBRIDGE_SECRET_KEY is not set: the stored credentials cannot be read", file)
	}
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return secret.NewKeyring(key)
}

// ephemeralKeyring is a keyring for a plan that stores nothing.
func ephemeralKeyring() (*secret.Keyring, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return secret.NewKeyring(key)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (a *App) removeScratch() {
	if a.scratch != "" {
		os.RemoveAll(a.scratch)
	}
}

// Close releases the store.
func (a *App) Close() error {
	err := a.Store.Close()
	a.removeScratch()
	return err
}

// Handler is the whole HTTP surface: probes, metrics, ingest, the API
// and the console.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Metrics.Registry, promhttp.HandlerOpts{}))
	in := a.ingestHandler()
	mux.Handle("POST /api/v1/alerts", in)
	mux.Handle("POST /api/v1/alerts/{token}", in)
	mux.Handle("PUT /api/v1/organizations/{id}/billable-users", in.BillableUsers())
	hooks := a.Engine.WebhookHandler()
	mux.Handle("POST /hooks/{integration}", hooks)
	mux.Handle("POST /hooks/{integration}/deactivated", hooks)
	mux.Handle("POST /hooks/t/{tenant}/{integration}", hooks) // engine.HookPath of a tenant other than default
	mux.Handle("POST /hooks/t/{tenant}/{integration}/deactivated", hooks)
	api := httpapi.New(httpapi.Config{
		Store: a.Store, Now: a.now, Logger: a.log, OnRetry: func(int64) { a.Engine.Nudge() },
		CallbackSecret: func(id string) string { return a.CallbackKey(id).Reveal() },
		Extra: func(mux *http.ServeMux) {
			a.billingRoutes(mux)
			a.integrationRoutes(mux)
			a.organizationRoutes(mux)
			a.replayRoutes(mux)
			a.reconcileRoutes(mux)
			a.explainRoutes(mux)
		},
		Encrypt:           a.sealSecret,
		OnSourceChanged:   in.ForgetToken,
		OperatorTokenHash: a.operatorTokenHash(),
	})
	mux.Handle("/api/v1/", api)
	// The console gets the rest; the routes above are more specific.
	mux.Handle("/", a.console(api))
	return mux
}

func (a *App) ingestHandler() *ingest.Handler {
	a.ingestOnce.Do(func() {
		a.ingest = ingest.New(ingest.Config{
			Store: a.Store, MaxBodyBytes: a.cfg.MaxBodyBytes, Now: a.now, Logger: a.log,
			OnAccepted: func(string, []int64) { a.Engine.Nudge() },
			OnReceived: func(n int) { a.Metrics.AlertsReceived.Add(float64(n)) },
			Decrypt:    a.openSecret,
		})
	})
	return a.ingest
}

// ServeMail runs the SMTP listener of mail sources on ln until ctx is
// cancelled. Serve starts it on the configured address; tests start it on
// a loopback listener of their own.
func (a *App) ServeMail(ctx context.Context, ln net.Listener) error {
	var tlsCfg *tls.Config
	if a.cfg.SMTPTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(a.cfg.SMTPTLSCert, a.cfg.SMTPTLSKey)
		if err != nil {
			return fmt.Errorf("smtp: load the STARTTLS certificate: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	return mailin.New(mailin.Config{
		Sources: a.Store, Accept: a.ingestHandler().Accept, HashToken: ingest.HashToken, TLS: tlsCfg,
		Domain: a.cfg.SMTPDomain, MaxMessageBytes: a.cfg.SMTPMaxBytes, Now: a.now, Logger: a.log,
	}).Serve(ctx, ln)
}

// serveMail starts the SMTP listener when one is configured; the returned
// channel yields its end.
func (a *App) serveMail(ctx context.Context) (<-chan error, error) {
	done := make(chan error, 1)
	if a.cfg.SMTPAddr == "" {
		done <- nil
		return done, nil
	}
	ln, err := net.Listen("tcp", a.cfg.SMTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen for SMTP: %w", err)
	}
	a.log.Info("smtp listening", "addr", ln.Addr().String())
	go func() { done <- a.ServeMail(ctx, ln) }()
	return done, nil
}

// Serve runs the engine and the HTTP server on ln until ctx is cancelled.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	// ReadTimeout is the backstop for every body (webhooks, the API);
	// ingest sets a tighter deadline of its own on each request.
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	mailDone, err := a.serveMail(ctx)
	if err != nil {
		return err
	}
	engineDone := make(chan error, 1)
	go func() { engineDone <- a.Engine.Run(ctx) }()
	retentionDone := make(chan struct{})
	go func() {
		defer close(retentionDone)
		if a.Retention != nil {
			a.Retention.Run(ctx)
		}
	}()
	go a.reportBacklog(ctx)
	pollDone := make(chan struct{})
	go func() { defer close(pollDone); a.pollMail(ctx) }()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		a.log.Info("shutting down: no new requests; finishing those in flight", "deadline", shutdownDeadline)
	case err = <-serveErr:
		cancel()
	}
	began := time.Now()
	shutdownCtx, stop := context.WithTimeout(context.Background(), shutdownDeadline)
	defer stop()
	if serr := srv.Shutdown(shutdownCtx); serr != nil && err == nil {
		err = serr
	}
	if eerr := <-engineDone; eerr != nil && err == nil {
		err = eerr
	}
	<-retentionDone
	cancel()
	<-pollDone
	if merr := <-mailDone; merr != nil && err == nil {
		err = merr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	a.log.Info("stopped", "took", time.Since(began).Round(time.Millisecond), "err", err)
	return err
}

// shutdownDeadline bounds how long requests in flight may take to finish
// once serve is told to stop. PSA calls in flight are cancelled at once:
// a delivery cut short is recovered on the next start by its external
// reference, never sent twice.
const shutdownDeadline = 5 * time.Second

// reportBacklog keeps the backlog gauge fresh without a query per scrape.
func (a *App) reportBacklog(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if n, err := a.pendingDeliveries(ctx); err == nil {
			a.reportHealth(n)
		}
		if err := a.reportAges(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("report delivery ages", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CallbackKey is the secret callbacks to a source are signed with; the
// source is given it when it is created.
func (a *App) CallbackKey(sourceID string) secret.Secret {
	return a.Keyring.Derive("callback:" + sourceID)
}

// routeSettle is 30s on PostgreSQL, where seqs commit out of order across
// replicas, and 0 on SQLite, where they cannot.
func routeSettle(cfg config.Config) time.Duration {
	if cfg.Postgres() {
		return 30 * time.Second
	}
	return 0
}

// reportHealth sets the backlog (pending deliveries plus alerts waiting to
// be routed) and the per-integration outage metrics, and returns the
// integrations' health.
func (a *App) reportHealth(pending int64) []engine.IntegrationHealth {
	hs := a.Engine.Health()
	waiting, oldest := 0, time.Time{}
	for _, h := range hs {
		waiting += h.RoutingWaiting
		if !h.OldestWaiting.IsZero() && (oldest.IsZero() || h.OldestWaiting.Before(oldest)) {
			oldest = h.OldestWaiting
		}
		a.Metrics.RoutingWaiting.WithLabelValues(budgetKey(h.Tenant, h.Integration)).Set(float64(h.RoutingWaiting))
		degraded := 0.0
		if h.Degraded {
			degraded = 1
		}
		a.Metrics.Degraded.WithLabelValues(budgetKey(h.Tenant, h.Integration)).Set(degraded)
	}
	a.Metrics.Backlog.Set(float64(pending) + float64(waiting))
	age := 0.0
	if !oldest.IsZero() {
		age = a.now().Sub(oldest).Seconds()
	}
	a.Metrics.OldestWaiting.Set(age)
	return hs
}

// sealSecret and openSecret keep a source's signing secret sealed by the
// keyring in the database and open it for ingest.
func (a *App) sealSecret(plain string) (string, error) { return a.Keyring.Encrypt(secret.New(plain)) }

func (a *App) openSecret(sealed string) (string, error) {
	s, err := a.Keyring.Decrypt(sealed)
	return s.Reveal(), err
}
