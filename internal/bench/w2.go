package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// ingestClients is the number of concurrent senders of W2 and W4.
const ingestClients = 32

// runW2 measures ingest alone (no integration, so the engine stays idle):
// alerts per second with durable commits, batched 100 per request and one
// per request, from 32 concurrent clients, each on a fresh database.
func runW2(ctx context.Context, o Options) (Result, error) {
	if err := checkFormat(o.Format); err != nil {
		return Result{}, err
	}
	n := o.size(10_000, 100_000)
	storm := Storm{Orgs: 50, Users: 200, Types: 20, Seed: 2, IDPrefix: "w2-"}
	res := Result{Title: "ingest", Params: fmt.Sprintf("%d alerts per mode, %d clients, SQLite synchronous=FULL", n, ingestClients)}
	for _, mode := range []struct {
		name  string
		batch int
		goal  float64
	}{{"batched 100", 100, 20_000}, {"single", 1, 5_000}} {
		o.progress("w2: %s", mode.name)
		rate, mem, err := ingestRun(ctx, o, storm, n, mode.batch)
		if err != nil {
			return res, fmt.Errorf("%s: %w", mode.name, err)
		}
		res.atLeast(mode.name+": alerts/s", rate, "alerts/s", mode.goal)
		res.add(mode.name+": peak RSS", mem.Peak, "MB")
	}
	if o.Format != "" && o.Format != "canonical" {
		if err := compareFormat(ctx, o, storm, n, 100, &res); err != nil {
			return res, fmt.Errorf("%s: %w", o.Format, err)
		}
	}
	return res, nil
}

// ingestRun sends n alerts to a fresh app in bodies of batch alerts and
// returns the alerts per second and the process's memory afterwards.
func ingestRun(ctx context.Context, o Options, storm Storm, n, batch int) (float64, Memory, error) {
	e, err := startEnv(ctx, o, driver.SimOptions{}, nil)
	if err != nil {
		return 0, Memory{}, err
	}
	defer e.Close()
	resetPeak()
	rate, err := ingestInto(ctx, e, storm, 0, n, batch)
	if err != nil {
		return 0, Memory{}, err
	}
	mem, err := ReadMemory()
	return rate, mem, err
}

// ingestInto sends alerts first..first+n-1 in bodies of batch alerts from
// ingestClients clients and returns the alerts per second.
func ingestInto(ctx context.Context, e *env, storm Storm, first, n, batch int) (float64, error) {
	bodies := (n + batch - 1) / batch
	s := NewSender(e.BaseURL, e.Token, ingestClients)
	start := time.Now()
	_, err := s.SendAll(ctx, bodies, func(i int) []byte {
		from := first + i*batch
		return storm.Body(from, min(batch, first+n-from))
	}, ingestClients)
	if err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
