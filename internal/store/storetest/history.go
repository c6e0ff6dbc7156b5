package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// HistoryAlertsEnv sizes BenchHistory: how many alerts the store holds
// before the reads are measured (default 100,000; the goal is
// 1,000,000).
const HistoryAlertsEnv = "TICKETBRIDGE_BENCH_ALERTS"

// HistoryAlerts reads HistoryAlertsEnv, or def when it is unset.
func HistoryAlerts(tb testing.TB, def int) int {
	tb.Helper()
	v := os.Getenv(HistoryAlertsEnv)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		tb.Fatalf("%s=%q: want a positive number", HistoryAlertsEnv, v)
	}
	return n
}

// History is what an engine's bulk loader writes straight through SQL, in
// large transactions, to give a store a past without the cost of ingest and
// delivery: Alerts alerts of the source, with ids IDPrefix+"1" up to
// IDPrefix+Alerts, each with
//   - its JSON body BodyHead + id + BodyTail and status Status, stored At;
//   - a queued route under the integration, handled at Status (so no
//     status change is pending);
//   - a ticket link shared by PerLink consecutive alerts (closed, PSA id and
//     group key "hist-<n>");
//   - one done delivery (create_ticket for the first alert of a link,
//     add_note for the others);
//   - TimelinePerAlert timeline entries.
type History struct {
	TenantID, SourceID string
	IntegrationID      int64
	Alerts             int
	IDPrefix           string
	BodyHead, BodyTail string
	Status             string
	PerLink            int
	TimelinePerAlert   int
	At                 time.Time
}

// HistoryLoader writes h into the store behind s (see History).
type HistoryLoader func(ctx context.Context, h History) error

// Pending work added through the store after the bulk load: what a busy
// day leaves open while the history sits there.
const (
	historyStatusChanges = 10 // re-sent alerts with a new status
	historyPending       = 20 // pending deliveries
	historyFailed        = 5  // failed deliveries
	historyPageSize      = 100
)

// loadHistory creates the history's source and integration in s and
// writes n alerts of history through load.
func loadHistory(ctx context.Context, b *testing.B, s store.Store, n int, load HistoryLoader) History {
	b.Helper()
	src := store.Source{TenantID: store.DefaultTenant, ID: "hist", Name: "history", TokenHash: "hist-token", CreatedAt: t0}
	if err := s.CreateSource(ctx, src); err != nil {
		b.Fatal(err)
	}
	it, err := s.PutIntegration(ctx, store.Integration{TenantID: src.TenantID, Name: "psa", PSA: "testpsa"})
	if err != nil {
		b.Fatal(err)
	}
	h := newHistory(src, it, n)
	start := time.Now()
	if err := load(ctx, h); err != nil {
		b.Fatalf("load history: %v", err)
	}
	b.Logf("loaded %d alerts of history in %s", n, time.Since(start).Round(time.Millisecond))
	return h
}

