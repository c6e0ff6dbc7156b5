package retention_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the file is read on its own connection

	"github.com/ticketbridge/ticketbridge/internal/bench"
	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
	"github.com/ticketbridge/ticketbridge/internal/store/storetest"
)

// BenchmarkStoragePerAlert measures what the SQLite file holds for each
// alert after the whole pipeline: TICKETBRIDGE_BENCH_ALERTS alerts
// (default 20,000) ingested over HTTP 100 a request, routed under the
// bench settings (user_alert grouping, 200 groups) and delivered to the
// default PSA's simulator, so each has the rows production writes: the
// alert, its route, its create or note delivery and its timeline.
//
//	go test -run '^$' -bench StoragePerAlert -benchtime 1x -v ./internal/retention/
//
// in-use-B/alert counts the file's pages not on the free list (what the
// rows take; freed pages are reused by later writes), file-B/alert the
// whole file; -v logs each table's and index's share.
func BenchmarkStoragePerAlert(b *testing.B) {
	n := storetest.HistoryAlerts(b, 20_000) / 100 * 100
	for b.Loop() {
		inUse, file := fillAndMeasure(b, n)
		b.ReportMetric(float64(inUse)/float64(n), "in-use-B/alert")
		b.ReportMetric(float64(file)/float64(n), "file-B/alert")
	}
}

// fillAndMeasure runs n alerts through a fresh app and returns the bytes
// of the file's pages in use and of the whole file.
func fillAndMeasure(b *testing.B, n int) (inUse, file int64) {
	ctx := context.Background()
	e, err := demo.Start(ctx, demo.Options{Driver: drivers.Default(), DataDir: b.TempDir(), SkipApply: true})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	settings, _ := e.Sim.Settings(driver.BenchSettings, driver.SettingsParams{
		Name: "bench", Base: e.SimBase(), RequestsPerHour: 10_000_000, BudgetWindow: time.Hour, MaxConcurrent: 3,
	})
	if _, err := e.Apply(ctx, settings); err != nil {
		b.Fatal(err)
	}
	storm := bench.Storm{Orgs: 10, Users: 40, Types: 5, Seed: 1, IDPrefix: "st-"}
	send := bench.NewSender(e.BaseURL, e.Token, 4)
	if _, err := send.SendAll(ctx, n/100, func(i int) []byte { return storm.Body(i*100, 100) }, 4); err != nil {
		b.Fatal(err)
	}
	if err := e.WaitIdle(ctx, 10*time.Minute); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(e.DataDir, "ticketbridge.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var pages, free, size int64
	for q, v := range map[string]*int64{"PRAGMA page_count": &pages, "PRAGMA freelist_count": &free, "PRAGMA page_size": &size} {
		if err := db.QueryRowContext(ctx, q).Scan(v); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d alerts: %d pages of %d bytes, %d of them free\n%s", n, pages, size, free, shares(b, db, n))
	return (pages - free) * size, pages * size
}

// shares lists the tables and indexes taking 1% of the file or more, in
// bytes per alert: their pages, and the rows' own bytes in them.
func shares(b *testing.B, db *sql.DB, n int) string {
	rows, err := db.Query(`SELECT name, SUM(pgsize), SUM(payload) FROM dbstat GROUP BY name
HAVING SUM(pgsize) * 100 >= (SELECT SUM(pgsize) FROM dbstat) ORDER BY 2 DESC`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out strings.Builder
	for rows.Next() {
		var name string
		var pages, payload int64
		if err := rows.Scan(&name, &pages, &payload); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&out, "%-30s %6.0f B/alert in pages, %6.0f of rows\n", name, float64(pages)/float64(n), float64(payload)/float64(n))
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return out.String()
}
