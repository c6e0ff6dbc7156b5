package simfault

import "maps"

// Stats counts requests and the faults injected into them.
type Stats struct {
	Requests            int64 `json:"requests"`
	Status500           int64 `json:"status_500"`
	Status429           int64 `json:"status_429"`
	Status429RetryAfter int64 `json:"status_429_retry_after"`
	Hangs               int64 `json:"hangs"`
	Slow                int64 `json:"slow"`
	Resets              int64 `json:"resets"`
	Truncated           int64 `json:"truncated"`
	Malformed           int64 `json:"malformed"`
	// Upstream counts the statuses the wrapped simulator answered, by
	// code. Its 429s are the simulator's own refusals (over the request
	// budget or the thread limit), never injected ones.
	Upstream map[int]int64 `json:"upstream"`
}

// Injected is the number of requests that got a fault.
func (s Stats) Injected() int64 {
	return s.Status500 + s.Status429 + s.Status429RetryAfter + s.Hangs + s.Slow + s.Resets + s.Truncated + s.Malformed
}

// Stats returns a snapshot of the counters.
func (in *Injector) Stats() Stats {
	in.mu.Lock()
	defer in.mu.Unlock()
	s := in.stats
	s.Upstream = maps.Clone(in.stats.Upstream)
	return s
}

func (in *Injector) count(f func(*Stats)) {
	in.mu.Lock()
	defer in.mu.Unlock()
	f(&in.stats)
}
