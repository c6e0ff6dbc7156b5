package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Cursor names.
const (
	cursorStatusPoll = "status_poll"
)

// pollOverlap re-reads this much before the cursor on every poll, so a
// change stamped by a PSA clock slightly behind ours is not skipped; the
// seen-keys table drops what was already handled.
const pollOverlap = 2 * time.Minute

// statusPayload is what a set_status delivery carries.
type statusPayload struct {
	Status string `json:"status"` // PSA status id
	Label  string `json:"label"`  // for the timeline
	Reason string `json:"reason"`
	// OnlyUntouched makes the push check for human work first
	// (auto-resolve with only_untouched).
	OnlyUntouched bool `json:"only_untouched,omitempty"`
}

// pollStatuses reads ticket changes since the stored cursor when a poll is
// due. The cursor and the seen keys are in the store, so a restart between
// polls loses nothing (the overlap re-reads) and repeats nothing (seen keys).
func (w *worker) pollStatuses(ctx context.Context) error {
	feed, ok := w.snap().conn.(psa.ChangeFeed)
	if !ok || !w.snap().settings.StatusSync.Enabled {
		return nil
	}
	now := w.cfg.Now()
	if now.Before(w.nextPoll) {
		return nil
	}
	w.nextPoll = now.Add(w.snap().pollEvery)
	since := now.Add(-pollOverlap)
	if c, err := w.st.Cursor(ctx, w.id, cursorStatusPoll); err == nil {
		if t, err := time.Parse(time.RFC3339Nano, c); err == nil {
			since = t.Add(-pollOverlap)
		}
	} else if !isNotFound(err) {
		return fmt.Errorf("read poll cursor: %w", err)
	}
	tickets, err := feed.TicketsChangedSince(ctx, since)
	if err != nil {
		return fmt.Errorf("poll ticket changes: %w", err)
	}
	mark := since.Add(pollOverlap)
	for _, t := range tickets {
		key := "poll:" + t.ID + "@" + t.LastModified.UTC().Format(time.RFC3339Nano)
		if err := w.once(ctx, key); err != nil {
			if errors.Is(err, store.ErrConflict) {
				continue
			}
			return err
		}
		if err := w.applyPSAStatus(ctx, t.ID, t.Status, w.snap().isClosed(t), "poll"); err != nil {
			return err
		}
		if t.LastModified.After(mark) {
			mark = t.LastModified
		}
	}
	return w.st.SetCursor(ctx, w.id, cursorStatusPoll, mark.UTC().Format(time.RFC3339Nano))
}

// once records key as seen; ErrConflict when it already was.
func (w *worker) once(ctx context.Context, key string) error {
	return w.st.MarkSeen(ctx, w.id, key, w.cfg.Now())
}

// applyPSAStatus brings a PSA ticket status change home: the link learns
// the status (and closes, moving waiting alerts to a new ticket), and with
// status sync on every alert of the ticket that is not already resolved or
// ignored takes the mapped status (Guardz rule: done alerts stay done).
func (w *worker) applyPSAStatus(ctx context.Context, ticketID, status string, closed bool, via string) error {
	link, err := w.st.TicketLinkByPSAID(ctx, w.id, ticketID)
	if isNotFound(err) {
		return nil // not a ticket we created
	}
	if err != nil {
		return fmt.Errorf("find link of ticket %s: %w", ticketID, err)
	}
	if err := w.updateLinkStatus(ctx, link, status, closed); err != nil {
		return err
	}
	if !w.snap().settings.StatusSync.Enabled {
		return nil
	}
	alerts, err := w.st.AlertsByTicketLink(ctx, link.ID)
	if err != nil {
		return fmt.Errorf("alerts of ticket %s: %w", link.TicketNumber, err)
	}
	label := w.snap().statusLabel(status)
	for _, a := range alerts {
		if err := w.syncAlertFromPSA(ctx, a, link, status, label, via); err != nil {
			return err
		}
	}
	return nil
}

