package simkit

import (
	"sync"
	"time"
)

// Window is a rolling-window request limiter: at most Limit requests per
// key in any Length. PSAs count a rolling window rather than a fixed one
// (10,000 per hour per database, 180 per minute per client, 800 per
// minute per token, 300 per 5 minutes per tenant: see psa-apis), so it
// keeps the time of every counted request. A request
// counted at t leaves the window at exactly t+Length. Refused requests are
// not counted, so a client that waits gets through.
//
// The key is whatever the PSA counts by (a token, a client address, a
// tenant); a simulator with one tenant-wide count uses one key. A Window
// is safe for concurrent use.
type Window struct {
	mu     sync.Mutex
	limit  int
	length time.Duration
	now    func() time.Time
	hits   map[string][]time.Time // ascending per key; no empty entries
	swept  time.Time              // last time every key was pruned
}

// NewWindow returns a limiter of limit requests per length. A limit below
// 1 turns it off: every request passes and none is counted (for a PSA
// that publishes no limit). now is the clock, time.Now when nil.
func NewWindow(limit int, length time.Duration, now func() time.Time) *Window {
	if now == nil {
		now = time.Now
	}
	return &Window{limit: limit, length: length, now: now, hits: make(map[string][]time.Time)}
}

// Verdict is a Window's answer to one request.
type Verdict struct {
	// OK is true when the request was counted, false when it was refused.
	OK bool
	// Count is the number of the key's requests in the window, this one
	// included when OK.
	Count int
	// Wait is, for a refused request, how long until the key's oldest
	// counted request leaves the window (a Retry-After).
	Wait time.Duration
	// Reset is when the key's oldest counted request leaves the window;
	// zero when nothing is counted. ServiceNow's X-RateLimit-Reset.
	Reset time.Time
}

// Take counts one request of key, or refuses it when the key's window is
// full.
func (w *Window) Take(key string) Verdict {
	if w.limit < 1 {
		return Verdict{OK: true}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	w.sweep(now)
	hits := w.prune(key, now)
	if len(hits) >= w.limit {
		reset := hits[0].Add(w.length)
		return Verdict{Count: len(hits), Wait: reset.Sub(now), Reset: reset}
	}
	hits = append(hits, now)
	w.hits[key] = hits
	return Verdict{OK: true, Count: len(hits), Reset: hits[0].Add(w.length)}
}

// Count returns the number of key's requests in the current window.
func (w *Window) Count(key string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.prune(key, w.now()))
}

// Limit returns the number of requests allowed per window (below 1: off).
func (w *Window) Limit() int { return w.limit }

// Length returns the length of the rolling window.
func (w *Window) Length() time.Duration { return w.length }

// prune drops key's hits that left the window by now and returns the
// rest; a key left without hits is forgotten. Callers hold mu.
func (w *Window) prune(key string, now time.Time) []time.Time {
	hits := w.hits[key]
	cutoff := now.Add(-w.length)
	i := 0
	for i < len(hits) && !hits[i].After(cutoff) {
		i++
	}
	if i == 0 {
		return hits
	}
	hits = append(hits[:0], hits[i:]...)
	if len(hits) == 0 {
		delete(w.hits, key)
		return nil
	}
	w.hits[key] = hits
	return hits
}

// sweep prunes every key once per window length, so clients that went
// quiet (a Syncro simulator counts by client address) do not pile up.
// Callers hold mu.
func (w *Window) sweep(now time.Time) {
	if now.Sub(w.swept) < w.length {
		return
	}
	w.swept = now
	for key := range w.hits {
		w.prune(key, now)
	}
}
