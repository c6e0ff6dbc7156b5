package postgres_test

import (
	"context"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/store/storetest"
)

// BenchmarkPrune measures retention batches of 500 on a schema holding
// TICKETBRIDGE_BENCH_ALERTS finished alerts (default 100,000), behind
// 1,000 older alerts on an open ticket:
//
//	TICKETBRIDGE_BENCH_ALERTS=1000000 TICKETBRIDGE_TEST_DATABASE_URL=postgres://... \
//	    go test -run '^$' -bench Prune -benchtime 100x ./internal/store/postgres/
func BenchmarkPrune(b *testing.B) {
	url := testURL(b)
	schema := freshSchema(b, url)
	s := closeStore(b, openStore(b, url, schema))
	storetest.BenchPrune(b, s, storetest.HistoryAlerts(b, 100_000), func(ctx context.Context, h storetest.History) error {
		return loadHistory(ctx, url, schema, h)
	})
}