func (w *worker) syncAlertFromPSA(ctx context.Context, a store.StoredAlert, link store.TicketLink, status, label, via string) error {
	if a.Alert.Status.Done() {
		return nil
	}
	to, ok := w.snap().statuses.FromPSA(a.Alert.Kind, status)
	if !ok || to == a.Alert.Status {
		return nil
	}
	now := w.cfg.Now()
	return w.st.InTx(ctx, func(q store.Queries) error {
		if err := q.SetAlertStatus(ctx, a.Seq, to, "psa:"+w.name, now); err != nil {
			return err
		}
		// The engine itself caused this status: do not push it back.
		if err := q.MarkStatusHandled(ctx, a.Seq, w.id, to); err != nil {
			return err
		}
		if err := q.AppendTimeline(ctx, store.TimelineEntry{
			TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: w.id, At: now, Event: "status_synced",
			Detail: fmt.Sprintf("ticket %s is %s in the PSA (seen by %s): alert %s → %s", link.TicketNumber, label, via, a.Alert.Status, to),
		}); err != nil {
			return err
		}
		return queueCallback(ctx, q, a, a.Alert.Status, to, "psa:"+w.name, now)
	})
}

// updateLinkStatus records the PSA status on the link. A ticket the PSA
// closed ends its group; alerts still waiting to be added go to a new one.
func (w *worker) updateLinkStatus(ctx context.Context, link store.TicketLink, status string, closed bool) error {
	if link.State != store.LinkOpen {
		return nil
	}
	if !closed {
		if link.PSAStatus == status {
			return nil
		}
		link.PSAStatus, link.UpdatedAt = status, w.cfg.Now()
		return w.st.UpdateTicketLink(ctx, link)
	}
	pending, err := w.st.PendingNotes(ctx, link.ID)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return w.reopenGroup(ctx, link, psa.Ticket{ID: link.PSATicketID, Status: status}, pending)
	}
	now := w.cfg.Now()
	link.State, link.PSAStatus, link.ClosedAt, link.UpdatedAt = store.LinkClosed, status, &now, now
	return w.st.UpdateTicketLink(ctx, link)
}

// sourceStatusChanges acts on alerts whose source re-sent them with a new
// status: with sync.update off nothing is written to the PSA; otherwise a
// non-final status is pushed through the map, and a final one (resolved,
// ignored) resolves the ticket once every alert on it is final, when
// auto_resolve is on.
func (w *worker) sourceStatusChanges(ctx context.Context) (int, error) {
	changed, err := w.st.StatusChanges(ctx, w.id, routeBatch)
	if err != nil || len(changed) == 0 {
		return 0, err
	}
	for i, a := range changed {
		if err := w.onSourceStatus(ctx, a); err != nil {
			return i, fmt.Errorf("status change of alert %d: %w", a.Seq, err)
		}
	}
	return len(changed), nil
}

func (w *worker) onSourceStatus(ctx context.Context, a store.StoredAlert) error {
	routes, err := w.st.Routes(ctx, a.Seq)
	if err != nil {
		return err
	}
	var linkID int64
	for _, r := range routes {
		if r.IntegrationID == w.id {
			linkID = r.TicketLinkID
		}
	}
	decision, push := w.statusDecision(ctx, a, linkID)
	if push != nil {
		if link, err := w.st.TicketLink(ctx, linkID); err == nil && link.State == store.LinkClosed {
			decision, push = "status "+string(a.Alert.Status)+": ticket "+link.TicketNumber+" is already closed in the PSA", nil
		}
	}
	now := w.cfg.Now()
	return w.st.InTx(ctx, func(q store.Queries) error {
		if err := q.MarkStatusHandled(ctx, a.Seq, w.id, a.Alert.Status); err != nil {
			return err
		}
		if push != nil {
			if err := w.queueStatus(ctx, q, a, linkID, *push, now); err != nil {
				return err
			}
		}
		return q.AppendTimeline(ctx, store.TimelineEntry{
			TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: w.id, At: now, Event: "status_change", Detail: decision,
		})
	})
}

// statusDecision says what a source-side status change does to the PSA.
func (w *worker) statusDecision(ctx context.Context, a store.StoredAlert, linkID int64) (string, *statusPayload) {
	st := a.Alert.Status
	ss := w.snap().settings.StatusSync
	switch {
	case linkID == 0:
		return "status " + string(st) + ": no ticket to update", nil
	case !w.snap().settings.Sync.Update:
		return "status " + string(st) + " recorded; not written to the PSA: sync.update is off", nil
	case !ss.Enabled:
		return "status " + string(st) + " recorded; not written to the PSA: status_sync is off", nil
	case !st.Done():
		id, ok := w.snap().statuses.ToPSA(a.Alert.Kind, st)
		if !ok {
			return "status " + string(st) + " has no PSA status in the map", nil
		}
		return "status " + string(st) + ": ticket set to " + w.snap().statusLabel(id), &statusPayload{Status: id, Label: w.snap().statusLabel(id), Reason: "alert " + a.Alert.ID + " is " + string(st)}
	case !ss.AutoResolve:
		return "status " + string(st) + " recorded; ticket left as is: auto_resolve is off", nil
	}
	return w.autoResolve(ctx, a, linkID)
}

