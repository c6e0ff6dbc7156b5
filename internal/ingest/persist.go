package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// acceptedAlert is one entry of the 202 answer.
type acceptedAlert struct {
	ID      string `json:"id"`
	Seq     int64  `json:"seq"`
	Created bool   `json:"created"`
	changed bool   // written (created or updated), as opposed to an identical re-send
}

type acceptedBody struct {
	Accepted []acceptedAlert `json:"accepted"`
}

// Timeline events written by the ingest.
const (
	EventReceived = "received"
	EventUpdated  = "updated"
)

// persist stores every alert of one request: either all of them are
// durable when it returns nil, or none is. With grouping on, the request
// shares its transaction with concurrent ones (see committer).
func (h *Handler) persist(ctx context.Context, src store.Source, alerts []alert.Alert) ([]acceptedAlert, error) {
	if h.cfg.GroupWindow < 0 {
		h.commit.leave() // not gathering: keep the count of arrivals honest
		res, err := h.commit.persist(ctx, []*job{{src: src, alerts: alerts}})
		if err != nil {
			return nil, err
		}
		return res[0], nil
	}
	return h.commit.submit(ctx, src, alerts)
}

// saveAlerts stores one request's alerts inside a transaction.
func saveAlerts(ctx context.Context, q store.Queries, src store.Source, alerts []alert.Alert, now time.Time) ([]acceptedAlert, error) {
	out := make([]acceptedAlert, 0, len(alerts))
	for i := range alerts {
		acc, err := saveAlert(ctx, q, src, &alerts[i], now)
		if err != nil {
			return nil, fmt.Errorf("alert %d: %w", i, err)
		}
		out = append(out, acc)
	}
	return out, nil
}

// saveAlert upserts one alert and records on its timeline what happened.
// An identical re-send writes nothing: the answer is the same 202, and the
// timeline is not flooded by a source that retries.
func saveAlert(ctx context.Context, q store.Queries, src store.Source, a *alert.Alert, now time.Time) (acceptedAlert, error) {
	if n := a.Organization.BillableUsers; n != nil {
		// A count sent with an alert is a report like PUT billable-users,
		// as of the alert's time.
		if err := q.PutBillableCount(ctx, store.BillableCount{
			TenantID: src.TenantID, Organization: a.Organization.Key(), Count: *n, AsOf: a.OccurredAt.UTC(), UpdatedAt: now,
		}); err != nil {
			return acceptedAlert{}, fmt.Errorf("billable count: %w", err)
		}
	}
	prev, err := q.AlertBySourceID(ctx, src.TenantID, src.ID, a.ID)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return acceptedAlert{}, fmt.Errorf("look up previous version: %w", err)
	}
	var changes []string
	if found {
		changes = diffAlerts(&prev.Alert, a)
		if len(changes) == 0 {
			return acceptedAlert{ID: a.ID, Seq: prev.Seq}, nil
		}
	}
	res, err := q.UpsertAlert(ctx, store.StoredAlert{
		TenantID: src.TenantID, SourceID: src.ID, Alert: *a, ReceivedAt: now, UpdatedAt: now,
	})
	if err != nil {
		return acceptedAlert{}, fmt.Errorf("upsert: %w", err)
	}
	entry := store.TimelineEntry{TenantID: src.TenantID, AlertSeq: res.Seq, At: now}
	switch {
	case res.Created:
		entry.Event, entry.Detail = EventReceived, "from source "+sourceLabel(src)
	case len(changes) > 0:
		entry.Event, entry.Detail = EventUpdated, joinChanges(changes)
	default:
		// Another request stored it between our read and our write.
		entry.Event, entry.Detail = EventUpdated, "re-sent by source "+sourceLabel(src)
	}
	if err := q.AppendTimeline(ctx, entry); err != nil {
		return acceptedAlert{}, fmt.Errorf("append timeline: %w", err)
	}
	return acceptedAlert{ID: a.ID, Seq: res.Seq, Created: res.Created, changed: true}, nil
}

func sourceLabel(src store.Source) string {
	if src.Name != "" && src.Name != src.ID {
		return fmt.Sprintf("%s (%s)", src.Name, src.ID)
	}
	return src.ID
}
