package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// readyTimeout bounds a readiness check; on SQLite the probe waits its
// turn behind the single writer, so a writer queue longer than this is
// reported as not ready too.
const readyTimeout = 2 * time.Second

// ready serves GET /readyz: ready when the store can commit a write (a
// read-only data folder or database, or a full disk, fails the probe, as
// it would fail ingest) and answer a read, which also refreshes the
// backlog gauge.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := a.Store.ProbeWrite(ctx); err != nil {
		a.log.Error("readiness: store cannot write", "err", err)
		http.Error(w, "store cannot write", http.StatusServiceUnavailable)
		return
	}
	n, err := a.pendingDeliveries(ctx)
	if err != nil {
		a.log.Error("readiness", "err", err)
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	// A degraded integration is named, but readiness holds: ingest works
	// and keeps every alert while the PSA is away, and a load balancer
	// that took this replica out would lose the sources' alerts instead.
	// With --unready-after an operator who would rather page on the probe
	// opts in: an outage past it fails readiness.
	var b strings.Builder
	unready := false
	for _, h := range a.reportHealth(n) {
		switch {
		case a.cfg.UnreadyAfter > 0 && !h.Since.IsZero() && time.Since(h.Since) >= a.cfg.UnreadyAfter:
			unready = true
			fmt.Fprintf(&b, "unready: integration %s has failed since %s (over --unready-after %s): %s\n",
				h.Integration, h.Since.UTC().Format(time.RFC3339), a.cfg.UnreadyAfter, h.Reason)
		case h.Degraded:
			fmt.Fprintf(&b, "degraded: integration %s: %s\n", h.Integration, h.Reason)
		}
	}
	if unready {
		http.Error(w, strings.TrimSuffix(b.String(), "\n"), http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n" + b.String()))
}
