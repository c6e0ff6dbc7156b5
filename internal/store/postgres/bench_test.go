package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/postgres"
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
	ctx := context.Background()
	b.ResetTimer()
	for start := 0; start < b.N; start += 100 {
		as := make([]store.StoredAlert, 0, 100)
		for i := start; i < min(start+100, b.N); i++ {
			as = append(as, benchAlert(src, i))
		}
		err := s.InTx(ctx, func(q store.Queries) error {
			_, err := q.UpsertAlerts(ctx, as)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
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

var benchTime = time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)

// benchAlert is a realistic alert; every tenth one re-sends an earlier id,
// so updates are measured along with inserts.
func benchAlert(src store.Source, i int) store.StoredAlert {
	id := i
	if i%10 == 9 {
		id = i / 2
	}
	return store.StoredAlert{
		TenantID: src.TenantID, SourceID: src.ID, ReceivedAt: benchTime, UpdatedAt: benchTime,
		Alert: alert.Alert{
			ID: fmt.Sprintf("sa-%08d", id), Kind: alert.KindIssue,
			Organization: alert.Organization{ID: fmt.Sprintf("org-%d", i%50), Name: "Acme Corp"},
			Type:         "Too Many Downloads", Severity: alert.SeverityHigh, Status: alert.StatusOpen,
			Title:       "Too many downloads by jane@acme.example",
			Description: "412 files in 10 minutes", User: &alert.User{Email: "jane@acme.example"},
			OccurredAt: benchTime, URL: "https://source.example/alerts/1",
			Attributes: map[string]string{"ip": "203.0.113.9"},
		},
	}
}