// BenchHistory fills s with n alerts of history through load, adds a little
// pending work through the store, and measures the reads that run on every
// worker cycle or API request: their cost should follow the pending work,
// not n. The alert read is the store calls GET /api/v1/alerts/{id} makes.
func BenchHistory(b *testing.B, s store.Store, n int, load HistoryLoader) {
	ctx := context.Background()
	h := loadHistory(ctx, b, s, n, load)
	addPendingWork(b, s, h)
	for _, bc := range historyReads(s, h) {
		b.Run(bc.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				if err := bc.read(ctx, rng); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func newHistory(src store.Source, it store.Integration, n int) History {
	a := newAlert("\x00")
	a.Status = alert.StatusOpen
	body, err := json.Marshal(a)
	if err != nil {
		panic(err) // a fixed alert always encodes
	}
	head, tail, _ := strings.Cut(string(body), `\u0000`)
	return History{
		TenantID: src.TenantID, SourceID: src.ID, IntegrationID: it.ID, Alerts: n, IDPrefix: "h-",
		BodyHead: head, BodyTail: tail, Status: string(alert.StatusOpen), PerLink: 10, TimelinePerAlert: 3, At: t0,
	}
}

// addPendingWork re-sends some alerts with a new status and queues some
// deliveries, pending and failed, on the newest links.
func addPendingWork(b *testing.B, s store.Store, h History) {
	ctx := context.Background()
	for i := range historyStatusChanges {
		a := newAlert(fmt.Sprintf("%s%d", h.IDPrefix, 1+i*(h.Alerts/historyStatusChanges)))
		a.Status = alert.StatusResolved
		_, err := s.UpsertAlert(ctx, store.StoredAlert{TenantID: h.TenantID, SourceID: h.SourceID, Alert: a,
			ReceivedAt: h.At.Add(time.Hour), UpdatedAt: h.At.Add(time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
	}
	for i := range historyPending + historyFailed {
		a, err := s.AlertBySourceID(ctx, h.TenantID, h.SourceID, fmt.Sprintf("%s%d", h.IDPrefix, h.Alerts-i))
		if err != nil {
			b.Fatal(err)
		}
		d := store.Delivery{TenantID: h.TenantID, IntegrationID: h.IntegrationID, AlertSeq: a.Seq, Kind: store.DeliveryAddNote,
			State: store.DeliveryPending, NextAttemptAt: h.At.Add(time.Hour), Payload: []byte(`{}`)}
		if i >= historyPending {
			d.State, d.LastError = store.DeliveryFailed, "permanent: bench"
		}
		if _, err := s.InsertDelivery(ctx, d); err != nil {
			b.Fatal(err)
		}
	}
}

type historyRead struct {
	name string
	read func(ctx context.Context, rng *rand.Rand) error
}

// historyReads lists the measured reads; each checks it found the pending
// work, so a benchmark never times a query that answers wrongly.
func historyReads(s store.Store, h History) []historyRead {
	count := func(what string, got, want int) error {
		if got != want {
			return fmt.Errorf("%s: %d rows, want %d", what, got, want)
		}
		return nil
	}
	return []historyRead{
		{"status_changes", func(ctx context.Context, _ *rand.Rand) error {
			got, err := s.StatusChanges(ctx, h.IntegrationID, historyPageSize)
			if err != nil {
				return err
			}
			return count("status changes", len(got), historyStatusChanges)
		}},
		{"deliveries_newest", func(ctx context.Context, _ *rand.Rand) error {
			got, err := s.Deliveries(ctx, store.DeliveryFilter{TenantID: h.TenantID, Limit: historyPageSize})
			if err != nil {
				return err
			}
			return count("newest deliveries", len(got), historyPageSize)
		}},
		{"deliveries_pending", func(ctx context.Context, _ *rand.Rand) error {
			got, err := s.Deliveries(ctx, store.DeliveryFilter{TenantID: h.TenantID, State: store.DeliveryPending, Limit: historyPageSize})
			if err != nil {
				return err
			}
			return count("pending deliveries", len(got), historyPending)
		}},
		{"deliveries_failed_of_integration", func(ctx context.Context, _ *rand.Rand) error {
			got, err := s.Deliveries(ctx, store.DeliveryFilter{TenantID: h.TenantID, IntegrationID: h.IntegrationID,
				State: store.DeliveryFailed, Limit: historyPageSize})
			if err != nil {
				return err
			}
			return count("failed deliveries", len(got), historyFailed)
		}},
		{"count_pending", func(ctx context.Context, _ *rand.Rand) error { // /readyz and the backlog gauge
			n, err := s.CountDeliveries(ctx, h.TenantID, store.DeliveryPending)
			if err != nil {
				return err
			}
			return count("pending count", int(n), historyPending)
		}},
		{"due_deliveries", func(ctx context.Context, _ *rand.Rand) error {
			_, err := s.DueDeliveries(ctx, h.IntegrationID, h.At.Add(2*time.Hour), historyPageSize)
			return err
		}},
		{"alert_read", func(ctx context.Context, rng *rand.Rand) error {
			return readAlert(ctx, s, h, fmt.Sprintf("%s%d", h.IDPrefix, 1+rng.IntN(h.Alerts)))
		}},
	}
}

// readAlert makes the store calls of GET /api/v1/alerts/{id}: the alert,
// its routes, its deliveries, their ticket links and its timeline.
func readAlert(ctx context.Context, s store.Store, h History, id string) error {
	a, err := s.AlertBySourceID(ctx, h.TenantID, h.SourceID, id)
	if err != nil {
		return err
	}
	routes, err := s.Routes(ctx, a.Seq)
	if err != nil {
		return err
	}
	ds, err := s.Deliveries(ctx, store.DeliveryFilter{TenantID: a.TenantID, AlertSeq: a.Seq})
	if err != nil {
		return err
	}
	if len(routes) != 1 || len(ds) == 0 {
		return fmt.Errorf("alert %s: %d routes, %d deliveries, want 1 and some", id, len(routes), len(ds))
	}
	if _, err := s.TicketLink(ctx, routes[0].TicketLinkID); err != nil {
		return err
	}
	tl, err := s.Timeline(ctx, a.Seq)
	if err != nil {
		return err
	}
	if len(tl) < h.TimelinePerAlert {
		return fmt.Errorf("alert %s: %d timeline entries, want %d or more", id, len(tl), h.TimelinePerAlert)
	}
	return nil
}
