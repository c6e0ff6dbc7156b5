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
func (h *Handler) persist(ctx context.Context, src store.Source, alerts []alert.Alert, raw *store.RawBody) ([]acceptedAlert, error) {
	if h.cfg.GroupWindow < 0 {
		h.commit.leave() // not gathering: keep the count of arrivals honest
		res, err := h.commit.persist(ctx, []*job{{src: src, alerts: alerts, raw: raw}})
		if err != nil {
			return nil, err
		}
		return res[0], nil
	}
	return h.commit.submit(ctx, src, alerts, raw)
}

// saveJobs stores the alerts of the requests sharing one transaction.
// The tokens are checked and the earlier versions read with one call
// each, the upserts sent together (one statement on PostgreSQL), the
// billable counts sent with the alerts put together and the timeline rows
// written in one statement: on PostgreSQL five round trips for the whole
// commit, BEGIN going with the first (one more with billable counts, and
// one more per repeat of an id already queued, which flushes the queue).
func saveJobs(ctx context.Context, q store.Queries, jobs []*job, now time.Time) ([][]acceptedAlert, error) {
	if err := verifySources(ctx, q, jobs); err != nil {
		return nil, err
	}
	prev, err := previousVersions(ctx, q, jobs)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, j := range jobs {
		total += len(j.alerts)
	}
	// Sized for the whole commit up front: at 500 alerts a commit, growing
	// these was a tenth of ingest's allocations.
	w := &writes{
		q: q, now: now, prev: prev, out: make([][]acceptedAlert, len(jobs)),
		queued: make([]queuedWrite, 0, total), queuedIDs: make(map[alertRef]bool, total), entries: make([]store.TimelineEntry, 0, total),
	}
	for i, j := range jobs {
		w.out[i] = make([]acceptedAlert, len(j.alerts))
		for k := range j.alerts {
			if err := w.add(ctx, i, k, j.src, &j.alerts[k]); err != nil {
				return nil, fmt.Errorf("alert %d: %w", k, err)
			}
		}
	}
	if err := w.flush(ctx); err != nil {
		return nil, err
	}
	if err := q.PutBillableCounts(ctx, w.counts); err != nil {
		return nil, fmt.Errorf("billable counts: %w", err)
	}
	if err := q.AppendTimelines(ctx, w.entries); err != nil {
		return nil, fmt.Errorf("append timeline: %w", err)
	}
	if err := saveRawBodies(ctx, q, jobs); err != nil {
		return nil, err
	}
	return w.out, nil
}

// writes gathers the upserts of one transaction and, once they are
// stored, the answers and timeline entries they make.
type writes struct {
	q    store.Queries
	now  time.Time
	prev map[alertRef]storedVersion

	queued    []queuedWrite
	queuedIDs map[alertRef]bool

	out     [][]acceptedAlert // by job, then alert
	entries []store.TimelineEntry
	counts  []store.BillableCount // sent with the alerts, in order
}

// alertRef names an alert across the sources of one commit.
type alertRef struct{ tenant, source, id string }

func refOf(src store.Source, id string) alertRef { return alertRef{src.TenantID, src.ID, id} }

// storedVersion is an alert as stored before this write; alert points
// into the version read or into a job's alerts, which outlive the commit.
type storedVersion struct {
	seq   int64
	alert *alert.Alert
}

type queuedWrite struct {
	job, idx int
	src      store.Source
	alert    *alert.Alert // in its job's alerts
	changes  []string     // what changed from the stored version; nil when new
}

