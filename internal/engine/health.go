package engine

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultDegradedAfter is how long routing or delivery of an integration
// may keep failing before readiness calls the integration degraded.
const DefaultDegradedAfter = 5 * time.Minute

// IntegrationHealth is what an integration's worker knows of its PSA.
type IntegrationHealth struct {
	Integration string
	// Tenant owns the integration.
	Tenant string
	// Degraded is set once routing or delivery has kept failing for
	// Config.DegradedAfter; Since and Reason say since when and why.
	Degraded bool
	Since    time.Time
	Reason   string
	// RoutingWaiting is how many alerts wait for routing (at most one
	// batch is counted), OldestWaiting when the oldest was received.
	RoutingWaiting int
	OldestWaiting  time.Time
}

// health is the failure state of one integration's PSA calls, written by
// its worker and read by readiness and metrics; its times are wall-clock
// times, except oldestWaiting, the alert's received time.
type health struct {
	mu                          sync.Mutex
	routingSince, deliverySince time.Time // zero: working
	routingErr, deliveryErr     string
	waiting                     int
	oldestWaiting               time.Time
}

// routingFailed records a failed routing attempt with the alerts left
// waiting, and reports whether it is the first of an outage.
func (h *health) routingFailed(now time.Time, err error, waiting int, oldest time.Time) (first bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	first = h.routingSince.IsZero()
	if first {
		h.routingSince = now
	}
	h.routingErr, h.waiting, h.oldestWaiting = err.Error(), waiting, oldest
	return first
}

// routingOK ends a routing outage and returns how long it lasted.
func (h *health) routingOK(now time.Time) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	var lasted time.Duration
	if !h.routingSince.IsZero() {
		lasted = now.Sub(h.routingSince)
	}
	h.routingSince, h.routingErr, h.waiting, h.oldestWaiting = time.Time{}, "", 0, time.Time{}
	return lasted
}

func (h *health) deliveryFailed(now time.Time, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.deliverySince.IsZero() {
		h.deliverySince = now
	}
	h.deliveryErr = err.Error()
}

func (h *health) deliveryOK() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.deliverySince, h.deliveryErr = time.Time{}, ""
}

// report describes the integration at now.
func (h *health) report(name string, now time.Time, after time.Duration) IntegrationHealth {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := IntegrationHealth{Integration: name, RoutingWaiting: h.waiting, OldestWaiting: h.oldestWaiting}
	var reasons []string
	for _, f := range []struct {
		since     time.Time
		what, err string
	}{
		{h.routingSince, "routing waits", h.routingErr},
		{h.deliverySince, "deliveries fail", h.deliveryErr},
	} {
		if f.since.IsZero() {
			continue
		}
		if r.Since.IsZero() || f.since.Before(r.Since) {
			r.Since = f.since
		}
		reasons = append(reasons, fmt.Sprintf("%s since %s: %s", f.what, f.since.UTC().Format(time.RFC3339), f.err))
	}
	r.Reason = strings.Join(reasons, "; ")
	r.Degraded = !r.Since.IsZero() && now.Sub(r.Since) >= after
	return r
}

// Health reports every integration this replica works, by name. Outages
// are timed on the wall clock, whatever clock the business runs on.
func (e *Engine) Health() []IntegrationHealth {
	now := time.Now()
	e.mu.Lock()
	out := make([]IntegrationHealth, 0, len(e.workers))
	for _, w := range e.workers {
		h := w.health.report(w.name, now, e.cfg.DegradedAfter)
		h.Tenant = w.tenant
		out = append(out, h)
	}
	e.mu.Unlock()
	slices.SortFunc(out, func(a, b IntegrationHealth) int { return strings.Compare(a.Integration, b.Integration) })
	return out
}