// autoResolve resolves the ticket when every alert on it is resolved or
// ignored, unless only_untouched is set and a person worked on it.
func (w *worker) autoResolve(ctx context.Context, a store.StoredAlert, linkID int64) (string, *statusPayload) {
	alerts, err := w.st.AlertsByTicketLink(ctx, linkID)
	if err != nil {
		return "auto-resolve skipped: " + err.Error(), nil
	}
	open, allIgnored := 0, true
	for _, other := range alerts {
		if !other.Alert.Status.Done() {
			open++
		}
		allIgnored = allIgnored && other.Alert.Status == alert.StatusIgnored
	}
	if open > 0 {
		return fmt.Sprintf("status %s: ticket stays open: %d other alert(s) on it are not resolved", a.Alert.Status, open), nil
	}
	target := alert.StatusResolved
	if allIgnored {
		target = alert.StatusIgnored
	}
	id, ok := w.snap().statuses.ToPSA(a.Alert.Kind, target)
	if !ok {
		return "auto-resolve: no PSA status mapped for " + string(target), nil
	}
	label := w.snap().statusLabel(id)
	return fmt.Sprintf("every alert on the ticket is %s or ignored: ticket to be set to %s", alert.StatusResolved, label),
		&statusPayload{Status: id, Label: label, Reason: "auto-resolve", OnlyUntouched: w.snap().settings.StatusSync.OnlyUntouched}
}

func (w *worker) queueStatus(ctx context.Context, q store.Queries, a store.StoredAlert, linkID int64, p statusPayload, now time.Time) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = q.InsertDelivery(ctx, store.Delivery{
		TenantID: a.TenantID, IntegrationID: w.id, TicketLinkID: linkID, AlertSeq: a.Seq, Kind: store.DeliverySetStatus,
		State: store.DeliveryPending, NextAttemptAt: now, Payload: b, CreatedAt: now, UpdatedAt: now,
	})
	return err
}

// setStatus carries out a set_status delivery.
func (w *worker) setStatus(ctx context.Context, link store.TicketLink, d store.Delivery) error {
	var p statusPayload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return w.fail(ctx, []store.Delivery{d}, &psa.Error{Class: psa.Permanent, Message: "decode status payload: " + err.Error()})
	}
	batch := []store.Delivery{d}
	if err := w.startAttempt(ctx, batch); err != nil {
		return err
	}
	d = batch[0]
	detail, err := w.writeStatus(ctx, link, p)
	if err != nil {
		return w.fail(ctx, batch, err)
	}
	now := w.cfg.Now()
	d.State, d.Result, d.LastError, d.CompletedAt, d.UpdatedAt = store.DeliveryDone, p.Status, "", &now, now
	return w.st.InTx(ctx, func(q store.Queries) error {
		if err := q.UpdateDelivery(ctx, d); err != nil {
			return err
		}
		return q.AppendTimeline(ctx, store.TimelineEntry{
			TenantID: d.TenantID, AlertSeq: d.AlertSeq, IntegrationID: w.id, At: now, Event: "status_pushed", Detail: detail,
		})
	})
}

func (w *worker) writeStatus(ctx context.Context, link store.TicketLink, p statusPayload) (string, error) {
	if p.OnlyUntouched {
		if ar, ok := w.snap().conn.(psa.ActivityReader); ok {
			act, err := ar.TicketActivity(ctx, link.PSATicketID)
			if err != nil {
				return "", fmt.Errorf("read activity of ticket %s: %w", link.TicketNumber, err)
			}
			if act.TouchedByOthers {
				return "ticket " + link.TicketNumber + " left open: a person worked on it (" + act.Detail + ") and only_untouched is on", nil
			}
		}
	}
	st := p.Status
	if err := w.snap().conn.UpdateTicket(ctx, link.PSATicketID, psa.TicketPatch{Status: &st}); err != nil {
		return "", fmt.Errorf("set status of ticket %s: %w", link.TicketNumber, err)
	}
	return fmt.Sprintf("ticket %s set to %s (%s)", link.TicketNumber, p.Label, p.Reason), nil
}
