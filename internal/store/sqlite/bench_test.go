package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
	"github.com/ticketbridge/ticketbridge/internal/store/storetest"
)

// The ingest goals on 2 cores: >= 5,000 alerts/s one per transaction and
// >= 20,000 alerts/s batched 100 per transaction. Run with
//
//	go test -run '^$' -bench UpsertAlert ./internal/store/sqlite/
//
// Under synchronous=FULL the single-alert figure is bounded by the disk's
// fsync latency, not by the code; NORMAL shows the code's own cost.

func BenchmarkUpsertAlertSingle(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("sync="+sync, func(b *testing.B) {
			s, src := benchStore(b, sync)
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				if _, err := s.UpsertAlert(ctx, benchAlert(src, i)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}

func BenchmarkUpsertAlertBatch100(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("sync="+sync, func(b *testing.B) {
			s, src := benchStore(b, sync)
			ctx := context.Background()
			b.ResetTimer()
			for start := 0; start < b.N; start += 100 {
				err := s.InTx(ctx, func(q store.Queries) error {
					for i := start; i < min(start+100, b.N); i++ {
						if _, err := q.UpsertAlert(ctx, benchAlert(src, i)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}

// BenchmarkUpsertAlerts100 is the batch as ingest sends it: one
// UpsertAlerts call per transaction of 100 alerts.
func BenchmarkUpsertAlerts100(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("sync="+sync, func(b *testing.B) {
			s, src := benchStore(b, sync)
			storetest.BenchUpsertAlerts(b, s, src, 100)
		})
	}
}

func benchStore(b *testing.B, sync string) (*sqlite.Store, store.Source) {
	b.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{Synchronous: sync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	src := store.Source{TenantID: store.DefaultTenant, ID: "bench", Name: "bench", TokenHash: "bench"}
	if err := s.CreateSource(context.Background(), src); err != nil {
		b.Fatal(err)
	}
	return s, src
}

// benchAlert is storetest.BenchAlert, by its short name here.
func benchAlert(src store.Source, i int) store.StoredAlert { return storetest.BenchAlert(src, i) }
