package ingest

import (
	"context"
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

// saveJobs stores the alerts of the requests sharing one transaction.
// Earlier versions are read with one query per source and the timeline
// rows written in one statement, so a hundred alerts cost a hundred
// upserts and two more statements, not three hundred.
func saveJobs(ctx context.Context, q store.Queries, jobs []*job, now time.Time) ([][]acceptedAlert, error) {
	prev, err := previousVersions(ctx, q, jobs)
	if err != nil {
		return nil, err
	}
	out := make([][]acceptedAlert, len(jobs))
	var entries []store.TimelineEntry
	for i, j := range jobs {
		out[i] = make([]acceptedAlert, 0, len(j.alerts))
		for k := range j.alerts {
			acc, entry, err := saveAlert(ctx, q, j.src, &j.alerts[k], prev[sourceKey(j.src)], now)
			if err != nil {
				return nil, fmt.Errorf("alert %d: %w", k, err)
			}
			out[i] = append(out[i], acc)
			if acc.changed {
				entries = append(entries, entry)
			}
		}
	}
	if err := q.AppendTimelines(ctx, entries); err != nil {
		return nil, fmt.Errorf("append timeline: %w", err)
	}
	return out, nil
}

func sourceKey(src store.Source) string { return src.TenantID + "\x00" + src.ID }

// previousVersions reads the stored versions of the jobs' alerts, by
// source and alert id.
func previousVersions(ctx context.Context, q store.Queries, jobs []*job) (map[string]map[string]store.StoredAlert, error) {
	ids := map[string][]string{}
	sources := map[string]store.Source{}
	for _, j := range jobs {
		key := sourceKey(j.src)
		sources[key] = j.src
		for _, a := range j.alerts {
			ids[key] = append(ids[key], a.ID)
		}
	}
	prev := make(map[string]map[string]store.StoredAlert, len(ids))
	for key, list := range ids {
		stored, err := q.AlertsBySourceIDs(ctx, sources[key].TenantID, sources[key].ID, list)
		if err != nil {
			return nil, fmt.Errorf("look up previous versions: %w", err)
		}
		m := make(map[string]store.StoredAlert, len(stored))
		for _, a := range stored {
			m[a.Alert.ID] = a
		}
		prev[key] = m
	}
	return prev, nil
}

// saveAlert upserts one alert and returns the timeline entry saying what
// happened. An identical re-send writes nothing: the answer is the same
// 202, and the timeline is not flooded by a source that retries. prev holds
// the stored versions and is updated, so an id sent twice in one request
// compares with its first copy.
func saveAlert(ctx context.Context, q store.Queries, src store.Source, a *alert.Alert,
	prev map[string]store.StoredAlert, now time.Time,
) (acceptedAlert, store.TimelineEntry, error) {
	if n := a.Organization.BillableUsers; n != nil {
		// A count sent with an alert is a report like PUT billable-users,
		// as of the alert's time.
		if err := q.PutBillableCount(ctx, store.BillableCount{
			TenantID: src.TenantID, Organization: a.Organization.Key(), Count: *n, AsOf: a.OccurredAt.UTC(), UpdatedAt: now,
		}); err != nil {
			return acceptedAlert{}, store.TimelineEntry{}, fmt.Errorf("billable count: %w", err)
		}
	}
	old, found := prev[a.ID]
	var changes []string
	if found {
		changes = diffAlerts(&old.Alert, a)
		if len(changes) == 0 {
			return acceptedAlert{ID: a.ID, Seq: old.Seq}, store.TimelineEntry{}, nil
		}
	}
	res, err := q.UpsertAlert(ctx, store.StoredAlert{
		TenantID: src.TenantID, SourceID: src.ID, Alert: *a, ReceivedAt: now, UpdatedAt: now,
	})
	if err != nil {
		return acceptedAlert{}, store.TimelineEntry{}, fmt.Errorf("upsert: %w", err)
	}
	prev[a.ID] = store.StoredAlert{Seq: res.Seq, Alert: *a}
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
	return acceptedAlert{ID: a.ID, Seq: res.Seq, Created: res.Created, changed: true}, entry, nil
}

func sourceLabel(src store.Source) string {
	if src.Name != "" && src.Name != src.ID {
		return fmt.Sprintf("%s (%s)", src.Name, src.ID)
	}
	return src.ID
}
