package engine

import (
	"context"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/ticketbridge/ticketbridge/internal/obs"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// countedReads counts the alert reads the engine makes.
type countedReads struct {
	store.Store
	alertReads *int
}

func (c countedReads) AlertBySeq(ctx context.Context, seq int64) (store.StoredAlert, error) {
	*c.alertReads++
	return c.Store.AlertBySeq(ctx, seq)
}

// TestAlertToTicketLatency: the alert-to-ticket histogram measures from
// the alert's arrival, which the delivery's payload carries, so a storm's
// deliveries do not read their alerts back one by one for it.
func TestAlertToTicketLatency(t *testing.T) {
	t.Parallel()
	var f *fakePSA
	m := obs.NewMetrics()
	reads := 0
	h := newHarness(t, testSettings(), fake(&f), func(c *Config) {
		c.Metrics = m
		c.Store = countedReads{c.Store, &reads}
	})
	h.send(newAlert("a1", "jane@acme.example"))
	h.advance(3 * time.Second)
	h.routeAll()
	h.rounds(1)
	h.send(newAlert("a2", "jane@acme.example"))
	h.advance(2 * time.Second)
	h.routeAll()
	h.rounds(1)
	var got dto.Metric
	if err := m.AlertToTicket.Write(&got); err != nil {
		t.Fatal(err)
	}
	hist := got.GetHistogram()
	if hist.GetSampleCount() != 2 || hist.GetSampleSum() != 5 {
		t.Errorf("alert to ticket: %d samples summing %gs, want 2 summing 5s (3s for the ticket, 2s for the note)", hist.GetSampleCount(), hist.GetSampleSum())
	}
	if reads != 0 {
		t.Errorf("delivering two alerts read %d alerts back", reads)
	}
}
