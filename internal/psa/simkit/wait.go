package simkit

import (
	"context"
	"math"
	"strconv"
	"time"
)

// Sleep waits d, or until ctx ends: a simulator's added latency must not
// outlive the request it delays.
func Sleep(ctx context.Context, d time.Duration) {
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

// RetryAfter formats d as a Retry-After value in whole seconds, rounded
// up and at least 1: a client told 0 would retry at once into the same
// refusal.
func RetryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}
