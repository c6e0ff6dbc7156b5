package simkit

import "sync"

// Gate caps the requests in flight per key and refuses the excess at once
// rather than queueing it, as PSAs do (a few threads per integration and
// endpoint, or a semaphore pool that answers 429 or 503 when exhausted). A Gate is safe for concurrent use.
type Gate struct {
	mu       sync.Mutex
	limit    int
	inflight map[string]int // no zero entries
}

// NewGate returns a gate of limit requests in flight per key; a limit
// below 1 lets everything through.
func NewGate(limit int) *Gate {
	return &Gate{limit: limit, inflight: make(map[string]int)}
}

// Acquire takes a place for key, or reports false when key has limit
// requests in flight. release gives the place back; it may be called more
// than once, only the first call counts.
func (g *Gate) Acquire(key string) (release func(), ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.limit >= 1 && g.inflight[key] >= g.limit {
		return func() {}, false
	}
	g.inflight[key]++
	var once sync.Once
	return func() { once.Do(func() { g.release(key) }) }, true
}

// InFlight returns the number of key's requests holding a place.
func (g *Gate) InFlight(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inflight[key]
}

func (g *Gate) release(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inflight[key]--; g.inflight[key] <= 0 {
		delete(g.inflight, key)
	}
}
