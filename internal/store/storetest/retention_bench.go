package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Retention benchmark shape: batches of PruneBatch alerts, and pruneKept
// old alerts on an open ticket that every batch reads past without
// deleting them (what retention pays for old alerts a live ticket holds).
const (
	PruneBatch = 500
	pruneKept  = 1000
)

// BenchPrune fills s with n finished alerts of history through load, all
// older than the cutoff, and pruneKept older still on an open ticket, and
// measures PruneAlerts batches of PruneBatch: a batch's cost should follow
// the batch and the old alerts it keeps, not n. Each iteration deletes one
// batch, so run it for at most n/PruneBatch iterations (-benchtime 100x).
func BenchPrune(b *testing.B, s store.Store, n int, load HistoryLoader) {
	ctx := context.Background()
	h := loadHistory(ctx, b, s, n, load)
	if err := s.InTx(ctx, func(q store.Queries) error { return addKept(ctx, q, h) }); err != nil {
		b.Fatalf("add alerts on an open ticket: %v", err)
	}
	cutoff := h.At.Add(time.Second)
	for b.Loop() {
		got, err := s.PruneAlerts(ctx, h.TenantID, cutoff, PruneBatch)
		if err != nil {
			b.Fatal(err)
		}
		if got != PruneBatch {
			b.Fatalf("a batch pruned %d alerts, want %d: the history is used up; run at most %d iterations", got, PruneBatch, n/PruneBatch)
		}
	}
	b.ReportMetric(float64(b.N*PruneBatch)/b.Elapsed().Seconds(), "alerts/s")
}

// addKept stores pruneKept alerts an hour older than the history, routed
// to one open ticket link with a done delivery each.
func addKept(ctx context.Context, q store.Queries, h History) error {
	link, err := q.CreateTicketLink(ctx, store.TicketLink{TenantID: h.TenantID, IntegrationID: h.IntegrationID,
		CompanyID: "c-kept", GroupKey: "kept", State: store.LinkCreating, ExternalRef: "tb-kept"})
	if err != nil {
		return err
	}
	link.State, link.PSATicketID = store.LinkOpen, "kept"
	if err := q.UpdateTicketLink(ctx, link); err != nil {
		return err
	}
	at := h.At.Add(-time.Hour)
	for i := range pruneKept {
		res, err := q.UpsertAlert(ctx, store.StoredAlert{TenantID: h.TenantID, SourceID: h.SourceID,
			Alert: newAlert(fmt.Sprintf("kept-%d", i)), ReceivedAt: at, UpdatedAt: at})
		if err != nil {
			return err
		}
		if err := q.InsertRoute(ctx, store.Route{TenantID: h.TenantID, AlertSeq: res.Seq, IntegrationID: h.IntegrationID,
			Outcome: store.RouteQueued, TicketLinkID: link.ID, HandledStatus: "open", CreatedAt: at}); err != nil {
			return err
		}
		if _, err := q.InsertDelivery(ctx, store.Delivery{TenantID: h.TenantID, IntegrationID: h.IntegrationID,
			TicketLinkID: link.ID, AlertSeq: res.Seq, Kind: store.DeliveryAddNote, State: store.DeliveryDone,
			NextAttemptAt: at, CreatedAt: at, UpdatedAt: at}); err != nil {
			return err
		}
	}
	return nil
}
