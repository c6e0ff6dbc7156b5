// Package engine turns stored alerts into PSA tickets and notes, exactly
// once. For each integration one worker routes new alerts (rules decide;
// the decision, its ticket link and a delivery row are written in one
// transaction) and carries out due deliveries against the PSA (search by
// external reference before every create, one coalesced note per ticket,
// retries with backoff as rows). All state lives in the store, so a worker
// killed at any point resumes from the rows alone.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/obs"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/secret"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// ConnectorFactory builds the PSA connector of one integration. The app
// owns credentials decryption and HTTP clients; the engine only asks.
type ConnectorFactory func(ctx context.Context, it store.Integration, s integration.Settings) (psa.Connector, error)

// Retry defaults: with the backoff doubling from 1s to 10m, 20 attempts
// are about an hour and a half of retrying; the day is the floor.
const (
	DefaultMaxAttempts = 20
	DefaultGiveUpAfter = 24 * time.Hour
)

// Config holds the engine's collaborators and tunables.
type Config struct {
	Store      store.Store
	Connectors ConnectorFactory
	// Profiles are the PSAs' settings profiles; an integration's field
	// limits come from its PSA's.
	Profiles integration.Profiles
	// Tenant, when set, limits the engine to one tenant; empty serves
	// every tenant in the store.
	Tenant  string
	Logger  *slog.Logger
	Metrics *obs.Metrics
	Now     func() time.Time

	// Rescan is how often workers look for work without a nudge, and how
	// often the integration list is reloaded (default 2s).
	Rescan time.Duration
	// MaxAttempts before a retryable delivery is marked failed (default
	// 20), once it has also waited GiveUpAfter.
	MaxAttempts int
	// GiveUpAfter is how long a delivery keeps being retried however many
	// attempts failed (default 24h): a PSA that is merely unreachable for
	// less than that fails nothing.
	GiveUpAfter time.Duration
	// DegradedAfter is how long routing or delivery may keep failing
	// before Health calls the integration degraded (default 5m).
	DegradedAfter time.Duration
	// RetryBase and RetryMax bound the exponential backoff (1s, 10m).
	RetryBase, RetryMax time.Duration
	// RateLimitWait is the wait after a 429 without Retry-After (60s, the
	// conservative default for PSAs that send no headers).
	RateLimitWait time.Duration
	// CompaniesTTL is how long the company list for auto-match is cached.
	CompaniesTTL time.Duration
	// Reconcile, when set, re-reads from the PSA what an integration's
	// settings name and stores its drift report; each worker calls it
	// every sync.reconcile_every, the first time one period after it
	// starts (so a restart costs the PSA nothing).
	Reconcile func(ctx context.Context, integrationID int64) error
	// AfterCreate, when set, runs after the PSA created a ticket and before
	// its id is stored. Tests use it to simulate a crash at the worst moment.
	AfterCreate func(ctx context.Context, ticket psa.Ticket) error

	// WebhookKey is the secret PSA webhooks of an integration are signed
	// with; CallbackKey the secret our callbacks to a source are signed
	// with. Both derive from the app's key, so nothing more is stored.
	WebhookKey  func(integration string) secret.Secret
	CallbackKey func(sourceID string) secret.Secret
	// HTTPClient posts source callbacks (default: 10s time-out).
	HTTPClient *http.Client

	// Replica names this process in leases; replicas sharing a database
	// must have different names. LeaseTTL is how long a lease lives
	// without renewal (default 6s): a dead replica's integrations are
	// taken over within about that plus Rescan.
	Replica  string
	LeaseTTL time.Duration

	// RouteSettle is how long after ingest an alert's seq is trusted to be
	// final for the routing cursor. On PostgreSQL seqs are handed out at
	// insert, not commit, so with several replicas ingesting a lower seq
	// can commit after a higher one: the cursor only moves past alerts
	// older than this (the app sets 30s there). SQLite's one writer
	// commits in seq order, so 0 is exact and saves re-reading recent
	// alerts every cycle.
	RouteSettle time.Duration
}