// add queues an alert's upsert unless it repeats its stored version. An
// identical re-send writes nothing: the answer is the same 202, and the
// timeline is not flooded by a source that retries. An id already queued
// in this transaction is compared with that copy, so the queue is written
// first.
func (w *writes) add(ctx context.Context, job, idx int, src store.Source, a *alert.Alert) error {
	ref := refOf(src, a.ID)
	if w.queuedIDs[ref] {
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	if n := a.Organization.BillableUsers; n != nil {
		// A count sent with an alert is a report like PUT billable-users,
		// as of the alert's time; a commit's counts are put together.
		w.counts = append(w.counts, store.BillableCount{
			TenantID: src.TenantID, Organization: a.Organization.Key(), Count: *n, AsOf: a.OccurredAt.UTC(), UpdatedAt: w.now,
		})
	}
	old, found := w.prev[ref]
	var changes []string
	if found {
		if changes = diffAlerts(old.alert, a); len(changes) == 0 {
			w.out[job][idx] = acceptedAlert{ID: a.ID, Seq: old.seq}
			return nil
		}
	}
	w.queued = append(w.queued, queuedWrite{job: job, idx: idx, src: src, alert: a, changes: changes})
	w.queuedIDs[ref] = true
	return nil
}

// flush stores the queued upserts and records what each did.
func (w *writes) flush(ctx context.Context) error {
	if len(w.queued) == 0 {
		return nil
	}
	as := make([]store.StoredAlert, len(w.queued))
	for i, qw := range w.queued {
		as[i] = store.StoredAlert{TenantID: qw.src.TenantID, SourceID: qw.src.ID, Alert: *qw.alert, ReceivedAt: w.now, UpdatedAt: w.now}
	}
	results, err := w.q.UpsertAlerts(ctx, as)
	if err != nil {
		return fmt.Errorf("upsert: %w", err)
	}
	for i, qw := range w.queued {
		res := results[i]
		w.prev[refOf(qw.src, qw.alert.ID)] = storedVersion{seq: res.Seq, alert: qw.alert}
		w.out[qw.job][qw.idx] = acceptedAlert{ID: qw.alert.ID, Seq: res.Seq, Created: res.Created, changed: true}
		w.entries = append(w.entries, timelineEntry(qw, res, w.now))
	}
	w.queued = w.queued[:0]
	clear(w.queuedIDs)
	return nil
}

// timelineEntry says what an upsert did to its alert.
func timelineEntry(qw queuedWrite, res store.UpsertResult, now time.Time) store.TimelineEntry {
	entry := store.TimelineEntry{TenantID: qw.src.TenantID, AlertSeq: res.Seq, At: now}
	switch {
	case res.Created:
		entry.Event, entry.Detail = EventReceived, "from source "+sourceLabel(qw.src)
	case len(qw.changes) > 0:
		entry.Event, entry.Detail = EventUpdated, joinChanges(qw.changes)
	default:
		// Another request stored it between our read and our write.
		entry.Event, entry.Detail = EventUpdated, "re-sent by source "+sourceLabel(qw.src)
	}
	return entry
}

// previousVersions reads the stored versions of the jobs' alerts, all
// sources at once.
func previousVersions(ctx context.Context, q store.Queries, jobs []*job) (map[alertRef]storedVersion, error) {
	n := 0
	for _, j := range jobs {
		n += len(j.alerts)
	}
	keys := make([]store.AlertKey, 0, n)
	for _, j := range jobs {
		for _, a := range j.alerts {
			keys = append(keys, store.AlertKey{TenantID: j.src.TenantID, SourceID: j.src.ID, AlertID: a.ID})
		}
	}
	stored, err := q.AlertsByKeys(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("look up previous versions: %w", err)
	}
	prev := make(map[alertRef]storedVersion, len(keys))
	for i := range stored {
		a := &stored[i]
		prev[alertRef{a.TenantID, a.SourceID, a.Alert.ID}] = storedVersion{seq: a.Seq, alert: &a.Alert}
	}
	return prev, nil
}

func sourceLabel(src store.Source) string {
	if src.Name != "" && src.Name != src.ID {
		return fmt.Sprintf("%s (%s)", src.Name, src.ID)
	}
	return src.ID
}

// saveRawBodies keeps the bodies of mapped sources in the transaction of
// their alerts: an acknowledged alert always has the body it came from.
func saveRawBodies(ctx context.Context, q store.Queries, jobs []*job) error {
	var raws []store.RawBody
	for _, j := range jobs {
		if j.raw != nil {
			raws = append(raws, *j.raw)
		}
	}
	if len(raws) == 0 {
		return nil
	}
	if err := q.AddRawBodies(ctx, raws); err != nil {
		return fmt.Errorf("raw bodies: %w", err)
	}
	return nil
}

// Accept stores alerts that came by another way than this handler (mail,
// replay) on the same path: the same shared transaction, the same
// exactly-once key, the same hooks. It returns only after the commit, so
// its caller acknowledges the sender only for alerts that are durable.
// raw, when not nil, is kept with them for replay.
func (h *Handler) Accept(ctx context.Context, src store.Source, alerts []alert.Alert, raw *store.RawBody) error {
	h.commit.arrive()
	accepted, err := h.persist(ctx, src, alerts, raw)
	if err != nil {
		if errors.Is(err, errTokenRevoked) {
			h.tokens.forget(src.TokenHash)
		}
		return err
	}
	h.notify(src.TenantID, accepted)
	return nil
}
