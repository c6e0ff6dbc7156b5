package engine

import (
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Bounds on answering forged webhooks. A PSA sends a few callouts a
// second at most; past the rate a bad signature is refused without
// reading the body or computing an HMAC, so a flood of forged megabytes
// costs the ingest next to nothing.
const (
	rejectRate  = 5 // bad signatures checked per second per integration
	rejectBurst = 20
	// rejectLogEvery is the most often a rejection is logged; the log
	// line counts the ones in between.
	rejectLogEvery = time.Minute
)

// rejections tracks one integration's webhooks that failed their
// signature: it rate-limits checking them and logs them in summary. It is
// safe for concurrent use by HTTP goroutines.
type rejections struct {
	limit *rate.Limiter
	now   func() time.Time

	mu       sync.Mutex
	unlogged int
	loggedAt time.Time
}

func newRejections(now func() time.Time) *rejections {
	return &rejections{limit: rate.NewLimiter(rejectRate, rejectBurst), now: now}
}

// allow reports whether another webhook may be checked now, given that
// recent ones failed: the bucket is drawn from only by failures (see
// record), so a PSA's genuine callouts never run into it alone.
func (r *rejections) allow() bool {
	return r.limit.TokensAt(r.now()) >= 1
}

// record counts a rejection (refused unchecked or failing its
// signature) and logs a summary at most once per rejectLogEvery.
func (r *rejections) record(log *slog.Logger, checked bool) {
	if checked {
		r.limit.AllowN(r.now(), 1)
	}
	r.mu.Lock()
	r.unlogged++
	now := r.now()
	if now.Sub(r.loggedAt) < rejectLogEvery {
		r.mu.Unlock()
		return
	}
	n := r.unlogged
	r.unlogged, r.loggedAt = 0, now
	r.mu.Unlock()
	log.Warn("webhooks rejected: bad signature", "count", n, "since_last_log", rejectLogEvery.String())
}
