//go:build linux

package crashtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/bench"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// scenario is one process-level run.
type scenario struct {
	psa             driver.Driver
	alerts, kills   int
	simFlags        []string
	requestsPerHour int
	window          time.Duration
	maxConcurrent   int
	timeout         time.Duration
}

// outcome is what the PSA holds after the run.
type outcome struct {
	audit   bench.Audit
	lost    []string
	skipped int
	failed  int
	drain   time.Duration
	retries int64
}

const sourceID = "crash"

// TestCrashKill9 sends alerts across many groups while ticketbridge is
// killed with SIGKILL at random moments and restarted each time, then
// checks that nothing was lost or written twice.
func TestCrashKill9(t *testing.T) {
	gate(t)
	sc := scenario{
		psa:    psaUnderTest(t),
		alerts: envInt(t, "TICKETBRIDGE_CRASHTEST_ALERTS", 10000), kills: envInt(t, "TICKETBRIDGE_CRASHTEST_KILLS", 20),
		// The budget is not under test here: every restart starts a fresh
		// in-process budget, so the simulator's is set out of reach.
		simFlags:        []string{"--hourly-limit", "100000000"},
		requestsPerHour: 100000000, window: time.Hour, maxConcurrent: 3,
		timeout: 30 * time.Minute,
	}
	out := run(t, sc)
	check(t, out)
}

// TestFaults sends alerts to a simulator injecting every fault at once,
// with a request budget that binds, and checks that nothing was lost or
// written twice and that the simulator never refused a request for being
// over its budget.
//
// The audit reads the simulator's state directly, so the budget it
// checks is ticketbridge's alone, on every PSA.
func TestFaults(t *testing.T) {
	gate(t)
	const window, limit = 10 * time.Second, 1000
	seed := time.Now().UnixNano() % 100000
	sc := scenario{
		psa:    psaUnderTest(t),
		alerts: envInt(t, "TICKETBRIDGE_CRASHTEST_ALERTS", 10000),
		simFlags: []string{
			"--hourly-limit", fmt.Sprint(limit), "--window", window.String(),
			"--fault-500", "0.10", "--fault-429", "0.02", "--fault-429-retry-after", "0.03",
			// A hang holds the call for a second, then drops the connection:
			// serve's PSA time-out (30s) is not configurable, and a held
			// call costs the same whichever side gives up.
			"--fault-hang", "0.02", "--hang-for", "1s", "--fault-slow", "0.10", "--slow", "20ms", "--slow-jitter", "30ms",
			"--fault-reset", "0.01", "--fault-truncate", "0.01", "--fault-malformed", "0.02",
			"--fault-seed", fmt.Sprint(seed),
		},
		// 80% of the simulator's budget: an MSP leaves room for its other
		// integrations. Two calls in flight leave a third thread free.
		requestsPerHour: limit * 8 / 10, window: window, maxConcurrent: 2,
		timeout: 30 * time.Minute,
	}
	t.Logf("fault seed %d", seed)
	var sim *simProc
	out := runWith(t, sc, func(s *simProc) { sim = s })
	check(t, out)
	stats := sim.faultStats(t)
	t.Logf("faults injected: %v", stats)
	upstream, _ := stats["upstream"].(map[string]any)
	if n, _ := upstream["429"].(float64); n != 0 {
		t.Errorf("the simulator refused %v requests as over its budget or thread limit, want 0", n)
	}
}

func check(t *testing.T, out outcome) {
	t.Helper()
	a := out.audit
	t.Logf("PSA: %d tickets, %d notes; accepted alerts found %d, skipped %d, lost %d, written twice %d, groups with two open tickets %d, failed deliveries %d; sender retries %d; drain %s",
		a.Tickets, a.Notes, a.Found, out.skipped, len(out.lost), len(a.Duplicated), len(a.DuplicateGroups), out.failed, out.retries, out.drain.Round(time.Second))
	if len(out.lost) > 0 {
		t.Errorf("%d accepted alerts are in no ticket or note and not skipped, e.g. %v", len(out.lost), head(out.lost))
	}
	if len(a.Duplicated) > 0 {
		t.Errorf("%d alerts are written more than once, e.g. %v", len(a.Duplicated), head(a.Duplicated))
	}
	if len(a.DuplicateGroups) > 0 {
		t.Errorf("%d groups have two open tickets, e.g. %v", len(a.DuplicateGroups), head(a.DuplicateGroups))
	}
	if a.Unknown > 0 {
		t.Errorf("%d markers of alerts that were never sent", a.Unknown)
	}
}

func head(s []string) []string { return s[:min(5, len(s))] }

