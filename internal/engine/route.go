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

const (
	routeBatch     = 500
	meanwhileBatch = 100
)

// routeRetryMax caps the backoff of routing while the PSA is down.
const routeRetryMax = time.Minute

// fullRescan is how often routing scans from the first alert again, the
// safety net under Config.RouteSettle.
const fullRescan = 5 * time.Minute

// router turns alerts into routes: the snapshot's plan decides each new
// alert, and the decision is recorded as a skip or as a delivery on its
// group's ticket link, opened when the group has none. It owns the company
// list auto-match decides with and the cursor that spares it re-reading
// alerts it has routed.
type router struct {
	*books
	snap *snapshot

	companies   []psa.Company
	companiesAt time.Time
	// routedUpTo is the highest alert seq routed since the snapshot was
	// loaded; routing scans from there, not from the start.
	routedUpTo   int64
	lastFullScan time.Time

	// While the PSA cannot tell which company an alert belongs to,
	// routing backs off like a delivery: failures counts the attempts,
	// retryAt (wall clock) is the next, and told holds the alerts whose
	// timeline already says they wait.
	failures int
	retryAt  time.Time
	told     map[int64]bool

	// busy reports whether a ticket link is in the delivery round under
	// way; routing holds back the alerts of its group until the round is
	// over (see deliverer.busy). Nil when routing never runs beside a
	// round.
	busy func(linkID int64) bool

	// behind is set when the last batch came back full: more alerts wait
	// to be routed.
	behind bool
}

// errHeldBack stops one alert's routing, unwritten, because its group's
// ticket link is in the delivery round under way.
var errHeldBack = errors.New("group's ticket link is being delivered")

// load routes with a new settings version. The company list may be
// filtered differently now, and the new settings may have re-opened older
// alerts (since moved back), so both start over.
func (r *router) load(s *snapshot) {
	r.snap = s
	r.companies, r.companiesAt = nil, time.Time{}
	r.routedUpTo = 0
}

// autoMatchCompanies returns the PSA companies for auto-match (see
// Plan.Companies), cached for Config.CompaniesTTL: one list serves every
// routing batch until then.
func (r *router) autoMatchCompanies(ctx context.Context) ([]psa.Company, error) {
	now := r.cfg.Now()
	if r.companies != nil && now.Sub(r.companiesAt) < r.cfg.CompaniesTTL {
		return r.companies, nil
	}
	cs, err := r.snap.plan.Companies(ctx, r.snap.conn)
	if err != nil {
		return nil, err
	}
	r.companies, r.companiesAt = cs, now
	return cs, nil
}

// route decides every alert that has no route for this integration yet:
// new alerts, and stored alerts when the integration is new or its since
// moved back (backfill). It returns how many alerts it routed.
func (r *router) route(ctx context.Context) (int, error) {
	return r.routeUpTo(ctx, routeBatch)
}

// routeUpTo is route with a batch of at most n alerts.
func (r *router) routeUpTo(ctx context.Context, n int) (int, error) {
	if r.wall().Before(r.retryAt) {
		return 0, nil // backing off after a failure
	}
	if r.wall().Sub(r.lastFullScan) > fullRescan {
		r.routedUpTo, r.lastFullScan = 0, r.wall()
	}
	alerts, err := r.st.UnroutedAlerts(ctx, r.tenant, r.id, r.routedUpTo, n)
	if err != nil {
		return 0, fmt.Errorf("list unrouted alerts: %w", err)
	}
	r.behind = len(alerts) == n
	if len(alerts) == 0 {
		return 0, nil
	}
	companies, err := r.autoMatchCompanies(ctx)
	if err != nil {
		// Without the list an auto-matched organization would land on the
		// catch-all company; better to wait for the PSA than to misfile.
		return 0, r.wait(ctx, alerts, err)
	}
	r.resume()
	// Read at every batch, not cached: another integration's apply must
	// take its organizations from this one at once, and one store read
	// per batch of alerts costs no PSA request.
	its, err := r.st.Integrations(ctx, r.tenant)
	if err != nil {
		return 0, fmt.Errorf("list integrations: %w", err)
	}
	claims, err := NewClaims(its, r.id)
	if err != nil {
		return 0, err
	}
	held, err := r.routeBatchTx(ctx, alerts, companies, claims)
	if err != nil {
		return 0, err
	}
	// The cursor moves past settled alerts up to the first held back one,
	// which the next pass lists again.
	settled := r.cfg.Now().Add(-r.cfg.RouteSettle)
	for _, a := range alerts {
		if held[a.Seq] {
			break
		}
		if a.ReceivedAt.Before(settled) && a.Seq > r.routedUpTo {
			r.routedUpTo = a.Seq
		}
	}
	return len(alerts) - len(held), nil
}

