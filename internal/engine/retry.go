package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// fail records a failed attempt of deliveries that were tried together:
// a permanent PSA error (or too many attempts) marks them failed for a
// person to retry; a rate limit waits as long as the PSA asked; anything
// else backs off exponentially with jitter. Attempts were already counted
// by startAttempt.
func (w *worker) fail(ctx context.Context, ds []store.Delivery, cause error) error {
	now := w.e.cfg.Now()
	class := psa.ClassOf(cause)
	if psa.NotSent(cause) {
		// Our own budget refused the call: nothing reached the PSA, so this
		// was no attempt, and the next one need not search for its write.
		for i := range ds {
			ds[i].Attempts = max(ds[i].Attempts-1, 0)
		}
	}
	attempts := 0
	for _, d := range ds {
		attempts = max(attempts, d.Attempts)
	}
	state, next, event := store.DeliveryPending, now, "retry"
	switch {
	case class == psa.Permanent:
		state, event = store.DeliveryFailed, "failed"
	case class == psa.RateLimited:
		wait := psa.RetryAfterOf(cause)
		if wait <= 0 {
			wait = w.e.cfg.RateLimitWait
		}
		next = now.Add(wait)
	case attempts >= w.e.cfg.MaxAttempts:
		state, event = store.DeliveryFailed, "failed"
	default:
		next = now.Add(w.backoff(attempts))
	}
	msg := cause.Error()
	detail := msg
	if state == store.DeliveryPending {
		detail = fmt.Sprintf("attempt %d failed (%s), next attempt at %s: %s", attempts, class, next.UTC().Format(time.RFC3339), msg)
	}
	err := w.st.InTx(ctx, func(q store.Queries) error {
		for _, d := range ds {
			d.State, d.NextAttemptAt, d.LastError, d.UpdatedAt = state, next, msg, now
			if err := q.UpdateDelivery(ctx, d); err != nil {
				return err
			}
			if err := q.AppendTimeline(ctx, store.TimelineEntry{
				TenantID: d.TenantID, AlertSeq: d.AlertSeq, IntegrationID: w.id, At: now, Event: event, Detail: detail,
			}); err != nil {
				return err
			}
			if d.Kind == store.DeliveryCreateTicket && state == store.DeliveryFailed {
				if err := w.failWaitingNotes(ctx, q, d, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record failed attempt: %w", err)
	}
	for _, d := range ds {
		w.observeOutcome(d.Kind, event)
	}
	w.log.Warn("delivery attempt failed", "delivery_id", ds[0].ID, "deliveries", len(ds), "class", class.String(), "next", next, "err", msg)
	return nil
}

// backoff is exponential from RetryBase, capped at RetryMax, with jitter
// in [d/2, d) so that many deliveries failing together do not return
// together.
func (w *worker) backoff(attempt int) time.Duration {
	return backoffFor(w.e.cfg.RetryBase, w.e.cfg.RetryMax, attempt)
}

func backoffFor(base, limit time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d/2 + rand.N(d/2+1)
}

func (w *worker) observeOutcome(kind store.DeliveryKind, outcome string) {
	if w.e.cfg.Metrics != nil {
		w.e.cfg.Metrics.Deliveries.WithLabelValues(string(kind), outcome).Inc()
	}
}

// observeDone counts a completed delivery and its alert's latency from
// acceptance to the PSA write.
func (w *worker) observeDone(ctx context.Context, d store.Delivery, outcome string) {
	m := w.e.cfg.Metrics
	if m == nil {
		return
	}
	m.Deliveries.WithLabelValues(string(d.Kind), outcome).Inc()
	a, err := w.st.AlertBySeq(ctx, d.AlertSeq)
	if err == nil {
		m.AlertToTicket.Observe(w.e.cfg.Now().Sub(a.ReceivedAt).Seconds())
	}
}

// waitingPrefix starts the error of notes failed because their ticket's
// creation failed; they go back to pending when it succeeds.
const waitingPrefix = "not added: creating the ticket failed"

// failWaitingNotes marks the notes queued behind a failed create as failed
// too, so they show (with the reason) instead of waiting unseen.
func (w *worker) failWaitingNotes(ctx context.Context, q store.Queries, create store.Delivery, now time.Time) error {
	notes, err := q.PendingNotes(ctx, create.TicketLinkID)
	if err != nil {
		return err
	}
	for _, n := range notes {
		n.State, n.LastError, n.UpdatedAt = store.DeliveryFailed, fmt.Sprintf("%s (delivery %d); retry that delivery", waitingPrefix, create.ID), now
		if err := q.UpdateDelivery(ctx, n); err != nil {
			return err
		}
		if err := q.AppendTimeline(ctx, store.TimelineEntry{
			TenantID: n.TenantID, AlertSeq: n.AlertSeq, IntegrationID: w.id, At: now, Event: "failed", Detail: n.LastError,
		}); err != nil {
			return err
		}
	}
	return nil
}

// resumeWaitingNotes puts notes failed only because their ticket's
// creation failed back in the queue, once it has succeeded.
func (w *worker) resumeWaitingNotes(ctx context.Context, q store.Queries, linkID int64, now time.Time) error {
	failed, err := q.Deliveries(ctx, store.DeliveryFilter{TenantID: w.e.cfg.Tenant, IntegrationID: w.id, State: store.DeliveryFailed})
	if err != nil {
		return err
	}
	for _, n := range failed {
		if n.TicketLinkID != linkID || n.Kind != store.DeliveryAddNote || !strings.HasPrefix(n.LastError, waitingPrefix) {
			continue
		}
		n.State, n.LastError, n.NextAttemptAt, n.UpdatedAt = store.DeliveryPending, "", now, now
		if err := q.UpdateDelivery(ctx, n); err != nil {
			return err
		}
	}
	return nil
}
