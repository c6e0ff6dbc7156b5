package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
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
	n := o.size(100, 1000)
	res := Result{Title: "latency, 202 → ticket or note written", Params: fmt.Sprintf(
		"%d alerts at %d/s, simulator latency %s", n, w1Rate, w1SimLatency)}
	e, err := startEnv(ctx, o, driver.SimOptions{Latency: w1SimLatency, RequestLimit: 1_000_000}, &driver.SettingsParams{Name: "bench", RequestsPerHour: 1_000_000, BudgetWindow: time.Hour, MaxConcurrent: 3})
	if err != nil {
		return res, err
	}
	defer e.Close()
	storm := Storm{Orgs: 10, Users: 40, Types: 5, Seed: 1, IDPrefix: "w1-"}
	accepted, err := sendSteady(ctx, NewSender(e.BaseURL, e.Token, 8), storm, n)
	if err != nil {
		return res, err
	}
	if err := e.WaitIdle(ctx, 2*time.Minute); err != nil {
		return res, err
	}
	busy := e.calls.busy()
	var ours, raw []time.Duration
	missing := 0
	for i, acc := range accepted {
		end, ok := e.calls.Written(e.SourceID + "/" + storm.Alert(i).ID)
		if !ok || acc.IsZero() {
			missing++
			continue
		}
		total := end.Sub(acc)
		raw = append(raw, total)
		ours = append(ours, total-overlap(busy, acc, end))
	}
	sortDurations(ours)
	sortDurations(raw)
	res.add("p50 (ticketbridge's time)", ms(percentile(ours, 50)), "ms")
	res.add("p95 (ticketbridge's time)", ms(percentile(ours, 95)), "ms")
	res.atMost("p99 (ticketbridge's time)", ms(percentile(ours, 99)), "ms", 250)
	res.add("p50 end to end", ms(percentile(raw, 50)), "ms")
	res.add("p99 end to end", ms(percentile(raw, 99)), "ms")
	res.atMost("alerts not written", float64(missing), "", 0)
	return res, nil
}

// sendSteady sends alerts one per request at w1Rate, each on its own
// goroutine so that a slow answer does not shift the schedule, and returns
// when each was accepted.
func sendSteady(ctx context.Context, s *Sender, storm Storm, n int) ([]time.Time, error) {
	accepted := make([]time.Time, n)
	errs := make([]error, n)
	tick := time.NewTicker(time.Second / w1Rate)
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
			if errs[i] = s.Deliver(ctx, storm.Alert(i).JSON); errs[i] == nil {
				accepted[i] = time.Now()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return accepted, nil
}
