package demo_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
)

// TestDemoOnEveryPSA: the demo plays its story to the end on every PSA,
// every alert of it gets its timeline, and a PSA whose seed document is
// TrendAI Vision One's also plays that product's notifications, each
// onto a ticket of its own.
func TestDemoOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, d := range drivers.All() {
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var out bytes.Buffer
			if err := demo.Run(ctx, &out, d); err != nil {
				t.Fatalf("demo: %v\n%s", err, out.String())
			}
			text := out.String()
			wantTickets, ids := "(4)", []string{"sa-1001", "sa-1006"}
			sim := d.Simulate(driver.SimOptions{})
			sim.Close()
			if sim.Seed().Story == driver.StoryTrendAI {
				wantTickets, ids = "(7)", append(ids, "tv1-hru-1", "tv1-asset-1", "tv1-risk-1")
			}
			if !strings.Contains(text, "== Tickets in "+d.Name()+" "+wantTickets+" ==") || !strings.Contains(text, "demo finished") {
				t.Errorf("want %s tickets and the end of the demo:\n%s", wantTickets, text)
			}
			for _, id := range ids {
				if !strings.Contains(text, "\n"+id+"  ") {
					t.Errorf("no timeline of %s:\n%s", id, text)
				}
			}
			if strings.Contains(text, "tv1-") && !strings.Contains(text, "for Acme Corp: created with fallback contact helpdesk@acme.example") {
				t.Errorf("the discovered asset (no user) did not land on Acme Corp with its fallback contact:\n%s", text)
			}
		})
	}
}
