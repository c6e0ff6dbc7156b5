// Package retention keeps the store bounded: every interval it prunes the
// alerts not received or changed for longer than the configured age,
// with their timeline, routes, deliveries and callbacks, in small batches
// with a pause between them, so that the single SQLite writer is free for
// ingest between batches. The store decides what is finished: alerts a
// live ticket or pending work still needs are kept however old (see
// store.Store.PruneAlerts).
package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Store is what retention needs of the store.
type Store interface {
	PruneAlerts(ctx context.Context, tenant string, cutoff time.Time, limit int) (int, error)
}

// RawBodyStore is what retention needs to prune the raw bodies mapped
// sources sent (kept for replay), when the store keeps them; a store
// without them is pruned of alerts only.
type RawBodyStore interface {
	PruneRawBodies(ctx context.Context, tenant string, cutoff time.Time, limit int) (int, error)
}

// Counter counts pruned alerts (a prometheus.Counter).
type Counter interface{ Add(float64) }

// Defaults of Config.
const (
	DefaultInterval = time.Hour
	DefaultDelay    = time.Minute
	DefaultBatch    = 500
	DefaultPause    = 50 * time.Millisecond
)

// Config is a Pruner's settings and collaborators.
type Config struct {
	Store  Store
	Tenant string
	// Tenants, when set, lists the tenants each pass prunes (every
	// tenant of the installation) instead of Tenant alone.
	Tenants func(ctx context.Context) ([]string, error)
	// MaxAge is the age past which an alert is pruned; 0 disables
	// retention (Run returns at once).
	MaxAge time.Duration
	// Interval between passes (default 1h); Delay before the first one
	// (default 1m, so a starting process first catches up on its work).
	Interval, Delay time.Duration
	// Batch is how many alerts one transaction prunes (default 500).
	Batch int
	// Pause between batches, at least as long as the last batch took
	// (default 50ms): the writer is free for ingest at least half the
	// time while a pass runs.
	Pause time.Duration
	// Now is the clock the age is measured by (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
	// Pruned, when set, counts the alerts pruned.
	Pruned Counter
}

// Pruner runs retention passes.
type Pruner struct {
	cfg  Config
	wait func(ctx context.Context, d time.Duration) error // sleep; tests record the pauses
}

// New returns a Pruner for cfg with its defaults filled in.
func New(cfg Config) *Pruner {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Delay <= 0 {
		cfg.Delay = DefaultDelay
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Pause <= 0 {
		cfg.Pause = DefaultPause
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Pruner{cfg: cfg, wait: sleep}
}

// Run prunes after Delay and then every Interval until ctx ends. A pass
// that fails is logged and tried again at the next interval.
func (p *Pruner) Run(ctx context.Context) {
	if p.cfg.MaxAge <= 0 {
		return
	}
	t := time.NewTimer(p.cfg.Delay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if pass, err := p.Prune(ctx); err != nil && ctx.Err() == nil {
			p.cfg.Logger.Error("retention pass failed", "alerts_pruned", pass.Alerts, "err", err)
		}
		t.Reset(p.cfg.Interval)
	}
}

// Pass is what one pass did.
type Pass struct {
	Cutoff time.Time // alerts last changed before it were due
	Alerts int       // pruned
	// RawBodies pruned: bodies received before the cutoff, kept for
	// replay; their alerts (unless still needed) go with the same cutoff.
	RawBodies int
	Batches   int
	Took      time.Duration
}

// Prune runs one pass: batches until one prunes fewer than Batch, which
// means no alert older than the age is left but those still needed. The
// cutoff is fixed at the start, so a pass ends however fast alerts come.
func (p *Pruner) Prune(ctx context.Context) (Pass, error) {
	if p.cfg.MaxAge <= 0 {
		return Pass{}, errors.New("retention: no age set")
	}
	start := time.Now()
	pass := Pass{Cutoff: p.cfg.Now().Add(-p.cfg.MaxAge)}
	tenants, err := p.tenants(ctx)
	for _, tenant := range tenants {
		if err = p.batches(ctx, tenant, &pass); err == nil {
			err = p.rawBodies(ctx, tenant, &pass)
		}
		if err != nil {
			break
		}
	}
	pass.Took = time.Since(start)
	if pass.Alerts > 0 && p.cfg.Pruned != nil {
		p.cfg.Pruned.Add(float64(pass.Alerts))
	}
	if err != nil {
		return pass, err
	}
	p.cfg.Logger.Info("retention pass", "tenants", len(tenants), "cutoff", pass.Cutoff,
		"alerts_pruned", pass.Alerts, "raw_bodies_pruned", pass.RawBodies, "batches", pass.Batches, "duration", pass.Took)
	return pass, nil
}

// tenants lists the tenants a pass prunes.
func (p *Pruner) tenants(ctx context.Context) ([]string, error) {
	if p.cfg.Tenants == nil {
		return []string{p.cfg.Tenant}, nil
	}
	ts, err := p.cfg.Tenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("retention: list tenants: %w", err)
	}
	return ts, nil
}

func (p *Pruner) batches(ctx context.Context, tenant string, pass *Pass) error {
	for {
		began := time.Now()
		n, err := p.cfg.Store.PruneAlerts(ctx, tenant, pass.Cutoff, p.cfg.Batch)
		if err != nil {
			return err
		}
		pass.Alerts += n
		pass.Batches++
		if n < p.cfg.Batch {
			return nil
		}
		if err := p.wait(ctx, max(p.cfg.Pause, time.Since(began))); err != nil {
			return err
		}
	}
}

// rawBodies prunes raw bodies in batches like alerts, when the store
// keeps them.
func (p *Pruner) rawBodies(ctx context.Context, tenant string, pass *Pass) error {
	rs, ok := p.cfg.Store.(RawBodyStore)
	if !ok {
		return nil
	}
	for {
		began := time.Now()
		n, err := rs.PruneRawBodies(ctx, tenant, pass.Cutoff, p.cfg.Batch)
		if err != nil {
			return err
		}
		pass.RawBodies += n
		if n < p.cfg.Batch {
			return nil
		}
		if err := p.wait(ctx, max(p.cfg.Pause, time.Since(began))); err != nil {
			return err
		}
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
