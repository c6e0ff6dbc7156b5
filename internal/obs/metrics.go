// Package obs sets up structured logging and defines ticketbridge's
// Prometheus metrics on an injected registry (no global registerer, so
// tests and several apps in one process never collide).
package obs

import (
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the counters and gauges the app, ingest, engine and
// connectors update.
type Metrics struct {
	Registry        *prometheus.Registry
	AlertsReceived  prometheus.Counter
	Deliveries      *prometheus.CounterVec   // kind, outcome
	PSACalls        *prometheus.CounterVec   // integration, op, status
	PSACallSeconds  *prometheus.HistogramVec // integration, op
	BudgetRemaining *prometheus.GaugeVec     // integration
	Backlog         prometheus.Gauge
	AlertToTicket   prometheus.Histogram
	RoutedAlerts    *prometheus.CounterVec // outcome
	AlertsPruned    prometheus.Counter
	// RoutingWaiting and OldestWaiting show alerts that cannot be routed
	// while a PSA is down; Degraded is 1 for an integration whose routing
	// or delivery has kept failing past the degraded time.
	RoutingWaiting *prometheus.GaugeVec // integration
	OldestWaiting  prometheus.Gauge
	Degraded       *prometheus.GaugeVec // integration
	// DriftFindings is the number of settings the PSA no longer backs,
	// per integration, as the last reconcile found them (deliveries wait
	// while it is above 0).
	DriftFindings *prometheus.GaugeVec // integration
	// OldestPendingDelivery is the age of each integration's oldest
	// pending delivery; StatusSyncLag how far the status poll's cursor is
	// behind now (PSA changes newer than that are not seen yet).
	OldestPendingDelivery *prometheus.GaugeVec // integration
	StatusSyncLag         *prometheus.GaugeVec // integration
}

// NewMetrics registers every metric on a fresh registry.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: reg,
		AlertsReceived: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticketbridge_alerts_received_total", Help: "Alerts accepted by ingest (202).",
		}),
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticketbridge_deliveries_total", Help: "Delivery attempts by kind and outcome.",
		}, []string{"kind", "outcome"}),
		PSACalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticketbridge_psa_calls_total", Help: "HTTP calls to PSAs by integration, operation and status (0: no answer).",
		}, []string{"integration", "op", "status"}),
		PSACallSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ticketbridge_psa_call_seconds", Help: "PSA call duration.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"integration", "op"}),
		BudgetRemaining: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ticketbridge_psa_budget_remaining", Help: "Requests left in the integration's rolling budget window.",
		}, []string{"integration"}),
		Backlog: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ticketbridge_delivery_backlog", Help: "Pending deliveries, and alerts waiting to be routed.",
		}),
		AlertToTicket: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ticketbridge_alert_to_ticket_seconds", Help: "From alert accepted to ticket or note written in the PSA.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}),
		RoutedAlerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticketbridge_routed_alerts_total", Help: "Alerts routed per integration by outcome (queued, skipped).",
		}, []string{"outcome"}),
		AlertsPruned: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticketbridge_alerts_pruned_total", Help: "Alerts deleted by retention, with their timeline, routes, deliveries and callbacks.",
		}),
		RoutingWaiting: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ticketbridge_routing_waiting_alerts", Help: "Alerts waiting to be routed because the PSA cannot be read (one routing batch at most is counted).",
		}, []string{"integration"}),
		OldestWaiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ticketbridge_oldest_waiting_alert_seconds", Help: "Age of the oldest alert waiting to be routed; 0 when none waits.",
		}),
		Degraded: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ticketbridge_integration_degraded", Help: "1 while an integration's routing or delivery has kept failing past --degraded-after.",
		}, []string{"integration"}),
		OldestPendingDelivery: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ticketbridge_oldest_pending_delivery_seconds", Help: "Age of the oldest pending delivery per integration (0 when none is pending).",
		}, []string{"integration"}),
		StatusSyncLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ticketbridge_status_sync_lag_seconds", Help: "How far behind now the status poll's cursor is, per integration that polls.",
		}, []string{"integration"}),
		DriftFindings: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ticketbridge_drift_findings", Help: "Settings the PSA no longer backs (renamed, deactivated or deleted), per integration, as the last reconcile found them.",
		}, []string{"integration"}),
	}
	reg.MustRegister(m.AlertsReceived, m.Deliveries, m.PSACalls, m.PSACallSeconds, m.BudgetRemaining, m.Backlog, m.AlertToTicket, m.RoutedAlerts, m.AlertsPruned,
		m.RoutingWaiting, m.OldestWaiting, m.Degraded, m.DriftFindings, m.OldestPendingDelivery, m.StatusSyncLag)
	return m
}

// ObservePSA returns a connector observe hook for one integration.
func (m *Metrics) ObservePSA(integration string) func(op string, status int, d time.Duration) {
	return func(op string, status int, d time.Duration) {
		m.PSACalls.WithLabelValues(integration, op, statusLabel(status)).Inc()
		m.PSACallSeconds.WithLabelValues(integration, op).Observe(d.Seconds())
	}
}

func statusLabel(s int) string {
	const digits = "0123456789"
	if s <= 0 || s > 999 {
		return "0"
	}
	return string([]byte{digits[s/100], digits[s/10%10], digits[s%10]})
}

// NewLogger builds a JSON or text slog logger at the given level name.
func NewLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
