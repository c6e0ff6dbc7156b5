package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// benchTime is the time of every benchmark alert.
var benchTime = time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)

// BenchAlert is a realistic alert of src; every tenth one re-sends an
// earlier id, so updates are measured along with inserts.
func BenchAlert(src store.Source, i int) store.StoredAlert {
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

// BenchUpsertAlerts stores b.N alerts of src as ingest sends them: one
// UpsertAlerts call of batch alerts per transaction.
func BenchUpsertAlerts(b *testing.B, s store.Store, src store.Source, batch int) {
	ctx := context.Background()
	b.ResetTimer()
	for start := 0; start < b.N; start += batch {
		as := make([]store.StoredAlert, 0, batch)
		for i := start; i < min(start+batch, b.N); i++ {
			as = append(as, BenchAlert(src, i))
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
