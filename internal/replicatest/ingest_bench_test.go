package replicatest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/bench"
)

// benchClients is the number of concurrent senders, as in bench W2.
const benchClients = 32

// BenchmarkIngestPostgres1Replica measures ingest on PostgreSQL through
// one serve process: alerts/s from 32 clients, 100 alerts per request
// and one per request. b.N counts alerts.
func BenchmarkIngestPostgres1Replica(b *testing.B) { benchIngest(b, 1) }

// BenchmarkIngestPostgres3Replicas is the same through three serve
// processes on one schema, requests spread round-robin.
func BenchmarkIngestPostgres3Replicas(b *testing.B) { benchIngest(b, 3) }

// benchIngest starts n replicas once (no integration, so the engine stays
// idle and only ingest is measured, as in W2) and runs one sub-benchmark
// per request size against them.
func benchIngest(b *testing.B, n int) {
	dbURL := freshSchema(b, databaseURL(b))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	c := newCluster(b, buildBinary(b), dbURL)
	// The first replica migrates the fresh schema alone; the others then
	// start at once.
	rs := []*replica{c.start("r1")}
	c.ready(ctx, rs[0])
	for i := 2; i <= n; i++ {
		rs = append(rs, c.start(fmt.Sprintf("r%d", i)))
	}
	for _, r := range rs[1:] {
		c.ready(ctx, r)
	}
	token := c.createSource(ctx, rs[0], "bench")
	runs := 0
	for _, mode := range []struct {
		name  string
		batch int
	}{{"batch100", 100}, {"single", 1}} {
		b.Run(mode.name, func(b *testing.B) {
			runs++
			storm := bench.Storm{Orgs: 50, Users: 200, Types: 20, Seed: uint64(runs), IDPrefix: fmt.Sprintf("b%d-", runs)}
			bodies := make([][]byte, (b.N+mode.batch-1)/mode.batch)
			for i := range bodies {
				first := i * mode.batch
				bodies[i] = storm.Body(first, min(mode.batch, b.N-first))
			}
			s := newSender(rs, token, benchClients)
			b.ResetTimer()
			start := time.Now()
			if err := s.sendAll(ctx, len(bodies), benchClients, func(i int) []byte { return bodies[i] }); err != nil {
				b.Fatalf("send: %v", err)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "alerts/s")
			b.ReportMetric(float64(s.Retries.Load()), "resends")
			if s.Retries.Load() > 0 {
				b.Logf("%d bodies sent again; last failure: %s", s.Retries.Load(), s.LastError())
			}
		})
	}
}