func (c *Config) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rescan <= 0 {
		c.Rescan = 2 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.GiveUpAfter <= 0 {
		c.GiveUpAfter = DefaultGiveUpAfter
	}
	if c.DegradedAfter <= 0 {
		c.DegradedAfter = DefaultDegradedAfter
	}
	if c.RetryBase <= 0 {
		c.RetryBase = time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 10 * time.Minute
	}
	if c.RateLimitWait <= 0 {
		c.RateLimitWait = time.Minute
	}
	if c.CompaniesTTL <= 0 {
		c.CompaniesTTL = 10 * time.Minute
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Replica == "" {
		c.Replica = "single"
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 6 * time.Second
	}
}

// Engine supervises one worker per integration of its tenant.
type Engine struct {
	cfg Config
	log *slog.Logger

	mu           sync.Mutex
	workers      map[int64]*worker
	wake         chan struct{}
	callbackWake chan struct{}
}

// New returns an engine; Run starts it.
func New(cfg Config) *Engine {
	cfg.setDefaults()
	return &Engine{cfg: cfg, log: cfg.Logger, workers: map[int64]*worker{}, wake: make(chan struct{}, 1), callbackWake: make(chan struct{}, 1)}
}

// Nudge tells every worker that new work may be waiting (alerts accepted,
// a delivery retried, settings applied). It never blocks.
func (e *Engine) Nudge() {
	for _, ch := range []chan struct{}{e.wake, e.callbackWake} {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, w := range e.workers {
		w.nudge()
	}
}

// Run supervises workers until ctx is cancelled, then waits for them.
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		e.runCallbacks(ctx)
	}()
	tick := time.NewTicker(e.cfg.Rescan)
	defer tick.Stop()
	for {
		if err := e.syncWorkers(ctx, &wg); err != nil && ctx.Err() == nil {
			e.log.Error("load integrations", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-e.wake:
		}
	}
}

// syncWorkers starts a worker for each integration whose lease this
// replica can take. Workers reload their own settings when the
// integration's version moves, and stop when their lease is lost.
//
// To spread integrations across replicas, a replica that already works k
// integrations takes a free one only with probability 1/(k+1) per round,
// so replicas holding fewer win the free ones; every free lease is still
// taken within a few rounds.
func (e *Engine) syncWorkers(ctx context.Context, wg *sync.WaitGroup) error {
	its, err := e.integrations(ctx)
	if err != nil {
		return err
	}
	for _, it := range its {
		e.mu.Lock()
		_, running := e.workers[it.ID]
		held := len(e.workers)
		e.mu.Unlock()
		if running || (held > 0 && rand.IntN(held+1) != 0) {
			continue
		}
		l, err := e.cfg.Store.AcquireLease(ctx, leaseName(it.ID), e.cfg.Replica, e.cfg.LeaseTTL, time.Now())
		if errors.Is(err, store.ErrConflict) {
			continue // another replica works it
		}
		if err != nil {
			return fmt.Errorf("acquire lease of %s: %w", it.Name, err)
		}
		e.startWorker(ctx, wg, newWorker(e, it, l))
	}
	return nil
}

func (e *Engine) startWorker(ctx context.Context, wg *sync.WaitGroup, w *worker) {
	e.mu.Lock()
	e.workers[w.id] = w
	e.mu.Unlock()
	e.log.Info("working integration", "integration", w.name, "replica", e.cfg.Replica, "lease_token", w.lease.current().Token)
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.run(ctx)
		e.mu.Lock()
		delete(e.workers, w.id)
		e.mu.Unlock()
		if ctx.Err() == nil {
			// Lost the lease: let another replica take over at once.
			select {
			case e.wake <- struct{}{}:
			default:
			}
		} else {
			_ = e.cfg.Store.ReleaseLease(context.Background(), w.lease.current())
		}
	}()
}

// decodeSettings reads the stored settings JSON.
func decodeSettings(it store.Integration) (integration.Settings, error) {
	var s integration.Settings
	if err := json.Unmarshal(it.Settings, &s); err != nil {
		return s, fmt.Errorf("decode settings of integration %s: %w", it.Name, err)
	}
	return s, nil
}
