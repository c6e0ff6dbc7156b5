package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// reopenLink finds, with ticket.reopen_within on, the group's ticket
// closed within the window and takes its link back to creating: the
// alert's create delivery then reopens that ticket instead of opening a
// new one. The unique index on creating-or-open links makes a racing
// router's second reopen (or create) fail with ErrConflict, as for a
// create. It answers ErrNotFound when there is nothing to reopen.
func (r *router) reopenLink(ctx context.Context, q store.Queries, dec rules.Decision) (store.TicketLink, bool, error) {
	within := r.snap.plan.ReopenWithin
	if within <= 0 {
		return store.TicketLink{}, false, store.ErrNotFound
	}
	now := r.cfg.Now()
	l, err := q.LastClosedTicketLink(ctx, r.id, dec.CompanyID, dec.GroupKey, now.Add(-within))
	if err != nil {
		return l, false, err
	}
	if l.PSATicketID == "" {
		return l, false, store.ErrNotFound
	}
	if r.busy != nil && r.busy(l.ID) {
		// The round under way closed it a moment ago and may still be
		// moving its notes: route after the round, not onto it.
		return l, false, errHeldBack
	}
	l.State, l.UpdatedAt = store.LinkCreating, now
	if err := q.UpdateTicketLink(ctx, l); err != nil {
		return l, false, fmt.Errorf("reopen ticket link: %w", err)
	}
	return l, true, nil
}

// reopenEvent is the queued alert's timeline line for a reopen.
func reopenEvent(l store.TicketLink, within time.Duration, now time.Time) string {
	return fmt.Sprintf("reopen queued for ticket %s: closed %s ago, within reopen_within (%s)", l.TicketNumber, closedAgo(l, now), within)
}

func closedAgo(l store.TicketLink, now time.Time) time.Duration {
	if l.ClosedAt == nil {
		return 0
	}
	return now.Sub(*l.ClosedAt).Round(time.Second)
}

// reopen carries out a create delivery on a link that still holds its
// group's closed ticket: it sets the ticket back to the settings' open
// status, adds the alert as a note and records the link open again, the
// delivery done and the timeline line in one transaction. A retry after
// a crash finds the ticket open already and the note by its alert marker,
// so it writes neither twice, and it never creates a ticket. done is
// false when the ticket is gone from the PSA: the link's PSA id is then
// cleared and the caller creates a new ticket as for any create.
func (dl *deliverer) reopen(ctx context.Context, link *store.TicketLink, d store.Delivery, dec rules.Decision, pa payloadAlert) (done bool, err error) {
	batch := []store.Delivery{d}
	t, err := dl.snap.conn.Ticket(ctx, link.PSATicketID)
	if errors.Is(err, psa.ErrNotFound) {
		dl.log.Info("the closed ticket to reopen is gone from the PSA; a new one is created", "psa_ticket", link.PSATicketID, "delivery_id", d.ID)
		link.PSATicketID, link.TicketNumber, link.ClosedAt = "", "", nil
		return false, nil
	}
	if err != nil {
		return true, dl.fail(ctx, batch, fmt.Errorf("read ticket %s to reopen: %w", link.TicketNumber, err))
	}
	if dl.snap.plan.Closed(t) {
		status := dec.Ticket.Status
		if err := dl.snap.conn.UpdateTicket(ctx, t.ID, psa.TicketPatch{Status: &status}); err != nil {
			return true, dl.fail(ctx, batch, fmt.Errorf("reopen ticket %s: %w", link.TicketNumber, err))
		}
		t.Status, t.Closed = status, false
	}
	noteID, err := dl.reopenNote(ctx, t.ID, d, dec, pa.Key)
	if err != nil {
		return true, dl.fail(ctx, batch, fmt.Errorf("add note to reopened ticket %s: %w", link.TicketNumber, err))
	}
	if hook := dl.cfg.AfterCreate; hook != nil {
		if err := hook(ctx, t); err != nil {
			return true, dl.fail(ctx, batch, err)
		}
	}
	return true, dl.recordReopen(ctx, *link, d, pa.ReceivedAt, t, noteID)
}

// reopenNote adds the alert's note to the reopened ticket, unless an
// earlier attempt did (its alert marker is in the ticket's notes).
func (dl *deliverer) reopenNote(ctx context.Context, ticketID string, d store.Delivery, dec rules.Decision, key string) (string, error) {
	if d.Attempts > 1 {
		existing, err := dl.snap.conn.Notes(ctx, ticketID)
		if err != nil {
			return "", fmt.Errorf("list notes: %w", err)
		}
		if id := findMarker(existing, pendingNote{d: d, dec: dec, key: key}); id != "" {
			return id, nil
		}
	}
	return dl.snap.conn.AddNote(ctx, ticketID, dec.Note)
}

func (dl *deliverer) recordReopen(ctx context.Context, link store.TicketLink, d store.Delivery, received time.Time, t psa.Ticket, noteID string) error {
	now := dl.cfg.Now()
	detail := fmt.Sprintf("reopened ticket %s (closed %s ago, within reopen_within %s); added as note %s",
		link.TicketNumber, closedAgo(link, now), dl.snap.plan.ReopenWithin, noteID)
	link.State, link.PSAStatus, link.ClosedAt, link.UpdatedAt = store.LinkOpen, t.Status, nil, now
	d.State, d.Result, d.LastError, d.CompletedAt, d.UpdatedAt = store.DeliveryDone, t.ID, "", &now, now
	err := dl.st.InTx(ctx, func(q store.Queries) error {
		if err := q.UpdateTicketLink(ctx, link); err != nil {
			return err
		}
		if err := q.UpdateDelivery(ctx, d); err != nil {
			return err
		}
		if d.Attempts > 1 {
			if err := dl.resumeWaitingNotes(ctx, q, link.ID, now); err != nil {
				return err
			}
		}
		return q.AppendTimeline(ctx, store.TimelineEntry{
			TenantID: d.TenantID, AlertSeq: d.AlertSeq, IntegrationID: dl.id, At: now, Event: "ticket_reopened", Detail: detail,
		})
	})
	if err != nil {
		return fmt.Errorf("record reopened ticket %s: %w", t.ID, err)
	}
	dl.observeDone(ctx, d, received, "ok")
	dl.log.Info("ticket reopened", "psa_ticket", t.ID, "ticket_number", link.TicketNumber, "delivery_id", d.ID)
	return nil
}
