package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/storeopen"
)

// limitBatch is the transaction size of the durable limit, the batch
// size of W2's batched mode.
const limitBatch = 100

// runLimit measures how close batched ingest comes to the physical limit:
// the same rows ticketbridge writes for an alert (the alert with its
// indexes and a timeline row) written straight through the store, 100 per
// durable transaction, on the same driver and pragmas, beside W2's
// batched mode in the same run. What ingest loses to the limit is HTTP,
// JSON, authentication and the group commit.
func runLimit(ctx context.Context, o Options) (Result, error) {
	n := o.size(10_000, 100_000)
	storm := Storm{Orgs: 50, Users: 200, Types: 20, Seed: 2, IDPrefix: "limit-"}
	res := Result{Title: "ingest against the durable limit", Params: fmt.Sprintf(
		"%d alerts, %d per transaction (limit) and per request from %d clients (ingest), SQLite synchronous=FULL", n, limitBatch, ingestClients)}
	o.progress("limit: writing %d alerts straight through the store", n)
	limit, err := durableLimit(ctx, storm, n)
	if err != nil {
		return res, err
	}
	o.progress("limit: ingesting %d alerts over HTTP", n)
	rate, _, err := ingestRun(ctx, o, storm, n, limitBatch)
	if err != nil {
		return res, err
	}
	res.add("durable limit", limit, "alerts/s")
	res.add("batched ingest", rate, "alerts/s")
	res.atLeast("ingest ÷ limit", rate/limit, "", 0.85)
	return res, nil
}

// durableLimit writes n alerts with a timeline row each into a fresh
// store, limitBatch per transaction, and returns the alerts per second.
// Decoding is done first: the limit is the writes alone.
func durableLimit(ctx context.Context, storm Storm, n int) (float64, error) {
	dir, err := os.MkdirTemp("", "ticketbridge-limit-")
	if err != nil {
		return 0, fmt.Errorf("create data dir: %w", err)
	}
	defer os.RemoveAll(dir)
	st, _, err := storeopen.Open(ctx, "", filepath.Join(dir, "ticketbridge.db"), time.Now)
	if err != nil {
		return 0, fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	src := store.Source{TenantID: store.DefaultTenant, ID: "limit", Name: "limit", TokenHash: ingest.HashToken("limit")}
	if err := st.CreateSource(ctx, src); err != nil {
		return 0, fmt.Errorf("create source: %w", err)
	}
	batches := make([][]store.StoredAlert, 0, (n+limitBatch-1)/limitBatch)
	for first := 0; first < n; first += limitBatch {
		as, err := alert.Decode(storm.Body(first, min(limitBatch, n-first)))
		if err != nil {
			return 0, fmt.Errorf("decode generated alerts: %w", err)
		}
		batch := make([]store.StoredAlert, len(as))
		for i, a := range as {
			batch[i] = store.StoredAlert{TenantID: src.TenantID, SourceID: src.ID, Alert: a, StatusOrigin: "source"}
		}
		batches = append(batches, batch)
	}
	start := time.Now()
	for _, batch := range batches {
		if err := writeBatch(ctx, st, batch); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// writeBatch stores one batch of alerts and their "received" timeline
// rows in one transaction.
func writeBatch(ctx context.Context, st store.Store, batch []store.StoredAlert) error {
	now := time.Now().UTC()
	return st.InTx(ctx, func(q store.Queries) error {
		for i := range batch {
			batch[i].ReceivedAt, batch[i].UpdatedAt, batch[i].StatusChangedAt = now, now, now
		}
		results, err := q.UpsertAlerts(ctx, batch)
		if err != nil {
			return fmt.Errorf("upsert alerts: %w", err)
		}
		entries := make([]store.TimelineEntry, len(results))
		for i, r := range results {
			entries[i] = store.TimelineEntry{TenantID: store.DefaultTenant, AlertSeq: r.Seq, At: now, Event: ingest.EventReceived, Detail: "from source limit"}
		}
		if err := q.AppendTimelines(ctx, entries); err != nil {
			return fmt.Errorf("append timeline: %w", err)
		}
		return nil
	})
}
