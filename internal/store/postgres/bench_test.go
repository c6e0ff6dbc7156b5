package postgres_test

import (
	"context"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/postgres"
	"github.com/ticketbridge/ticketbridge/internal/store/storetest"
)

// The same ingest figures as the SQLite engine's benchmarks, on the
// database named by TICKETBRIDGE_TEST_DATABASE_URL:
//
//	TICKETBRIDGE_TEST_DATABASE_URL=postgres://... go test -run '^$' -bench UpsertAlert ./internal/store/postgres/
//
// One alert per transaction is bounded by the server's commit (WAL flush)
// latency; a batch of 100 pays it once per 100 alerts.

func BenchmarkUpsertAlertSingle(b *testing.B) {
	s, src := benchStore(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.UpsertAlert(ctx, benchAlert(src, i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
}

func BenchmarkUpsertAlertBatch100(b *testing.B) {
	s, src := benchStore(b)
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
}

// BenchmarkUpsertAlerts100 is the batch as ingest sends it: one
// UpsertAlerts call per transaction of 100 alerts.
func BenchmarkUpsertAlerts100(b *testing.B) {
	s, src := benchStore(b)
	storetest.BenchUpsertAlerts(b, s, src, 100)
}

func benchStore(b *testing.B) (*postgres.Store, store.Source) {
	b.Helper()
	url := testURL(b)
	s := closeStore(b, openStore(b, url, freshSchema(b, url)))
	src := store.Source{TenantID: store.DefaultTenant, ID: "bench", Name: "bench", TokenHash: "bench"}
	if err := s.CreateSource(context.Background(), src); err != nil {
		b.Fatal(err)
	}
	return s, src
}

// benchAlert is storetest.BenchAlert, by its short name here.
func benchAlert(src store.Source, i int) store.StoredAlert { return storetest.BenchAlert(src, i) }
