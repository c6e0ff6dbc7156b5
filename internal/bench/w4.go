package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// runW4 first runs W1 on an empty store, the baseline; then it fills
// another store with alerts through ingest (no integration) and measures
// ingest at that size, the process's memory, and the time to read one
// alert's timeline through the API; then it adds an integration that
// skips the stored alerts (sync.since after them) and measures W1's
// latency, on the same alerts as the baseline, and the deliveries list
// beside all that history.
//
// The baseline runs here rather than being taken from a W1 run: the two
// are compared in the same minutes, on the same alerts. W1's tail is a
// few clusters of alerts queued behind a round's calls; the first
// hundreds of alerts open more tickets than the rest, so a W1 of another
// length is another workload.
func runW4(ctx context.Context, o Options) (Result, error) {
	n := o.size(50_000, 1_000_000)
	extra := max(1000, n/100)
	w1 := o
	w1.Alerts = 0 // W1's own length, whatever the store's size
	latencyAlerts := w1.size(100, 1000)
	res := Result{Title: "scale", Params: fmt.Sprintf("%d stored alerts, then %d more; batched 100, %d clients; then W1 with %d alerts, against W1 on an empty store", n, extra, ingestClients, latencyAlerts)}
	o.progress("w4: W1 on an empty store, the baseline")
	_, baseP99, err := measureW1(ctx, w1)
	if err != nil {
		return res, fmt.Errorf("w4: baseline: %w", err)
	}
	e, err := startEnv(ctx, o, driver.SimOptions{Latency: w1SimLatency, RequestLimit: 1_000_000}, nil)
	if err != nil {
		return res, err
	}
	defer e.Close()
	resetPeak()
	storm := stormShape(4, "w4-")
	const batch = 100
	for first, step := 0, 100_000; first < n; first += step {
		if _, err := ingestInto(ctx, e, storm, first, min(step, n-first), batch); err != nil {
			return res, err
		}
		o.progress("w4: %d alerts stored", min(first+step, n))
	}
	rate, err := ingestInto(ctx, e, storm, n, extra, batch)
	if err != nil {
		return res, err
	}
	mem, err := ReadMemory()
	if err != nil {
		return res, err
	}
	p50, p99, err := timelineTimes(ctx, e, storm, n, 200)
	if err != nil {
		return res, err
	}
	// Lists at that size: the newest page, and a page filtered by one of
	// the storm's types.
	var first struct{ Type string }
	if err := json.Unmarshal(storm.Alert(0).JSON, &first); err != nil {
		return res, fmt.Errorf("w4: %w", err)
	}
	typ := first.Type
	list := func(*rand.Rand) string { return "/api/v1/alerts?limit=50" }
	byType := func(*rand.Rand) string { return "/api/v1/alerts?limit=50&type=" + url.QueryEscape(typ) }
	_, listP99, err := apiTimes(ctx, e, 200, list)
	if err != nil {
		return res, err
	}
	_, typeP99, err := apiTimes(ctx, e, 200, byType)
	if err != nil {
		return res, err
	}
	res.add("ingest at size", rate, "alerts/s")
	res.add("RSS", mem.RSS, "MB")
	res.atMost("peak RSS", mem.Peak, "MB", 150)
	res.add("timeline query p50", ms(p50), "ms")
	res.atMost("timeline query p99 (GET /api/v1/alerts/{id})", ms(p99), "ms", 20)
	res.add("alert list p99", ms(listP99), "ms")
	res.add("alert list by type p99", ms(typeP99), "ms")
	if fi, err := os.Stat(filepath.Join(e.DataDir, "ticketbridge.db")); err == nil {
		res.add("database file", float64(fi.Size())/(1<<20), "MB")
	}
	atSize, err := latencyAtScale(ctx, o, e, latencyAlerts, &res)
	if err != nil {
		return res, err
	}
	res.add("W1 on an empty store: p99 (ticketbridge's time)", baseP99, "ms")
	if baseP99 > 0 {
		res.atMost("W1 at size ÷ on an empty store, p99", atSize/baseP99, "×", 1.2)
	}
	return res, nil
}

