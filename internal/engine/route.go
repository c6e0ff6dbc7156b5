package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

const routeBatch = 500

// fullRescan is how often routing scans from the first alert again, the
// safety net under Config.RouteSettle.
const fullRescan = 5 * time.Minute

// route decides every alert that has no route for this integration yet:
// new alerts, and stored alerts when the integration is new or its since
// moved back (backfill). It returns how many alerts it routed.
func (w *worker) route(ctx context.Context) (int, error) {
	if time.Since(w.lastFullScan) > fullRescan {
		w.routedUpTo, w.lastFullScan = 0, time.Now()
	}
	alerts, err := w.st.UnroutedAlerts(ctx, w.cfg.Tenant, w.id, w.routedUpTo, routeBatch)
	if err != nil {
		return 0, fmt.Errorf("list unrouted alerts: %w", err)
	}
	if len(alerts) == 0 {
		return 0, nil
	}
	companies, err := w.autoMatchCompanies(ctx)
	if err != nil {
		// Without the list an auto-matched organization would land on the
		// catch-all company; better to wait for the PSA than to misfile.
		return 0, err
	}
	if n, err := w.routeBatchTx(ctx, alerts, companies); err != nil {
		return n, err
	}
	settled := w.cfg.Now().Add(-w.cfg.RouteSettle)
	for _, a := range alerts {
		if a.ReceivedAt.Before(settled) && a.Seq > w.routedUpTo {
			w.routedUpTo = a.Seq
		}
	}
	return len(alerts), nil
}