// routeBatchTx routes the alerts in one transaction: one commit (one
// fsync on SQLite) for the batch instead of one per alert. Should the
// transaction fail for any reason but a lost lease (a conflict with a
// racing router, a value the database refuses), each alert is routed in a
// transaction of its own, where a conflict is an answer and one bad alert
// cannot hold up the others.
func (r *router) routeBatchTx(ctx context.Context, alerts []store.StoredAlert, companies []psa.Company, claims *Claims) (map[int64]bool, error) {
	decs := make([]rules.Decision, len(alerts))
	for i, a := range alerts {
		decs[i] = r.snap.plan.Decide(a, companies, claims)
	}
	var held map[int64]bool
	err := r.st.InTx(ctx, func(q store.Queries) error {
		held = nil
		var w routeWrites
		for i, a := range alerts {
			err := r.record(ctx, q, &w, a, decs[i])
			if errors.Is(err, errHeldBack) {
				if held == nil {
					held = map[int64]bool{}
				}
				held[a.Seq] = true
				continue
			}
			if err != nil {
				return err
			}
		}
		return w.write(ctx, q)
	})
	if err == nil {
		for i, d := range decs {
			if !held[alerts[i].Seq] {
				r.countRouted(d)
			}
		}
		return held, nil
	}
	if errors.Is(err, store.ErrLeaseLost) || ctx.Err() != nil {
		return nil, err
	}
	r.log.Debug("batch routing failed; routing one by one", "alerts", len(alerts), "err", err)
	held = nil
	for i, a := range alerts {
		err := r.routeOne(ctx, a, decs[i])
		if errors.Is(err, errHeldBack) {
			if held == nil {
				held = map[int64]bool{}
			}
			held[a.Seq] = true
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("route alert %d: %w", a.Seq, err)
		}
	}
	return held, nil
}

// routeSlice bounds how long one cycle routes a backlog before it delivers.
const routeSlice = time.Second

// routeBacklog routes batch after batch until none is left or routeSlice
// has passed. Under a storm this queues a group's follow-up alerts before
// its first note goes out, so they leave as one note rather than one per
// batch; a lone alert is routed and delivered at once as before.
func (r *router) routeBacklog(ctx context.Context) (int, error) {
	start := r.wall()
	total := 0
	for {
		n, err := r.route(ctx)
		total += n
		if err != nil || n < routeBatch || r.wall().Sub(start) >= routeSlice {
			return total, err
		}
	}
}

// AlertKey is the alert's identity across sources, as rules and note
// markers know it.
func AlertKey(a store.StoredAlert) string { return a.SourceID + "/" + a.Alert.ID }

func (r *router) routeOne(ctx context.Context, a store.StoredAlert, dec rules.Decision) error {
	err := r.st.InTx(ctx, func(q store.Queries) error {
		var w routeWrites
		if err := r.record(ctx, q, &w, a, dec); err != nil {
			return err
		}
		return w.write(ctx, q)
	})
	if errors.Is(err, store.ErrConflict) {
		// Another router got there first (a second replica before leases, or
		// a retried cycle); the alert is routed, which is all we need.
		return nil
	}
	if err == nil {
		r.countRouted(dec)
	}
	return err
}

// record adds an alert's route to w: a skip, or a queued delivery.
func (r *router) record(ctx context.Context, q store.Queries, w *routeWrites, a store.StoredAlert, dec rules.Decision) error {
	if dec.Skip != nil {
		r.recordSkip(w, a, dec)
		return nil
	}
	return r.queue(ctx, q, w, a, dec)
}

// routeWrites gathers a transaction's new rows so that each table takes
// them in one statement: row by row, an alert cost four statements (its
// delivery, the payload, the route, the timeline line), and routing a
// storm's backlog shared the single SQLite writer with ingest.
type routeWrites struct {
	deliveries []store.Delivery
	routes     []store.Route
	timeline   []store.TimelineEntry
}

func (w *routeWrites) write(ctx context.Context, q store.Queries) error {
	if _, err := q.InsertDeliveries(ctx, w.deliveries); err != nil {
		return fmt.Errorf("queue deliveries: %w", err)
	}
	if err := q.InsertRoutes(ctx, w.routes); err != nil {
		return err
	}
	return q.AppendTimelines(ctx, w.timeline)
}

func (r *router) countRouted(dec rules.Decision) {
	if r.cfg.Metrics == nil {
		return
	}
	outcome := "queued"
	if dec.Skip != nil {
		outcome = "skipped"
	}
	r.cfg.Metrics.RoutedAlerts.WithLabelValues(outcome).Inc()
}

func (r *router) recordSkip(w *routeWrites, a store.StoredAlert, dec rules.Decision) {
	now := r.cfg.Now()
	w.routes = append(w.routes, store.Route{
		TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: r.id,
		Outcome: store.RouteSkipped, Code: string(dec.Skip.Code), Reason: dec.Skip.Reason, CreatedAt: now,
	})
	w.timeline = append(w.timeline, store.TimelineEntry{
		TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: r.id, At: now,
		Event: "skipped", Detail: dec.Skip.Reason,
	})
}

