package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// books is what the parts of an integration's worker share: which
// integration they work, the engine's config, the store fenced by the
// worker's lease, the logger, and the bookkeeping on delivery rows that
// more than one part does (counting and failing attempts, moving a closed
// ticket's waiting alerts to a new one). It holds no state that changes.
type books struct {
	id   int64
	name string
	// tenant owns the integration: its alerts, organizations and
	// billable counts are the only ones the parts read.
	tenant string
	cfg    *Config
	st     store.Store // fenced by the lease
	log    *slog.Logger
	// wall is the wall clock (time.Now), for pacing that must not follow
	// the business clock cfg.Now, which tests move by months; part tests
	// set it.
	wall func() time.Time
	// health is where the parts report PSA failures and recoveries.
	health *health
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func (b *books) logErr(what string, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		b.log.Error(what, "err", err)
	}
}

// startAttempt counts an attempt before the PSA call, so that after a
// crash mid-call the next attempt knows it must look for its own earlier
// write (by external reference or note marker) before writing again.
func (b *books) startAttempt(ctx context.Context, ds []store.Delivery) error {
	now := b.cfg.Now()
	return b.st.InTx(ctx, func(q store.Queries) error {
		for i := range ds {
			ds[i].Attempts++
			ds[i].UpdatedAt = now
			if err := q.UpdateDelivery(ctx, ds[i]); err != nil {
				return fmt.Errorf("count attempt of delivery %d: %w", ds[i].ID, err)
			}
		}
		return nil
	})
}

// Why a group's ticket ended, for the timelines of the alerts that move on.
const (
	endedClosed  = "closed"
	endedDeleted = "deleted"
)

// reopenGroup handles a ticket the PSA closed (or deleted: why says
// which) while alerts were waiting to be added to it: the link is closed,
// and the waiting alerts start a new ticket (the first becomes its create,
// the rest its notes). With keep (ticket.reopen_within is on, and the
// ticket was closed just now) they reopen the closed ticket instead: the
// link goes back to creating with its PSA id, and its create reopens.
func (b *books) reopenGroup(ctx context.Context, old store.TicketLink, status, why string, ds []store.Delivery, keep bool) error {
	now := b.cfg.Now()
	return b.st.InTx(ctx, func(q store.Queries) error {
		old.State, old.PSAStatus, old.ClosedAt, old.UpdatedAt = store.LinkClosed, status, &now, now
		link := old
		if keep {
			link.State = store.LinkCreating
		}
		if err := q.UpdateTicketLink(ctx, link); err != nil {
			return err
		}
		if !keep {
			var err error
			link, err = q.CreateTicketLink(ctx, store.TicketLink{
				TenantID: old.TenantID, IntegrationID: b.id, CompanyID: old.CompanyID, GroupKey: old.GroupKey,
				State: store.LinkCreating, ExternalRef: newExternalRef(), CreatedAt: now, UpdatedAt: now,
			})
			if err != nil {
				return fmt.Errorf("open new ticket link: %w", err)
			}
		}
		for i, d := range ds {
			if err := b.moveDelivery(ctx, q, d, link, i == 0, old.TicketNumber, why, keep); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *books) moveDelivery(ctx context.Context, q store.Queries, d store.Delivery, to store.TicketLink, create bool, closedNumber, why string, reopen bool) error {
	now := b.cfg.Now()
	old := d
	old.State, old.Result, old.UpdatedAt, old.CompletedAt = store.DeliveryMerged, fmt.Sprintf("moved to ticket link %d", to.ID), now, &now
	if err := q.UpdateDelivery(ctx, old); err != nil {
		return err
	}
	kind, detail := store.DeliveryAddNote, "ticket "+closedNumber+" was "+why+" in the PSA: note queued for the new ticket of the group"
	switch {
	case create && reopen:
		kind, detail = store.DeliveryCreateTicket, "ticket "+closedNumber+" was "+why+" in the PSA: reopen queued (within reopen_within)"
	case create:
		kind, detail = store.DeliveryCreateTicket, "ticket "+closedNumber+" was "+why+" in the PSA: new ticket queued"
	case reopen:
		detail = "ticket " + closedNumber + " was " + why + " in the PSA: note queued for when it is reopened"
	}
	if _, err := q.InsertDelivery(ctx, store.Delivery{
		TenantID: d.TenantID, IntegrationID: b.id, TicketLinkID: to.ID, AlertSeq: d.AlertSeq, Kind: kind,
		State: store.DeliveryPending, NextAttemptAt: now, Payload: d.Payload, CreatedAt: now, UpdatedAt: now,
	}); err != nil {
		return err
	}
	if err := q.SetRouteLink(ctx, d.AlertSeq, b.id, to.ID); err != nil {
		return err
	}
	return q.AppendTimeline(ctx, store.TimelineEntry{
		TenantID: d.TenantID, AlertSeq: d.AlertSeq, IntegrationID: b.id, At: now, Event: "requeued", Detail: detail,
	})
}

// ticketGone reports whether a write to a ticket failed because the
// ticket is gone from the PSA: after a permanent failure (a not found, or
// a bad request some PSAs answer a note to a missing ticket with), a read
// of the ticket says not found. The read confirms even a not found: a
// write's 404 can stand for something else (a permission, a note type),
// and taking it for a deletion would give the group a second ticket.
// Retryable failures are not checked, so a storm of them costs no reads.
func ticketGone(ctx context.Context, conn psa.Connector, ticketID string, cause error) bool {
	if psa.ClassOf(cause) != psa.Permanent || ctx.Err() != nil {
		return false
	}
	_, err := conn.Ticket(ctx, ticketID)
	return errors.Is(err, psa.ErrNotFound)
}

// endDeleted ends the group of a ticket deleted in the PSA, as a close
// would: alerts waiting to be added start a new ticket, and their
// timelines say the old one was deleted. A link another part already
// ended is left alone, so the group never gets two new tickets.
func (b *books) endDeleted(ctx context.Context, link store.TicketLink) error {
	cur, err := b.st.TicketLink(ctx, link.ID)
	if err != nil {
		return fmt.Errorf("read ticket link %d: %w", link.ID, err)
	}
	if cur.State != store.LinkOpen {
		return nil
	}
	b.log.Warn("ticket deleted in the PSA; the group's next alert opens a new ticket", "psa_ticket", cur.PSATicketID)
	pending, err := b.st.PendingNotes(ctx, cur.ID)
	if err != nil {
		return fmt.Errorf("pending notes of ticket %s: %w", cur.TicketNumber, err)
	}
	if len(pending) > 0 {
		return b.reopenGroup(ctx, cur, cur.PSAStatus, endedDeleted, pending, false)
	}
	now := b.cfg.Now()
	cur.State, cur.ClosedAt, cur.UpdatedAt = store.LinkClosed, &now, now
	return b.st.UpdateTicketLink(ctx, cur)
}