// latencyAtScale applies W1's integration with a sync.since after every
// stored alert, waits until all of them are routed (skipped as too old),
// then runs W1's steady load and reads the deliveries list. It returns
// W1's p99 in milliseconds.
func latencyAtScale(ctx context.Context, o Options, e *env, n int, res *Result) (float64, error) {
	since := time.Now().UTC().Truncate(time.Second)
	settings, _ := e.Sim.Settings(driver.BenchSettings, driver.SettingsParams{
		Name: "bench", Base: e.SimBase(), RequestsPerHour: 1_000_000, BudgetWindow: time.Hour, MaxConcurrent: 3,
	})
	settings = strings.Replace(settings, "since: 30d", "since: "+since.Format(time.RFC3339), 1)
	if !strings.Contains(settings, since.Format(time.RFC3339)) {
		return 0, errors.New("w4: the bench settings have no sync.since: 30d to move")
	}
	if _, err := e.Apply(ctx, settings); err != nil {
		return 0, fmt.Errorf("w4: apply: %w", err)
	}
	start := time.Now()
	if err := e.WaitIdle(ctx, 30*time.Minute); err != nil {
		return 0, fmt.Errorf("w4: route the stored alerts: %w", err)
	}
	o.progress("w4: stored alerts routed (skipped as older than sync.since) in %s", time.Since(start).Round(time.Second))
	storm := Storm{Orgs: 10, Users: 40, Types: 5, Seed: 1, IDPrefix: "w4l-", OccurredAt: since.Add(time.Second).Format(time.RFC3339)}
	accepted, err := sendSteady(ctx, NewSender(e.BaseURL, e.Token, 8), storm, n)
	if err != nil {
		return 0, err
	}
	if err := e.WaitIdle(ctx, 2*time.Minute); err != nil {
		return 0, err
	}
	p99 := w1Figures(ctx, e, storm, accepted, res, "W1 at size: ")
	_, listP99, err := apiTimes(ctx, e, 200, func(*rand.Rand) string { return "/api/v1/deliveries?limit=50" })
	if err != nil {
		return 0, err
	}
	res.atMost("deliveries list p99", ms(listP99), "ms", 20)
	_, listP99, err = apiTimes(ctx, e, 200, func(*rand.Rand) string { return "/api/v1/deliveries?limit=50&state=failed" })
	if err != nil {
		return 0, err
	}
	res.atMost("failed deliveries list p99", ms(listP99), "ms", 20)
	return p99, nil
}

// timelineTimes reads k random alerts' timelines through GET
// /api/v1/alerts/{id} and returns the p50 and p99 answer times.
func timelineTimes(ctx context.Context, e *env, storm Storm, n, k int) (time.Duration, time.Duration, error) {
	return apiTimes(ctx, e, k, func(rng *rand.Rand) string {
		return "/api/v1/alerts/" + storm.Alert(rng.IntN(n)).ID + "?source=" + e.SourceID
	})
}

// apiTimes makes k admin GETs of the paths path gives and returns the p50
// and p99 answer times.
func apiTimes(ctx context.Context, e *env, k int, path func(*rand.Rand) string) (time.Duration, time.Duration, error) {
	rng := rand.New(rand.NewPCG(9, 9))
	client := &http.Client{Timeout: 10 * time.Second}
	var took []time.Duration
	for range k {
		p := path(rng)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.BaseURL+p, nil)
		if err != nil {
			return 0, 0, err
		}
		req.Header.Set("Authorization", "Bearer "+e.AdminToken)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, fmt.Errorf("GET %s: %w", p, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, 0, fmt.Errorf("GET %s: %s", p, resp.Status)
		}
		took = append(took, time.Since(start))
	}
	sortDurations(took)
	return percentile(took, 50), percentile(took, 99), nil
}
