package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Reconciled tells the worker of the integration, if this replica runs
// it, that a reconcile just stored its drift report: deliveries read it at
// once, and the next cycle looks for tickets held as open that the PSA
// closed or deleted. It never blocks.
func (e *Engine) Reconciled(integrationID int64) {
	e.mu.Lock()
	w := e.workers[integrationID]
	e.mu.Unlock()
	if w != nil {
		w.deliverer.driftStale.Store(true)
		w.checkLinks.Store(true)
		w.nudge()
	}
}

// endGoneLinks finds the tickets held as open that the PSA has closed or
// deleted (status sync was off, or missed the change) and ends their
// links, as a poll or a note would have: a closed ticket's waiting alerts
// move to a new one, a deleted ticket's too. It returns how many links it
// ended. Each ticket is read alone: a batched read may be served from a
// connector's cache of tickets it has seen, which a deletion never
// reaches. One read per open ticket, every sync.reconcile_every, is a
// small share of any PSA's budget; a read the budget refuses ends the
// check until the next one.
func (s *statusSync) endGoneLinks(ctx context.Context) (int, error) {
	links, err := s.st.TicketLinks(ctx, s.id)
	if err != nil {
		return 0, fmt.Errorf("list ticket links: %w", err)
	}
	ended := 0
	for _, l := range links {
		if l.State != store.LinkOpen || l.PSATicketID == "" {
			continue
		}
		t, err := s.snap.conn.Ticket(ctx, l.PSATicketID)
		switch {
		case errors.Is(err, psa.ErrNotFound):
			if err := s.endDeleted(ctx, l); err != nil {
				return ended, err
			}
			ended++
		case err != nil:
			return ended, fmt.Errorf("read ticket %s: %w", l.TicketNumber, err)
		case s.snap.isClosed(t):
			if err := s.updateLinkStatus(ctx, l, t.Status, true); err != nil {
				return ended, err
			}
			s.log.Info("ticket closed in the PSA unseen by status sync; link ended", "psa_ticket", t.ID)
			ended++
		}
	}
	return ended, nil
}

// checkOpenLinks runs endGoneLinks and adds the count to the stored
// drift report, so reconcile's answer says what it ended.
func (w *worker) checkOpenLinks(ctx context.Context) error {
	n, err := w.status.endGoneLinks(ctx)
	if err != nil || n == 0 {
		return err
	}
	w.log.Warn("reconcile ended links of tickets the PSA closed or deleted unseen", "links", n)
	r, err := ReadDrift(ctx, w.st, w.id)
	if err != nil {
		return err
	}
	r.LinksEnded += n
	return SaveDrift(ctx, w.st, w.id, r)
}
