package connectwisesim

import (
	"context"
	"sync"
	"time"
)

// window is a rolling-window request counter. ConnectWise documents no
// numeric limit, so it only runs when Options.RateLimit is set.
type window struct {
	mu     sync.Mutex
	limit  int
	length time.Duration
	now    func() time.Time
	hits   []time.Time // ascending
}

func newWindow(limit int, length time.Duration, now func() time.Time) *window {
	return &window{limit: limit, length: length, now: now}
}

// prune drops hits that left the window; callers hold mu.
func (w *window) prune() {
	cutoff := w.now().Add(-w.length)
	i := 0
	for i < len(w.hits) && !w.hits[i].After(cutoff) {
		i++
	}
	w.hits = append(w.hits[:0], w.hits[i:]...)
}

// take counts one request, or refuses it and says how long until the
// oldest counted request leaves the window. Refused requests are not
// counted, so a client that waits gets through.
func (w *window) take() (time.Duration, bool) {
	if w.limit <= 0 {
		return 0, true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.prune()
	if len(w.hits) >= w.limit {
		return w.hits[0].Add(w.length).Sub(w.now()), false
	}
	w.hits = append(w.hits, w.now())
	return 0, true
}

func (w *window) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.prune()
	return len(w.hits)
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