func run(t *testing.T, sc scenario) outcome { return runWith(t, sc, nil) }

// runWith runs the scenario: simulator, settings, serve, alerts sent while
// killing, drain, audit.
func runWith(t *testing.T, sc scenario, onSim func(*simProc)) outcome {
	ctx, cancel := context.WithTimeout(context.Background(), sc.timeout)
	defer cancel()
	bin := buildBinary(t)
	t.Logf("PSA: %s simulator", sc.psa.Name())
	sim := startSim(t, bin, sc.psa, sc.simFlags...)
	if onSim != nil {
		onSim(sim)
	}
	a := newApp(t, bin, sim)
	a.apply(sim.settings("crashtest", sc.requestsPerHour, sc.window, sc.maxConcurrent))
	a.start(ctx)
	sender := bench.NewSender("http://"+a.addr, a.createSource(ctx, sourceID), 4)
	storm := bench.Storm{Orgs: 50, Users: 200, Types: 5, Seed: uint64(time.Now().UnixNano()), IDPrefix: "c-"}
	const batch = 20
	bodies := (sc.alerts + batch - 1) / batch
	// Sending is paced to last about as long as the kills (one a second
	// on average), so that kills land while alerts arrive, not only while
	// the backlog drains.
	pace := time.Duration(sc.kills) * time.Second / time.Duration(bodies)
	start := time.Now()
	var wg sync.WaitGroup
	var sendErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, sendErr = sender.SendAll(ctx, bodies, func(i int) []byte {
			time.Sleep(time.Until(start.Add(time.Duration(i) * pace)))
			return storm.Body(i*batch, min(batch, sc.alerts-i*batch))
		}, 4)
	}()
	killRandomly(ctx, t, a, sc.kills)
	wg.Wait()
	if sendErr != nil {
		t.Fatalf("send: %v", sendErr)
	}
	t.Logf("%d alerts accepted and %d kills done after %s", sc.alerts, sc.kills, time.Since(start).Round(time.Second))
	accepted := make(map[string]string, sc.alerts)
	for i := range sc.alerts {
		g := storm.Alert(i)
		accepted[sourceID+"/"+g.ID] = g.Group
	}
	out := drain(ctx, t, a, sim, accepted)
	out.drain, out.retries = time.Since(start), sender.Retries.Load()
	return out
}

// killRandomly kills serve with SIGKILL kills times, each at a random
// moment 50ms to 1.5s after it came up, and restarts it.
func killRandomly(ctx context.Context, t *testing.T, a *app, kills int) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("kill seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	for k := 0; k < kills && ctx.Err() == nil; k++ {
		time.Sleep(50*time.Millisecond + time.Duration(rng.Int64N(int64(1450*time.Millisecond))))
		a.kill()
		a.start(ctx)
	}
}

// stallAfter ends the drain when nothing moved for this long: longer than
// the engine's wait after a 429 without Retry-After (60s) and a few
// backoffs, far shorter than the test's time-out.
const stallAfter = 3 * time.Minute

// drain waits until every accepted alert is in the PSA and nothing is
// pending, then audits once more so that a late write shows up. It gives
// up when neither count moved for stallAfter.
func drain(ctx context.Context, t *testing.T, a *app, sim *simProc, accepted map[string]string) outcome {
	t.Helper()
	var audit bench.Audit
	last, lastPending, moved := -1, -1, time.Now()
	for settled := 0; settled < 2 && ctx.Err() == nil && time.Since(moved) < stallAfter; {
		time.Sleep(2 * time.Second)
		st, err := sim.state(ctx)
		if err != nil {
			t.Fatal(err)
		}
		audit = bench.AuditPSA(accepted, st)
		pending, err := a.deliveries(ctx, "pending")
		if err != nil {
			continue // serve may be busy; the next round asks again
		}
		if audit.Found != last || pending != lastPending {
			last, lastPending, moved = audit.Found, pending, time.Now()
			t.Logf("drain: %d/%d alerts in the PSA, %d deliveries pending", audit.Found, len(accepted), pending)
		}
		if pending == 0 && (audit.Found == len(accepted) || settled > 0) {
			settled++
		} else {
			settled = 0
		}
	}
	out := outcome{audit: audit}
	out.failed, _ = a.deliveries(ctx, "failed")
	for _, key := range audit.Lost {
		id := strings.TrimPrefix(key, sourceID+"/")
		if reason, ok := a.skipped(ctx, sourceID, id); ok {
			out.skipped++
			t.Logf("alert %s skipped: %s", id, reason)
			continue
		}
		out.lost = append(out.lost, key)
	}
	return out
}
