package autotasksim

import (
	"context"
	"sync"
	"time"
)

// budget is the rolling-window request counter of the database. Autotask
// counts every authenticated call of every integration against one
// threshold per hour.
type budget struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	hits   []time.Time // ascending
}

func newBudget(limit int, window time.Duration, now func() time.Time) *budget {
	return &budget{limit: limit, window: window, now: now}
}

// prune drops hits older than the window; callers hold mu.
func (b *budget) prune() {
	cutoff := b.now().Add(-b.window)
	i := 0
	for i < len(b.hits) && !b.hits[i].After(cutoff) {
		i++
	}
	if i > 0 {
		b.hits = append(b.hits[:0], b.hits[i:]...)
	}
}

// take counts one request and returns the new count, or false when the
// threshold is reached (a refused request is not counted, so the window
// drains).
func (b *budget) take() (int, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prune()
	if len(b.hits) >= b.limit {
		return len(b.hits), false
	}
	b.hits = append(b.hits, b.now())
	return len(b.hits), true
}

func (b *budget) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prune()
	return len(b.hits)
}

// usageDelay is Autotask's usage-based latency for the count-th request:
// 0.5s past half the threshold, 1s past three quarters, scaled to window.
func usageDelay(count, limit int, window time.Duration) time.Duration {
	scale := float64(window) / float64(time.Hour)
	switch {
	case count*4 > limit*3:
		return time.Duration(float64(time.Second) * scale)
	case count*2 > limit:
		return time.Duration(float64(500*time.Millisecond) * scale)
	}
	return 0
}

// gate caps concurrent requests per (integration code × entity endpoint).
// Autotask refuses the excess request at once rather than queueing it.
type gate struct {
	mu       sync.Mutex
	limit    int
	inflight map[string]int
}

func newGate(limit int) *gate {
	return &gate{limit: limit, inflight: make(map[string]int)}
}

func (g *gate) acquire(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inflight[key] >= g.limit {
		return false
	}
	g.inflight[key]++
	return true
}

func (g *gate) release(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inflight[key]--; g.inflight[key] <= 0 {
		delete(g.inflight, key)
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
