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
// a permanent PSA error (or too many attempts over too long a time) marks
// them failed for a person to retry; a rate limit waits as long as the PSA asked; anything
// else backs off exponentially with jitter. Attempts were already counted
// by startAttempt.
func (b *books) fail(ctx context.Context, ds []store.Delivery, cause error) error {
	now := b.cfg.Now()
	class := psa.ClassOf(cause)
	if psa.NotSent(cause) {
		// Our own budget refused the call: nothing reached the PSA, so this
		// was no attempt, and the next one need not search for its write.
		for i := range ds {
			ds[i].Attempts = max(ds[i].Attempts-1, 0)
		}
	}
	attempts, pendingSince := 0, now
	for _, d := range ds {
		attempts = max(attempts, d.Attempts)
		if !d.CreatedAt.IsZero() && d.CreatedAt.Before(pendingSince) {
			pendingSince = d.CreatedAt
		}
	}
	state, next, event := store.DeliveryPending, now, "retry"
	switch {
	case class == psa.Permanent:
		state, event = store.DeliveryFailed, "failed"
	case class == psa.RateLimited:
		wait := psa.RetryAfterOf(cause)
		if wait <= 0 {
			wait = b.cfg.RateLimitWait
		}
		next = now.Add(wait)
	case attempts >= b.cfg.MaxAttempts && now.Sub(pendingSince) >= b.cfg.GiveUpAfter:
		state, event = store.DeliveryFailed, "failed"
	default:
		next = now.Add(b.backoff(attempts))
	}
	if class == psa.Retryable && !psa.NotSent(cause) {
		b.health.deliveryFailed(b.wall(), cause)
	}
	msg := cause.Error()
	detail := msg
	if state == store.DeliveryPending {
		detail = fmt.Sprintf("attempt %d failed (%s), next attempt at %s: %s", attempts, class, next.UTC().Format(time.RFC3339), msg)
	}
	err := b.st.InTx(ctx, func(q store.Queries) error {
		for _, d := range ds {
			d.State, d.NextAttemptAt, d.LastError, d.UpdatedAt = state, next, msg, now
			if err := q.UpdateDelivery(ctx, d); err != nil {
				return err
			}
			if err := q.AppendTimeline(ctx, store.TimelineEntry{
				TenantID: d.TenantID, AlertSeq: d.AlertSeq, IntegrationID: b.id, At: now, Event: event, Detail: detail,
			}); err != nil {
				return err
			}
			if d.Kind == store.DeliveryCreateTicket && state == store.DeliveryFailed {
				if err := b.failWaitingNotes(ctx, q, d, now); err != nil {
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
		b.observeOutcome(d.Kind, event)
	}
	b.log.Warn("delivery attempt failed", "delivery_id", ds[0].ID, "deliveries", len(ds), "class", class.String(), "next", next, "err", msg)
	return nil
}

// backoff is exponential from RetryBase, capped at RetryMax, with jitter
// in [d/2, d) so that many deliveries failing together do not return
// together.
func (b *books) backoff(attempt int) time.Duration {
	return backoffFor(b.cfg.RetryBase, b.cfg.RetryMax, attempt)
}

func backoffFor(base, limit time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d/2 + rand.N(d/2+1)
}

func (b *books) observeOutcome(kind store.DeliveryKind, outcome string) {
	if b.cfg.Metrics != nil {
		b.cfg.Metrics.Deliveries.WithLabelValues(string(kind), outcome).Inc()
	}
}

// observeDone counts a completed delivery and its alert's latency from
// acceptance to the PSA write.
func (b *books) observeDone(ctx context.Context, d store.Delivery, received time.Time, outcome string) {
	b.health.deliveryOK()
	m := b.cfg.Metrics
	if m == nil {
		return
	}
	m.Deliveries.WithLabelValues(string(d.Kind), outcome).Inc()
	if received.IsZero() { // a payload from before it carried the time
		a, err := b.st.AlertBySeq(ctx, d.AlertSeq)
		if err != nil {
			return
		}
		received = a.ReceivedAt
	}
	m.AlertToTicket.Observe(b.cfg.Now().Sub(received).Seconds())
}

// waitingPrefix starts the error of notes failed because their ticket's
// creation failed; they go back to pending when it succeeds.
const waitingPrefix = "not added: creating the ticket failed"

// failWaitingNotes marks the notes queued behind a failed create as failed
// too, so they show (with the reason) instead of waiting unseen.
func (b *books) failWaitingNotes(ctx context.Context, q store.Queries, create store.Delivery, now time.Time) error {
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
			TenantID: n.TenantID, AlertSeq: n.AlertSeq, IntegrationID: b.id, At: now, Event: "failed", Detail: n.LastError,
		}); err != nil {
			return err
		}
	}
	return nil
}

// resumeWaitingNotes puts notes failed only because their ticket's
// creation failed back in the queue, once it has succeeded.
func (b *books) resumeWaitingNotes(ctx context.Context, q store.Queries, linkID int64, now time.Time) error {
	failed, err := q.Deliveries(ctx, store.DeliveryFilter{TenantID: b.tenant, IntegrationID: b.id, State: store.DeliveryFailed})
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
