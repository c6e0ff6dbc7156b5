package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// W1 parameters: a steady rate, a simulator answering in a fixed time.
const (
	w1Rate       = 20 // alerts per second, one per request
	w1SimLatency = 50 * time.Millisecond
)

// runW1 measures, for each alert, the time from its 202 to the end of the
// PSA write carrying its marker (ticket create or note), minus the
// simulator's own time: the part of that interval during which some call
// of ticketbridge was inside the simulator. What remains is time spent in
// ticketbridge (queueing, routing, commits, coalescing waits).
func runW1(ctx context.Context, o Options) (Result, error) {
	res, _, err := measureW1(ctx, o)
	return res, err
}

// measureW1 runs W1 and also returns its p99 of ticketbridge's time in
// milliseconds.
func measureW1(ctx context.Context, o Options) (Result, float64, error) {
	n := o.size(100, 1000)
	res := Result{Title: "latency, 202 → ticket or note written", Params: fmt.Sprintf(
		"%d alerts at %d/s, simulator latency %s", n, w1Rate, w1SimLatency)}
	e, err := startEnv(ctx, o, driver.SimOptions{Latency: w1SimLatency, RequestLimit: 1_000_000}, &driver.SettingsParams{Name: "bench", RequestsPerHour: 1_000_000, BudgetWindow: time.Hour, MaxConcurrent: 3})
	if err != nil {
		return res, 0, err
	}
	defer e.Close()
	storm := Storm{Orgs: 10, Users: 40, Types: 5, Seed: 1, IDPrefix: "w1-"}
	accepted, err := sendSteady(ctx, NewSender(e.BaseURL, e.Token, 8), storm, n)
	if err != nil {
		return res, 0, err
	}
	if err := e.WaitIdle(ctx, 2*time.Minute); err != nil {
		return res, 0, err
	}
	p99 := w1Figures(ctx, e, storm, accepted, &res, "")
	return res, p99, nil
}

// w1Figures adds W1's figures for the alerts of storm accepted at the
// given times, each name prefixed by prefix, and returns the p99 of
// ticketbridge's time in milliseconds.
func w1Figures(ctx context.Context, e *env, storm Storm, accepted []time.Time, res *Result, prefix string) float64 {
	busy := e.calls.busy()
	var ours, raw, toQueued, toWrite []time.Duration
	missing := 0
	for i, acc := range accepted {
		key := storm.Alert(i).ID
		span, ok := e.calls.WriteSpan(e.SourceID + "/" + key)
		if !ok || acc.IsZero() {
			missing++
			continue
		}
		end := span[1]
		total := end.Sub(acc)
		raw = append(raw, total)
		ours = append(ours, total-overlap(busy, acc, end))
		// The trace: where our part goes, split at the routing commit.
		if queued, ok := e.queuedAt(ctx, key); ok && queued.Before(span[0]) {
			var before time.Duration // the router's clock may read just before the client's
			if queued.After(acc) {
				before = queued.Sub(acc) - overlap(busy, acc, queued)
			}
			toQueued = append(toQueued, before)
			toWrite = append(toWrite, span[0].Sub(queued)-overlap(busy, queued, span[0]))
		}
	}
	sortDurations(ours)
	sortDurations(raw)
	sortDurations(toQueued)
	sortDurations(toWrite)
	res.add(prefix+"p50 (ticketbridge's time)", ms(percentile(ours, 50)), "ms")
	res.add(prefix+"p95 (ticketbridge's time)", ms(percentile(ours, 95)), "ms")
	p99 := ms(percentile(ours, 99))
	res.atMost(prefix+"p99 (ticketbridge's time)", p99, "ms", 10)
	res.add(prefix+"  of which 202 → routed, p50", ms(percentile(toQueued, 50)), "ms")
	res.add(prefix+"  of which 202 → routed, p99", ms(percentile(toQueued, 99)), "ms")
	res.add(prefix+"  of which routed → PSA write starts, p50", ms(percentile(toWrite, 50)), "ms")
	res.add(prefix+"  of which routed → PSA write starts, p99", ms(percentile(toWrite, 99)), "ms")
	res.add(prefix+"p50 end to end", ms(percentile(raw, 50)), "ms")
	res.add(prefix+"p99 end to end", ms(percentile(raw, 99)), "ms")
	res.atMost(prefix+"alerts not written", float64(missing), "", 0)
	return p99
}

// sendSteady sends alerts one per request at w1Rate and returns when
// each was accepted.
func sendSteady(ctx context.Context, s *Sender, storm Storm, n int) ([]time.Time, error) {
	sent, err := SendPaced(ctx, s, storm, n, w1Rate)
	if err != nil {
		return nil, err
	}
	accepted := make([]time.Time, n)
	for i, x := range sent {
		accepted[i] = x.Accepted
	}
	return accepted, nil
}

// Sent is when one paced alert was sent and when it was accepted (202).
type Sent struct{ Start, Accepted time.Time }

// SendPaced sends alerts 0..n-1 of storm one per request at rate a
// second, each on its own goroutine so that a slow answer does not shift
// the schedule, and returns when each was sent and accepted.
func SendPaced(ctx context.Context, s *Sender, storm Storm, n, rate int) ([]Sent, error) {
	sent := make([]Sent, n)
	errs := make([]error, n)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	var wg sync.WaitGroup
	for i := range n {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		case <-tick.C:
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent[i].Start = time.Now()
			if errs[i] = s.Deliver(ctx, storm.Alert(i).JSON); errs[i] == nil {
				sent[i].Accepted = time.Now()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return sent, nil
}

// queuedAt is when the router queued the alert's delivery (its "queued"
// timeline entry, written in the routing transaction).
func (e *env) queuedAt(ctx context.Context, alertID string) (time.Time, bool) {
	a, err := e.App.Store.AlertBySourceID(ctx, store.DefaultTenant, e.SourceID, alertID)
	if err != nil {
		return time.Time{}, false
	}
	tl, err := e.App.Store.Timeline(ctx, a.Seq)
	if err != nil {
		return time.Time{}, false
	}
	for _, en := range tl {
		if en.Event == "queued" {
			return en.At, true
		}
	}
	return time.Time{}, false
}
