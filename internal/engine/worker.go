package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// worker routes and delivers for one integration. Only one goroutine runs
// it, so grouping decisions and the request budget need no locks across
// workers; PSA calls of different ticket links run concurrently inside a
// delivery round, bounded by the connector's concurrency cap.
type worker struct {
	*books
	wake  chan struct{}
	lease *leaseHold

	// cur is the settings version loaded last, nil before the first load;
	// the lease goroutine and the webhook handler read it too.
	cur atomic.Pointer[snapshot]

	router *router

	contacts contactCache
	// unnumbered are links whose ticket was created without a read-back
	// and whose number is still to be read (see round).
	unnumbered []int64
	// budgetSpent is set when a delivery round did not start because the
	// request budget had nothing left: the worker checks again shortly.
	budgetSpent bool

	status *statusSync
	biller *biller
}

// snap is the settings version the worker works with.
func (w *worker) snap() *snapshot { return w.cur.Load() }

// currentConn is the loaded connector, nil before the first load.
func (w *worker) currentConn() psa.Connector {
	if s := w.cur.Load(); s != nil {
		return s.conn
	}
	return nil
}

func newWorker(e *Engine, id int64, name string, l store.Lease) *worker {
	lease := &leaseHold{lease: l}
	b := &books{
		id: id, name: name, cfg: &e.cfg, st: fenced{Store: e.cfg.Store, lease: lease},
		log: e.log.With("integration", name), wall: time.Now,
	}
	w := &worker{books: b, wake: make(chan struct{}, 1), lease: lease, router: &router{books: b}, biller: &biller{books: b}}
	w.status = newStatusSync(b, w.nudge)
	return w
}

func (w *worker) nudge() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run works the integration while this replica holds its lease.
func (w *worker) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go w.holdLease(ctx, cancel)
	for ctx.Err() == nil && !w.lease.lost.Load() {
		wait := w.cycle(ctx)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// cycle does one round of work and returns how long to sleep before the
// next one if nothing nudges the worker.
func (w *worker) cycle(ctx context.Context) time.Duration {
	if err := w.reload(ctx); err != nil {
		if ctx.Err() == nil {
			w.log.Error("load integration", "err", err)
		}
		return w.cfg.Rescan
	}
	if !w.snap().settings.IsEnabled() {
		return w.cfg.Rescan
	}
	w.status.registerWebhook(ctx)
	events, err := w.status.drainEvents(ctx)
	w.logErr("apply webhook events", err)
	w.logErr("poll ticket statuses", w.status.pollStatuses(ctx))
	routed, err := w.router.routeBacklog(ctx)
	w.logErr("route alerts", err)
	changed, err := w.status.sourceStatusChanges(ctx)
	w.logErr("source status changes", err)
	delivered, err := w.deliver(ctx)
	w.logErr("deliver", err)
	if delivered > 0 {
		// Between renewals too, so a replica taking over after a crash
		// inherits all but the last round's calls.
		w.saveBudget(ctx)
	}
	w.logErr("billing sync", w.biller.sync(ctx))
	w.reportBudget()
	if routed+delivered+events+changed > 0 {
		return 0 // more may be waiting: loop at once
	}
	if w.budgetSpent {
		// Deliveries are due but no call may go: waiting for the next due
		// time would be waiting for nothing.
		return budgetPoll
	}
	return w.untilNextDue(ctx)
}

func (w *worker) untilNextDue(ctx context.Context) time.Duration {
	next, err := w.st.NextDeliveryAt(ctx, w.id)
	if err != nil {
		return w.cfg.Rescan
	}
	d := next.Sub(w.cfg.Now())
	switch {
	case d < 0:
		return 0
	case d > w.cfg.Rescan:
		return w.cfg.Rescan
	}
	return d
}

// reload picks up new settings when the integration's version moved.
func (w *worker) reload(ctx context.Context) error {
	it, err := w.st.Integration(ctx, w.id)
	if err != nil {
		return fmt.Errorf("read integration: %w", err)
	}
	prev := w.cur.Load()
	if prev != nil && it.Version == prev.version {
		return nil
	}
	profile, _ := w.cfg.Profiles.Lookup(it.PSA)
	plan, err := NewPlan(it, profile.Limits)
	if err != nil {
		return err
	}
	conn, err := w.cfg.Connectors(ctx, it, plan.Settings)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	s := newSnapshot(it.Version, plan, conn)
	if prev == nil {
		w.loadBudget(ctx, conn)
	}
	w.journalBudget(ctx, conn)
	s.readPicklists(ctx, w.log)
	w.cur.Store(s)
	w.status.load(s)
	w.biller.load(s)
	w.router.load(s)
	w.contacts = contactCache{ttl: w.cfg.CompaniesTTL}
	w.log.Info("integration loaded", "version", it.Version)
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func (w *worker) reportBudget() {
	if b, ok := w.currentConn().(psa.Budgeted); ok && w.cfg.Metrics != nil {
		w.cfg.Metrics.BudgetRemaining.WithLabelValues(w.name).Set(float64(b.BudgetRemaining()))
	}
}
