package ingest_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestIngestConcurrentGroupCommit: many clients at once, with and without
// grouping, are all answered 202 and all stored, each with its own ids.
func TestIngestConcurrentGroupCommit(t *testing.T) {
	t.Parallel()
	for _, window := range []struct {
		name string
		d    int64 // ms; -1 disables grouping
	}{{"grouped", 0}, {"one transaction each", -1}} {
		t.Run(window.name, func(t *testing.T) {
			t.Parallel()
			st, _ := openStore(t)
			h := ingest.New(ingest.Config{Store: st, Now: func() time.Time { return testNow }, GroupWindow: time.Duration(window.d) * time.Millisecond})
			const clients, perClient = 32, 5
			var wg sync.WaitGroup
			errs := make(chan string, clients*perClient)
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perClient {
						id := fmt.Sprintf("sa-%d-%d", c, i)
						w := post(h, tokenA, "["+alertJSON(id, "open")+","+alertJSON(id+"-b", "open")+"]")
						if w.Code != http.StatusAccepted || !strings.Contains(w.Body.String(), `"`+id+`"`) || !strings.Contains(w.Body.String(), `"`+id+`-b"`) {
							errs <- fmt.Sprintf("%s: %d %s", id, w.Code, w.Body)
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
			if n := countAlerts(t, st); n != clients*perClient*2 {
				t.Errorf("%d alerts stored, want %d", n, clients*perClient*2)
			}
		})
	}
}

// TestIngestOnAcceptedAfterCommit: when OnAccepted runs, the alerts are
// already readable from the store (committed, not just in a transaction).
func TestIngestOnAcceptedAfterCommit(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	var calls, missing atomic.Int32
	h := ingest.New(ingest.Config{Store: st, OnAccepted: func(_ string, seqs []int64) {
		calls.Add(1)
		for _, s := range seqs {
			if _, err := st.AlertBySeq(context.Background(), s); err != nil {
				missing.Add(1)
			}
		}
	}})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			post(h, tokenA, alertJSON(fmt.Sprintf("sa-%d", i), "open"))
		}()
	}
	wg.Wait()
	if calls.Load() != 16 || missing.Load() != 0 {
		t.Errorf("OnAccepted called %d times (want 16), %d alerts not readable in it", calls.Load(), missing.Load())
	}
}

// TestIngestStoreFailureGrouped: concurrent requests against a store that
// fails every transaction are all answered 503 and nothing is stored.
func TestIngestStoreFailureGrouped(t *testing.T) {
	t.Parallel()
	st, _ := openStore(t)
	h := ingest.New(ingest.Config{Store: &failingStore{Store: st, failAt: 1}})
	var wg sync.WaitGroup
	var not503 atomic.Int32
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w := post(h, tokenA, alertJSON(fmt.Sprintf("sa-%d", i), "open")); w.Code != http.StatusServiceUnavailable {
				not503.Add(1)
			}
		}()
	}
	wg.Wait()
	if not503.Load() != 0 {
		t.Errorf("%d requests not answered 503", not503.Load())
	}
	if n := countAlerts(t, st); n != 0 {
		t.Errorf("%d alerts stored, want 0", n)
	}
}

// benchmarkIngestParallel posts from 32 concurrent clients, the shape of
// many sources sending at once, with durable commits as in production.
func benchmarkIngestParallel(b *testing.B, st store.Store, n int, window time.Duration) {
	h := ingest.New(ingest.Config{Store: st, Now: func() time.Time { return testNow }, GroupWindow: window})
	var next atomic.Int64
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			items := make([]string, n)
			for j := range items {
				items[j] = alertJSON(fmt.Sprintf("sa-%d-%d", i, j), "open")
			}
			body := items[0]
			if n > 1 {
				body = "[" + strings.Join(items, ",") + "]"
			}
			if w := post(h, tokenA, body); w.Code != http.StatusAccepted {
				b.Errorf("status %d: %s", w.Code, w.Body)
				return
			}
		}
	})
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "alerts/s")
}

func BenchmarkIngestSingleParallel32(b *testing.B) {
	st, _ := openStore(b)
	benchmarkIngestParallel(b, st, 1, 0)
}

func BenchmarkIngestBatch100Parallel32(b *testing.B) {
	st, _ := openStore(b)
	benchmarkIngestParallel(b, st, 100, 0)
}

// BenchmarkIngestSingleParallel32Ungrouped is the figure before group
// commit: one transaction, one fsync, per request.
func BenchmarkIngestSingleParallel32Ungrouped(b *testing.B) {
	st, _ := openStore(b)
	benchmarkIngestParallel(b, st, 1, -1)
}
