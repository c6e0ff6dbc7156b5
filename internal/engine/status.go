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
func (s *statusSync) pollStatuses(ctx context.Context) error {
	feed, ok := s.snap.conn.(psa.ChangeFeed)
	if !ok || !s.snap.settings.StatusSync.Enabled {
		return nil
	}
	now := s.cfg.Now()
	if now.Before(s.nextPoll) {
		return nil
	}
	s.nextPoll = now.Add(s.snap.pollEvery)
	since := now.Add(-pollOverlap)
	if c, err := s.st.Cursor(ctx, s.id, cursorStatusPoll); err == nil {
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
		if err := s.once(ctx, key); err != nil {
			if errors.Is(err, store.ErrConflict) {
				continue
			}
			return err
		}
		if err := s.applyPSAStatus(ctx, t.ID, t.Status, s.snap.isClosed(t), "poll"); err != nil {
			return err
		}
		if t.LastModified.After(mark) {
			mark = t.LastModified
		}
	}
	return s.st.SetCursor(ctx, s.id, cursorStatusPoll, mark.UTC().Format(time.RFC3339Nano))
}

// once records key as seen; ErrConflict when it already was.
func (s *statusSync) once(ctx context.Context, key string) error {
	return s.st.MarkSeen(ctx, s.id, key, s.cfg.Now())
}

// applyPSAStatus brings a PSA ticket status change home: the link learns
// the status (and closes, moving waiting alerts to a new ticket), and with
// status sync on every alert of the ticket that is not already resolved or
// ignored takes the mapped status (Guardz rule: done alerts stay done).
func (s *statusSync) applyPSAStatus(ctx context.Context, ticketID, status string, closed bool, via string) error {
	link, err := s.st.TicketLinkByPSAID(ctx, s.id, ticketID)
	if isNotFound(err) {
		return nil // not a ticket we created
	}
	if err != nil {
		return fmt.Errorf("find link of ticket %s: %w", ticketID, err)
	}
	if err := s.updateLinkStatus(ctx, link, status, closed); err != nil {
		return err
	}
	if !s.snap.settings.StatusSync.Enabled {
		return nil
	}
	alerts, err := s.st.AlertsByTicketLink(ctx, link.ID)
	if err != nil {
		return fmt.Errorf("alerts of ticket %s: %w", link.TicketNumber, err)
	}
	label := s.snap.statusLabel(status)
	for _, a := range alerts {
		if err := s.syncAlertFromPSA(ctx, a, link, status, label, via); err != nil {
			return err
		}
	}
	return nil
}

func (s *statusSync) syncAlertFromPSA(ctx context.Context, a store.StoredAlert, link store.TicketLink, status, label, via string) error {
	if a.Alert.Status.Done() {
		return nil
	}
	to, ok := s.snap.statuses.FromPSA(a.Alert.Kind, status)
	if !ok || to == a.Alert.Status {
		return nil
	}
	now := s.cfg.Now()
	return s.st.InTx(ctx, func(q store.Queries) error {
		if err := q.SetAlertStatus(ctx, a.Seq, to, "psa:"+s.name, now); err != nil {
			return err
		}
		// The engine itself caused this status: do not push it back.
		if err := q.MarkStatusHandled(ctx, a.Seq, s.id, to); err != nil {
			return err
		}
		if err := q.AppendTimeline(ctx, store.TimelineEntry{
			TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: s.id, At: now, Event: "status_synced",
			Detail: fmt.Sprintf("ticket %s is %s in the PSA (seen by %s): alert %s → %s", link.TicketNumber, label, via, a.Alert.Status, to),
		}); err != nil {
			return err
		}
		return queueCallback(ctx, q, a, a.Alert.Status, to, "psa:"+s.name, now)
	})
}

// updateLinkStatus records the PSA status on the link. A ticket the PSA
// closed ends its group; alerts still waiting to be added go to a new one.
func (s *statusSync) updateLinkStatus(ctx context.Context, link store.TicketLink, status string, closed bool) error {
	if link.State != store.LinkOpen {
		return nil
	}
	if !closed {
		if link.PSAStatus == status {
			return nil
		}
		link.PSAStatus, link.UpdatedAt = status, s.cfg.Now()
		return s.st.UpdateTicketLink(ctx, link)
	}
	pending, err := s.st.PendingNotes(ctx, link.ID)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return s.reopenGroup(ctx, link, status, endedClosed, pending, s.snap.plan.ReopenWithin > 0)
	}
	now := s.cfg.Now()
	link.State, link.PSAStatus, link.ClosedAt, link.UpdatedAt = store.LinkClosed, status, &now, now
	return s.st.UpdateTicketLink(ctx, link)
}

// sourceStatusChanges acts on alerts whose source re-sent them with a new
// status: with sync.update off nothing is written to the PSA; otherwise a
// non-final status is pushed through the map, and a final one (resolved,
// ignored) resolves the ticket once every alert on it is final, when
// auto_resolve is on.
func (s *statusSync) sourceStatusChanges(ctx context.Context) (int, error) {
	changed, err := s.st.StatusChanges(ctx, s.id, routeBatch)
	if err != nil || len(changed) == 0 {
		return 0, err
	}
	for i, a := range changed {
		if err := s.onSourceStatus(ctx, a); err != nil {
			return i, fmt.Errorf("status change of alert %d: %w", a.Seq, err)
		}
	}
	return len(changed), nil
}