// routeBatchTx routes the alerts in one transaction: one commit (one
// fsync on SQLite) for the batch instead of one per alert. Should the
// transaction fail for any reason but a lost lease (a conflict with a
// racing router, a value the database refuses), each alert is routed in a
// transaction of its own, where a conflict is an answer and one bad alert
// cannot hold up the others.
func (w *worker) routeBatchTx(ctx context.Context, alerts []store.StoredAlert, companies []psa.Company) (int, error) {
	decs := make([]rules.Decision, len(alerts))
	for i, a := range alerts {
		decs[i] = w.snap().plan.Decide(a, companies)
	}
	err := w.st.InTx(ctx, func(q store.Queries) error {
		for i, a := range alerts {
			if err := w.record(ctx, q, a, decs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, d := range decs {
			w.countRouted(d)
		}
		return len(alerts), nil
	}
	if errors.Is(err, store.ErrLeaseLost) || ctx.Err() != nil {
		return 0, err
	}
	w.log.Debug("batch routing failed; routing one by one", "alerts", len(alerts), "err", err)
	for i, a := range alerts {
		if err := w.routeOne(ctx, a, decs[i]); err != nil {
			return i, fmt.Errorf("route alert %d: %w", a.Seq, err)
		}
	}
	return len(alerts), nil
}

// routeSlice bounds how long one cycle routes a backlog before it delivers.
const routeSlice = time.Second

// routeBacklog routes batch after batch until none is left or routeSlice
// has passed. Under a storm this queues a group's follow-up alerts before
// its first note goes out, so they leave as one note rather than one per
// batch; a lone alert is routed and delivered at once as before.
func (w *worker) routeBacklog(ctx context.Context) (int, error) {
	start := time.Now()
	total := 0
	for {
		n, err := w.route(ctx)
		total += n
		if err != nil || n < routeBatch || time.Since(start) >= routeSlice {
			return total, err
		}
	}
}

// AlertKey is the alert's identity across sources, as rules and note
// markers know it.
func AlertKey(a store.StoredAlert) string { return a.SourceID + "/" + a.Alert.ID }

func (w *worker) routeOne(ctx context.Context, a store.StoredAlert, dec rules.Decision) error {
	err := w.st.InTx(ctx, func(q store.Queries) error { return w.record(ctx, q, a, dec) })
	if errors.Is(err, store.ErrConflict) {
		// Another router got there first (a second replica before leases, or
		// a retried cycle); the alert is routed, which is all we need.
		return nil
	}
	if err == nil {
		w.countRouted(dec)
	}
	return err
}

// record writes an alert's route: a skip, or a queued delivery.
func (w *worker) record(ctx context.Context, q store.Queries, a store.StoredAlert, dec rules.Decision) error {
	if dec.Skip != nil {
		return w.recordSkip(ctx, q, a, dec)
	}
	return w.queue(ctx, q, a, dec)
}

func (w *worker) countRouted(dec rules.Decision) {
	if w.cfg.Metrics == nil {
		return
	}
	outcome := "queued"
	if dec.Skip != nil {
		outcome = "skipped"
	}
	w.cfg.Metrics.RoutedAlerts.WithLabelValues(outcome).Inc()
}

func (w *worker) recordSkip(ctx context.Context, q store.Queries, a store.StoredAlert, dec rules.Decision) error {
	now := w.cfg.Now()
	if err := q.InsertRoute(ctx, store.Route{
		TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: w.id,
		Outcome: store.RouteSkipped, Code: string(dec.Skip.Code), Reason: dec.Skip.Reason, CreatedAt: now,
	}); err != nil {
		return err
	}
	return q.AppendTimeline(ctx, store.TimelineEntry{
		TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: w.id, At: now,
		Event: "skipped", Detail: dec.Skip.Reason,
	})
}

// queue attaches the alert to its group's open ticket link, or opens a new
// link with a create delivery. The unique index on creating-or-open links
// makes a racing second create fail with ErrConflict instead of opening a
// second ticket.
func (w *worker) queue(ctx context.Context, q store.Queries, a store.StoredAlert, dec rules.Decision) error {
	now := w.cfg.Now()
	payload, err := encodePayload(AlertKey(a), dec)
	if err != nil {
		return err
	}
	link, err := q.OpenTicketLink(ctx, w.id, dec.CompanyID, dec.GroupKey)
	kind, event := store.DeliveryAddNote, ""
	switch {
	case isNotFound(err):
		link, err = q.CreateTicketLink(ctx, store.TicketLink{
			TenantID: a.TenantID, IntegrationID: w.id, CompanyID: dec.CompanyID, GroupKey: dec.GroupKey,
			State: store.LinkCreating, ExternalRef: newExternalRef(), CreatedAt: now, UpdatedAt: now,
		})
		if err != nil {
			return fmt.Errorf("create ticket link: %w", err)
		}
		kind, event = store.DeliveryCreateTicket, "new ticket queued: first alert of group "+dec.GroupKey
	case err != nil:
		return fmt.Errorf("find open ticket link: %w", err)
	default:
		event = "note queued for " + describeLink(link) + ": group " + dec.GroupKey + " open"
	}
	if _, err := q.InsertDelivery(ctx, store.Delivery{
		TenantID: a.TenantID, IntegrationID: w.id, TicketLinkID: link.ID, AlertSeq: a.Seq,
		Kind: kind, State: store.DeliveryPending, NextAttemptAt: now, Payload: payload,
		CreatedAt: now, UpdatedAt: now,
	}); err != nil {
		return fmt.Errorf("queue delivery: %w", err)
	}
	if err := q.InsertRoute(ctx, store.Route{
		TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: w.id, Outcome: store.RouteQueued, HandledStatus: a.Alert.Status,
		Reason: strings.Join(dec.Reasons, "; "), TicketLinkID: link.ID, CreatedAt: now,
	}); err != nil {
		return err
	}
	detail := strings.Join(append(append([]string{}, dec.Reasons...), event), "; ")
	return q.AppendTimeline(ctx, store.TimelineEntry{
		TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: w.id, At: now, Event: "queued", Detail: detail,
	})
}

func describeLink(l store.TicketLink) string {
	if l.TicketNumber != "" {
		return "ticket " + l.TicketNumber
	}
	return "ticket being created"
}

// newExternalRef returns the stable reference written into the PSA ticket.
// Random rather than derived from the link id so it is known before the
// row exists and never repeats across databases.
func newExternalRef() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "tb-" + hex.EncodeToString(b)
}