// queue attaches the alert to its group's open ticket link, or opens a new
// link with a create delivery. The unique index on creating-or-open links
// makes a racing second create fail with ErrConflict instead of opening a
// second ticket.
func (r *router) queue(ctx context.Context, q store.Queries, w *routeWrites, a store.StoredAlert, dec rules.Decision) error {
	now := r.cfg.Now()
	payload, err := encodePayload(payloadAlert{Key: AlertKey(a), ReceivedAt: a.ReceivedAt}, dec)
	if err != nil {
		return err
	}
	link, err := q.OpenTicketLink(ctx, r.id, dec.CompanyID, dec.GroupKey)
	kind, event := store.DeliveryAddNote, ""
	reopened := false
	if isNotFound(err) {
		link, reopened, err = r.reopenLink(ctx, q, dec)
	}
	switch {
	case errors.Is(err, errHeldBack):
		return err
	case reopened:
		kind, event = store.DeliveryCreateTicket, reopenEvent(link, r.snap.plan.ReopenWithin, now)
	case isNotFound(err):
		link, err = q.CreateTicketLink(ctx, store.TicketLink{
			TenantID: a.TenantID, IntegrationID: r.id, CompanyID: dec.CompanyID, GroupKey: dec.GroupKey,
			State: store.LinkCreating, ExternalRef: newExternalRef(), CreatedAt: now, UpdatedAt: now,
		})
		if err != nil {
			return fmt.Errorf("create ticket link: %w", err)
		}
		kind, event = store.DeliveryCreateTicket, "new ticket queued: first alert of group "+dec.GroupKey
	case err != nil:
		return fmt.Errorf("find open ticket link: %w", err)
	case r.busy != nil && r.busy(link.ID):
		return errHeldBack
	default:
		event = "note queued for " + describeLink(link) + ": group " + dec.GroupKey + " open"
	}
	w.deliveries = append(w.deliveries, store.Delivery{
		TenantID: a.TenantID, IntegrationID: r.id, TicketLinkID: link.ID, AlertSeq: a.Seq,
		Kind: kind, State: store.DeliveryPending, NextAttemptAt: now, Payload: payload,
		CreatedAt: now, UpdatedAt: now,
	})
	w.routes = append(w.routes, store.Route{
		TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: r.id, Outcome: store.RouteQueued, HandledStatus: a.Alert.Status,
		Reason: strings.Join(dec.Reasons, "; "), TicketLinkID: link.ID, CreatedAt: now,
	})
	detail := strings.Join(append(append([]string{}, dec.Reasons...), event), "; ")
	w.timeline = append(w.timeline, store.TimelineEntry{
		TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: r.id, At: now, Event: "queued", Detail: detail,
	})
	return nil
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

// wait records that the alerts cannot be routed yet: the next try backs
// off as a delivery's would, the first alerts' timelines say why and
// when routing tries again, readiness and metrics see the outage, and
// the log says so once per outage rather than on every try.
func (r *router) wait(ctx context.Context, alerts []store.StoredAlert, cause error) error {
	if ctx.Err() != nil {
		return cause
	}
	r.failures++
	// One company-list read a try: cheap enough to try every minute at
	// most, so routing resumes soon after the PSA does.
	delay := backoffFor(r.cfg.RetryBase, min(r.cfg.RetryMax, routeRetryMax), r.failures)
	r.retryAt = r.wall().Add(delay)
	now := r.cfg.Now()
	if r.health.routingFailed(r.wall(), cause, len(alerts), alerts[0].ReceivedAt) {
		r.log.Error("routing waits: the PSA's companies cannot be read; alerts are kept and routed once it answers", "alerts", len(alerts), "retry_in", delay, "err", cause)
	} else {
		r.log.Warn("routing still waits", "attempt", r.failures, "retry_in", delay, "err", cause)
	}
	if r.told == nil {
		r.told = map[int64]bool{}
	}
	detail := fmt.Sprintf("not routed yet: the PSA's companies could not be read (%v); next try at %s", cause, now.Add(delay).UTC().Format(time.RFC3339))
	err := r.st.InTx(ctx, func(q store.Queries) error {
		for _, a := range alerts {
			if r.told[a.Seq] {
				continue
			}
			if err := q.AppendTimeline(ctx, store.TimelineEntry{
				TenantID: a.TenantID, AlertSeq: a.Seq, IntegrationID: r.id, At: now, Event: "waiting", Detail: detail,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record waiting alerts: %w", err)
	}
	for _, a := range alerts {
		r.told[a.Seq] = true
	}
	return nil
}

// resume ends a routing outage, if there was one.
func (r *router) resume() {
	if r.failures == 0 {
		return
	}
	lasted := r.health.routingOK(r.wall())
	r.log.Info("routing resumed", "attempts_failed", r.failures, "waited", lasted.Round(time.Second))
	r.failures, r.retryAt, r.told = 0, time.Time{}, nil
}
