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

// worker works one integration while this replica holds its lease. The
// work is done by parts that each own their state and see the settings
// through the snapshot reload hands them: router (alerts into routes,
// ticket links and deliveries), deliverer (deliveries into PSA tickets and
// notes), statusSync (ticket statuses both ways) and biller (billable
// users). The worker holds the lease, runs the loop and reloads settings.
//
// Only one goroutine runs a worker, so grouping decisions and the request
// budget need no locks across workers; PSA calls of different ticket
// links run concurrently inside a delivery round, bounded by the
// connector's concurrency cap.
type worker struct {
	*books
	wake  chan struct{}
	lease *leaseHold

	// snap is the settings version loaded last, nil before the first
	// load; the lease goroutine and the webhook handler read it too.
	snap atomic.Pointer[snapshot]

	router    *router
	deliverer *deliverer
	status    *statusSync
	biller    *biller

	// nextReconcile is the wall-clock time of the next scheduled drift
	// reconcile; zero before the first cycle. checkLinks asks the next
	// cycle to look for tickets the PSA closed or deleted unseen (an
	// on-demand reconcile sets it).
	nextReconcile time.Time
	checkLinks    atomic.Bool

	// lastDelivered is how many links the last cycle's round worked on.
	lastDelivered int
}

// currentConn is the loaded connector, nil before the first load.
func (w *worker) currentConn() psa.Connector {
	if s := w.snap.Load(); s != nil {
		return s.conn
	}
	return nil
}

func newWorker(e *Engine, it store.Integration, l store.Lease) *worker {
	lease := &leaseHold{lease: l}
	id, name := it.ID, it.Name
	log := e.log.With("integration", name)
	if it.TenantID != store.DefaultTenant {
		log = log.With("tenant", it.TenantID)
	}
	b := &books{
		id: id, name: name, tenant: it.TenantID, cfg: &e.cfg, st: fenced{Store: e.cfg.Store, lease: lease},
		log: log, wall: time.Now, health: &health{},
	}
	w := &worker{books: b, wake: make(chan struct{}, 1), lease: lease, router: &router{books: b}, biller: &biller{books: b}}
	w.status = newStatusSync(b, w.nudge)
	w.deliverer = &deliverer{books: b, status: w.status}
	w.router.busy = w.deliverer.busy.has
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
		if errors.Is(err, store.ErrNotFound) {
			// The integration was deleted: stop, as if the lease were
			// lost, and let the engine forget the worker.
			w.lease.lost.Store(true)
			return 0
		}
		if ctx.Err() == nil {
			w.log.Error("load integration", "err", err)
		}
		return w.cfg.Rescan
	}
	if !w.snap.Load().settings.IsEnabled() {
		return w.cfg.Rescan
	}
	w.status.registerWebhook(ctx)
	events, err := w.status.drainEvents(ctx)
	w.logErr("apply webhook events", err)
	w.logErr("poll ticket statuses", w.status.pollStatuses(ctx))
	var routed int
	if w.lastDelivered > 0 {
		// Deliveries are flowing: route one batch and go on delivering;
		// the round routes the rest while its calls are out, rather than
		// the PSA waiting up to routeSlice for a backlog's routing. After
		// a busy round the next is likely as busy: a small batch.
		size := routeBatch
		if w.lastDelivered > meanwhileBatch {
			size = meanwhileBatch
		}
		routed, err = w.router.routeUpTo(ctx, size)
	} else {
		routed, err = w.router.routeBacklog(ctx)
	}
	w.logErr("route alerts", err)
	w.deliverer.routingBehind = w.router.behind
	changed, err := w.status.sourceStatusChanges(ctx)
	w.logErr("source status changes", err)
	var routedMeanwhile int
	delivered, err := w.deliverer.deliver(ctx, w.wake, func(size int) int {
		n, err := w.router.routeUpTo(ctx, size)
		w.logErr("route alerts", err)
		routedMeanwhile += n // read once deliver returned, which waits for this
		return n
	})
	routed += routedMeanwhile
	w.lastDelivered = delivered
	w.logErr("deliver", err)
	if delivered > 0 {
		// Between renewals too, so a replica taking over after a crash
		// inherits all but the last round's calls.
		w.saveBudgetAfterRound(ctx)
	}
	w.logErr("billing sync", w.biller.sync(ctx))
	w.logErr("reconcile", w.reconcile(ctx))
	w.reportBudget()
	if routed+delivered+events+changed > 0 {
		return 0 // more may be waiting: loop at once
	}
	if w.deliverer.waitingForDrift() {
		return w.cfg.Rescan // until apply clears the findings
	}
	if w.deliverer.waitingForBudget() {
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
	prev := w.snap.Load()
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
	w.snap.Store(s)
	w.router.load(s)
	w.deliverer.load(s)
	w.status.load(s)
	w.biller.load(s)
	w.log.Info("integration loaded", "version", it.Version)
	return nil
}

func (w *worker) reportBudget() {
	if b, ok := w.currentConn().(psa.Budgeted); ok && w.cfg.Metrics != nil {
		w.cfg.Metrics.BudgetRemaining.WithLabelValues(store.QualifiedName(w.tenant, w.name)).Set(float64(b.BudgetRemaining()))
	}
}

// reconcile runs the scheduled drift reconcile when it is due, and the
// check of open links after it or when one was asked for.
func (w *worker) reconcile(ctx context.Context) error {
	if w.checkLinks.Swap(false) {
		return w.checkOpenLinks(ctx)
	}
	every := w.snap.Load().settings.Sync.ReconcileInterval()
	if w.cfg.Reconcile == nil || every == 0 {
		return nil
	}
	now := w.wall()
	if w.nextReconcile.IsZero() {
		w.nextReconcile = now.Add(every)
	}
	if now.Before(w.nextReconcile) {
		return nil
	}
	w.nextReconcile = now.Add(every)
	if err := w.cfg.Reconcile(ctx, w.id); err != nil {
		return err
	}
	w.deliverer.driftStale.Store(true)
	return w.checkOpenLinks(ctx)
}
