// Package simfault is a fault-injection middleware any PSA simulator can
// sit behind: a share of requests gets a 500, a 429 (with or without
// Retry-After), a hang past the client's time-out, a slow answer, a reset
// connection, or a truncated or malformed JSON body. It proves that the
// engine neither loses nor duplicates work when the PSA misbehaves.
//
// Each request draws one fault at most, with the configured probabilities
// taken in a fixed order; the draws come from a seeded generator, so a
// sequential run is reproducible. Faults that never reach the simulator
// (500, 429, reset) test retries; faults that strike after the simulator
// did the work (hang, truncate, malformed) test recovery of a write whose
// answer was lost, which is where duplicates come from.
//
// Zone and version discovery (paths ending in zoneInformation or
// versionInformation) are never faulted by default: they are one-off,
// unauthenticated boot calls outside the request budget, and a fault
// there tests the boot path, not delivery. Config.Eligible changes that.
package simfault

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Config sets the probability (0..1) of each fault and its parameters.
// The rates are exclusive: their sum must not exceed 1.
type Config struct {
	Rate500           float64 // answer 500 without calling the simulator
	Rate429           float64 // answer 429 without Retry-After
	Rate429RetryAfter float64 // answer 429 with Retry-After: RetryAfter
	// RateHang lets the simulator do the work, then holds the answer until
	// the client gives up (its context ends) or HangFor passes, and drops
	// the connection without answering.
	RateHang float64
	// RateSlow delays the request by SlowFixed plus up to SlowJitter
	// before the simulator sees it.
	RateSlow float64
	// RateReset closes the connection (TCP reset) before the simulator
	// sees the request.
	RateReset float64
	// RateTruncate sends the first half of the simulator's body.
	RateTruncate float64
	// RateMalformed replaces the simulator's body with invalid JSON.
	RateMalformed float64

	SlowFixed, SlowJitter time.Duration
	// HangFor bounds a hang (default DefaultHangFor), so that a client
	// with a longer time-out than that still gets its connection dropped.
	HangFor time.Duration
	// RetryAfter is the Retry-After of Rate429RetryAfter answers, rounded
	// up to whole seconds (default 1s).
	RetryAfter time.Duration
	// Seed seeds the fault draws.
	Seed int64
	// BodyFor renders an injected error body in the PSA's shape (each
	// driver's simulator has one); default {"errors":["msg"]}.
	BodyFor func(status int, msg string) []byte
	// Eligible says which requests may be faulted (each driver's
	// simulator spares its discovery calls); default every request.
	Eligible func(r *http.Request) bool
	// StatsPath, when set, serves Stats as JSON on GET to that path
	// (never faulted, never forwarded), so a test can read the counters
	// of a simulator running in another process.
	StatsPath string
}

// DefaultHangFor bounds a hang when Config.HangFor is zero: longer than
// the usual client time-outs of tests, far shorter than a test's budget.
const DefaultHangFor = 30 * time.Second

// Validate reports rates outside 0..1 or summing past 1.
func (c Config) Validate() error {
	var errs []error
	sum := 0.0
	for _, f := range c.table() {
		if f.rate < 0 || f.rate > 1 {
			errs = append(errs, fmt.Errorf("fault %s: rate %v is not within 0..1", f.kind, f.rate))
		}
		sum += f.rate
	}
	if sum > 1+1e-9 {
		errs = append(errs, fmt.Errorf("fault rates sum to %.3f: lower them to 1 or less", sum))
	}
	if c.SlowFixed < 0 || c.SlowJitter < 0 || c.HangFor < 0 || c.RetryAfter < 0 {
		errs = append(errs, errors.New("fault durations must not be negative"))
	}
	return errors.Join(errs...)
}

// Kind names a fault.
type Kind string

// Fault kinds, in the order their rates are drawn.
const (
	None               Kind = ""
	Fault500           Kind = "500"
	Fault429           Kind = "429"
	Fault429RetryAfter Kind = "429_retry_after"
	FaultHang          Kind = "hang"
	FaultSlow          Kind = "slow"
	FaultReset         Kind = "reset"
	FaultTruncate      Kind = "truncate"
	FaultMalformed     Kind = "malformed"
)

type rated struct {
	kind Kind
	rate float64
}

func (c Config) table() []rated {
	return []rated{
		{Fault500, c.Rate500}, {Fault429, c.Rate429}, {Fault429RetryAfter, c.Rate429RetryAfter},
		{FaultHang, c.RateHang}, {FaultSlow, c.RateSlow}, {FaultReset, c.RateReset},
		{FaultTruncate, c.RateTruncate}, {FaultMalformed, c.RateMalformed},
	}
}

// ErrorsBody renders an error as {"errors":["msg"]}.
func ErrorsBody(_ int, msg string) []byte {
	b, _ := json.Marshal(map[string][]string{"errors": {msg}})
	return b
}

// everyRequest makes every request eligible for a fault.
func everyRequest(*http.Request) bool { return true }

// Injector is the middleware; it is safe for concurrent use.
type Injector struct {
	next  http.Handler
	cfg   Config
	table []rated

	mu    sync.Mutex
	rng   *rand.Rand
	stats Stats
}

// Wrap returns h behind the fault injector. It panics on an invalid
// Config (a programming or flag error: call Validate first for flags).
func Wrap(h http.Handler, cfg Config) *Injector {
	if err := cfg.Validate(); err != nil {
		panic("simfault: " + err.Error())
	}
	if cfg.HangFor == 0 {
		cfg.HangFor = DefaultHangFor
	}
	if cfg.RetryAfter == 0 {
		cfg.RetryAfter = time.Second
	}
	if cfg.BodyFor == nil {
		cfg.BodyFor = ErrorsBody
	}
	if cfg.Eligible == nil {
		cfg.Eligible = everyRequest
	}
	seed := uint64(cfg.Seed)
	return &Injector{
		next: h, cfg: cfg, table: cfg.table(),
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		stats: Stats{Upstream: map[int]int64{}},
	}
}

// draw picks the fault of one request and, for a slow one, its delay.
func (in *Injector) draw() (Kind, time.Duration) {
	in.mu.Lock()
	defer in.mu.Unlock()
	u := in.rng.Float64()
	for _, f := range in.table {
		if u < f.rate {
			var d time.Duration
			if f.kind == FaultSlow {
				d = in.cfg.SlowFixed
				if in.cfg.SlowJitter > 0 {
					d += time.Duration(in.rng.Int64N(int64(in.cfg.SlowJitter) + 1))
				}
			}
			return f.kind, d
		}
		u -= f.rate
	}
	return None, 0
}