func (s *statusSync) onSourceStatus(ctx context.Context, a store.StoredAlert) error {
	routes, err := s.st.Routes(ctx, a.Seq)
	if err != nil {
		return err
	}
	var linkID int64
	for _, r := range routes {
		if r.IntegrationID == s.id {
			linkID = r.TicketLinkID
		}
	}
	decision, push := s.statusDecision(ctx, a, linkID)
	if push != nil {
		if link, err := s.st.TicketLink(ctx, linkID); err == nil && link.State == store.LinkClosed {
			decision, push = "status "+string(a.Alert.Status)+": ticket "+link.TicketNumber+" is already closed in the PSA", nil
		}
	}
	now := s.cfg.Now()
	return s.st.InTx(ctx, func(q store.Queries) error {
		if err := q.MarkStatusHandled(ctx, a.Seq, s.id, a.Alert.Status); err != nil {
			return err
		}
		if push != nil {
			if err := s.queueStatus(ctx, q, a, linkID, *push, now); err != nil {
				return err
			}
		}
		return q.AppendTimeline(ctx, store.TimelineEntry{
			TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: s.id, At: now, Event: "status_change", Detail: decision,
		})
	})
}

// statusDecision says what a source-side status change does to the PSA.
func (s *statusSync) statusDecision(ctx context.Context, a store.StoredAlert, linkID int64) (string, *statusPayload) {
	st := a.Alert.Status
	ss := s.snap.settings.StatusSync
	switch {
	case linkID == 0:
		return "status " + string(st) + ": no ticket to update", nil
	case !s.snap.settings.Sync.Update:
		return "status " + string(st) + " recorded; not written to the PSA: sync.update is off", nil
	case !ss.Enabled:
		return "status " + string(st) + " recorded; not written to the PSA: status_sync is off", nil
	case !st.Done():
		id, ok := s.snap.statuses.ToPSA(a.Alert.Kind, st)
		if !ok {
			return "status " + string(st) + " has no PSA status in the map", nil
		}
		return "status " + string(st) + ": ticket set to " + s.snap.statusLabel(id), &statusPayload{Status: id, Label: s.snap.statusLabel(id), Reason: "alert " + a.Alert.ID + " is " + string(st)}
	case !ss.AutoResolve:
		return "status " + string(st) + " recorded; ticket left as is: auto_resolve is off", nil
	}
	return s.autoResolve(ctx, a, linkID)
}

// autoResolve resolves the ticket when every alert on it is resolved or
// ignored, unless only_untouched is set and a person worked on it.
func (s *statusSync) autoResolve(ctx context.Context, a store.StoredAlert, linkID int64) (string, *statusPayload) {
	alerts, err := s.st.AlertsByTicketLink(ctx, linkID)
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
	id, ok := s.snap.statuses.ToPSA(a.Alert.Kind, target)
	if !ok {
		return "auto-resolve: no PSA status mapped for " + string(target), nil
	}
	label := s.snap.statusLabel(id)
	return fmt.Sprintf("every alert on the ticket is %s or ignored: ticket to be set to %s", alert.StatusResolved, label),
		&statusPayload{Status: id, Label: label, Reason: "auto-resolve", OnlyUntouched: s.snap.settings.StatusSync.OnlyUntouched}
}

func (s *statusSync) queueStatus(ctx context.Context, q store.Queries, a store.StoredAlert, linkID int64, p statusPayload, now time.Time) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = q.InsertDelivery(ctx, store.Delivery{
		TenantID: a.TenantID, IntegrationID: s.id, TicketLinkID: linkID, AlertSeq: a.Seq, Kind: store.DeliverySetStatus,
		State: store.DeliveryPending, NextAttemptAt: now, Payload: b, CreatedAt: now, UpdatedAt: now,
	})
	return err
}

// setStatus carries out a set_status delivery.
func (s *statusSync) setStatus(ctx context.Context, link store.TicketLink, d store.Delivery) error {
	var p statusPayload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return s.fail(ctx, []store.Delivery{d}, &psa.Error{Class: psa.Permanent, Message: "decode status payload: " + err.Error()})
	}
	batch := []store.Delivery{d}
	if err := s.startAttempt(ctx, batch); err != nil {
		return err
	}
	d = batch[0]
	detail, err := s.writeStatus(ctx, link, p)
	if err != nil && ticketGone(ctx, s.snap.conn, link.PSATicketID, err) {
		if err := s.endDeleted(ctx, link); err != nil {
			return err
		}
		detail, err = "ticket "+link.TicketNumber+" was deleted in the PSA: status "+p.Label+" not set", nil
	}
	if err != nil {
		return s.fail(ctx, batch, err)
	}
	now := s.cfg.Now()
	d.State, d.Result, d.LastError, d.CompletedAt, d.UpdatedAt = store.DeliveryDone, p.Status, "", &now, now
	return s.st.InTx(ctx, func(q store.Queries) error {
		if err := q.UpdateDelivery(ctx, d); err != nil {
			return err
		}
		return q.AppendTimeline(ctx, store.TimelineEntry{
			TenantID: d.TenantID, AlertSeq: d.AlertSeq, IntegrationID: s.id, At: now, Event: "status_pushed", Detail: detail,
		})
	})
}

func (s *statusSync) writeStatus(ctx context.Context, link store.TicketLink, p statusPayload) (string, error) {
	if p.OnlyUntouched {
		if ar, ok := s.snap.conn.(psa.ActivityReader); ok {
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
	if err := s.snap.conn.UpdateTicket(ctx, link.PSATicketID, psa.TicketPatch{Status: &st}); err != nil {
		return "", fmt.Errorf("set status of ticket %s: %w", link.TicketNumber, err)
	}
	return fmt.Sprintf("ticket %s set to %s (%s)", link.TicketNumber, p.Label, p.Reason), nil
}
