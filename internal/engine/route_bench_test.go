package engine

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkRouteStorm routes a storm's backlog a batch at a time: 500
// alerts of 50 users, so most are notes on a link the batch opened. It is
// the routing share of the single SQLite writer that ingest competes with
// (W2, W3); ns/op is per alert.
func BenchmarkRouteStorm(b *testing.B) {
	var f *fakePSA
	h := newHarness(b, testSettings(), fake(&f))
	sent := 0
	for b.Loop() {
		if sent%routeBatch == 0 {
			b.StopTimer()
			h.advance(time.Minute) // the last batch settles: the cursor moves past it
			for i := range routeBatch {
				h.send(newAlert(fmt.Sprintf("s%d", sent+i), fmt.Sprintf("user%d@acme.example", (sent+i)%50)))
			}
			b.StartTimer()
			n, err := h.w.router.route(h.ctx)
			h.must(err)
			if n != routeBatch {
				b.Fatalf("routed %d alerts, want %d", n, routeBatch)
			}
		}
		sent++
	}
}
