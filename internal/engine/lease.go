package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

const cursorBudget = "budget"

// Leases are timed with the wall clock, never the engine's injectable
// business clock: they are about whether a process is alive, and a test
// that moves business time a month ahead must not expire them.

func leaseName(integrationID int64) string {
	return "integration:" + strconv.FormatInt(integrationID, 10)
}

// holdLease renews the worker's lease every third of its time to live
// until ctx ends or the lease is lost; losing it cancels the worker. A
// slow PSA call cannot starve renewal, since it runs beside the worker.
// Each renewal also saves the request budget, so whoever takes over next
// knows what this replica spent.
func (w *worker) holdLease(ctx context.Context, cancel context.CancelFunc) {
	defer cancel()
	ttl := w.cfg.LeaseTTL
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l, err := w.cfg.Store.AcquireLease(ctx, w.lease.current().Name, w.cfg.Replica, ttl, time.Now())
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("lease lost; stopping this integration here", "err", err)
			}
			w.lease.lost.Store(true)
			return
		}
		w.lease.set(l)
		w.saveBudget(ctx)
	}
}

// leaseHold is a worker's lease on its integration: renewed by holdLease
// on a goroutine of its own, checked by every fenced transaction.
type leaseHold struct {
	mu    sync.Mutex
	lease store.Lease
	lost  atomic.Bool // set once the lease is gone
}

func (h *leaseHold) set(l store.Lease) {
	h.mu.Lock()
	h.lease = l
	h.mu.Unlock()
}

func (h *leaseHold) current() store.Lease {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lease
}

// saveBudget stores the budget's reservation times, to the second.
func (w *worker) saveBudget(ctx context.Context) {
	bs, ok := w.currentConn().(psa.BudgetState)
	if !ok {
		return
	}
	if err := w.writeBudget(ctx, budgetRuns(bs.BudgetTimes())); err != nil && ctx.Err() == nil {
		w.log.Warn("save request budget", "err", err)
	}
}

// saveBudgetAfterRound saves the budget after a delivery round, unless
// the connector journals it: a journaling budget has written every slot
// the round spent before spending it, and renewal writes the exact times
// every third of the lease, so a save per round would only rewrite the
// same window again. That rewrite grew with the requests in the window
// (a soak at 100 alerts/s spent a fifth of serve's CPU on it by minute 5).
func (w *worker) saveBudgetAfterRound(ctx context.Context) {
	if _, journaled := w.currentConn().(psa.BudgetJournal); journaled {
		return
	}
	w.saveBudget(ctx)
}

func (w *worker) writeBudget(ctx context.Context, runs []psa.BudgetRun) error {
	return w.st.SetCursor(ctx, w.id, cursorBudget, encodeBudget(runs))
}

// budgetRuns groups times, oldest first, into runs per second; a time
// out of order (Slot.Finish re-stamps) only starts another run.
func budgetRuns(times []time.Time) []psa.BudgetRun {
	var runs []psa.BudgetRun
	for _, t := range times {
		if k := len(runs) - 1; k >= 0 && runs[k].Unix == t.Unix() {
			runs[k].Count++
			continue
		}
		runs = append(runs, psa.BudgetRun{Unix: t.Unix(), Count: 1})
	}
	return runs
}

// encodeBudget writes a run as "SECONDSxCOUNT" (a lone reservation as
// "SECONDS", the form every entry had before runs were written). The
// value is saved at every claim and renewal, so its size must follow the
// seconds in the window, not the requests: one entry per request made a
// busy window's value megabytes long.
func encodeBudget(runs []psa.BudgetRun) string {
	var b strings.Builder
	for i, r := range runs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(r.Unix, 10))
		if r.Count != 1 {
			b.WriteByte('x')
			b.WriteString(strconv.Itoa(r.Count))
		}
	}
	return b.String()
}

// decodeBudget reads what encodeBudget wrote (or the one-entry-per-time
// form before it). Times are whole seconds rounded up, so a request never
// counts as having left the window before it did; an entry that does not
// parse is skipped.
func decodeBudget(v string) []time.Time {
	var times []time.Time
	for f := range strings.SplitSeq(v, ",") {
		secs, count, run := strings.Cut(f, "x")
		s, err := strconv.ParseInt(secs, 10, 64)
		if err != nil {
			continue
		}
		n := 1
		if run {
			if n, err = strconv.Atoi(count); err != nil || n < 1 {
				continue
			}
		}
		for range n {
			times = append(times, time.Unix(s+1, 0))
		}
	}
	return times
}

// journalBudget makes the connector's budget write ahead to the database
// under the lease (psa.BudgetJournal), claiming slots for a third of the
// lease's time at once, so the budget saved is never behind what was
// sent, even when this process is killed between renewals.
func (w *worker) journalBudget(ctx context.Context, conn psa.Connector) {
	if bj, ok := conn.(psa.BudgetJournal); ok {
		bj.JournalBudget(func(runs []psa.BudgetRun) error { return w.writeBudget(ctx, runs) }, w.cfg.LeaseTTL/3)
	}
}

// loadBudget seeds the connector's budget with what the previous holder
// spent.
func (w *worker) loadBudget(ctx context.Context, conn psa.Connector) {
	bs, ok := conn.(psa.BudgetState)
	if !ok {
		return
	}
	v, err := w.cfg.Store.Cursor(ctx, w.id, cursorBudget)
	if err != nil || v == "" {
		return
	}
	bs.SeedBudget(decodeBudget(v))
}

// fenced is the store as a worker sees it: every transaction first checks
// that the worker still holds its integration's lease, so a replica that
// paused past its lease (GC, a hung call) cannot commit after another took
// over. Writes the worker makes outside transactions are routed through
// one for the same check.
type fenced struct {
	store.Store
	lease *leaseHold
}

var errLeaseLost = fmt.Errorf("engine: %w", store.ErrLeaseLost)

func (f fenced) InTx(ctx context.Context, fn func(q store.Queries) error) error {
	err := f.Store.InTx(ctx, func(q store.Queries) error {
		if err := q.CheckLease(ctx, f.lease.current(), time.Now()); err != nil {
			return err
		}
		return fn(q)
	})
	if errors.Is(err, store.ErrLeaseLost) {
		f.lease.lost.Store(true)
		return errLeaseLost
	}
	return err
}

func (f fenced) UpdateTicketLink(ctx context.Context, l store.TicketLink) error {
	return f.InTx(ctx, func(q store.Queries) error { return q.UpdateTicketLink(ctx, l) })
}

func (f fenced) SetCursor(ctx context.Context, id int64, name, value string) error {
	return f.InTx(ctx, func(q store.Queries) error { return q.SetCursor(ctx, id, name, value) })
}

func (f fenced) MarkSeen(ctx context.Context, id int64, key string, at time.Time) error {
	return f.InTx(ctx, func(q store.Queries) error { return q.MarkSeen(ctx, id, key, at) })
}

func (f fenced) AppendBillingAudit(ctx context.Context, a store.BillingAudit) error {
	return f.InTx(ctx, func(q store.Queries) error { return q.AppendBillingAudit(ctx, a) })
}
