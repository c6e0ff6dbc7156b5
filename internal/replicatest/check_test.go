package replicatest

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/bench"
)

// result is what one integration's PSA and budget show after the run.
type result struct {
	name   string
	audit  bench.Audit
	budget budgetUse
}

// check reports takeover, exactly-once and budget findings; every
// finding is an error, so one run shows all of them.
func (r *run) check(ctx context.Context, sc scenario) {
	takeovers := r.checkTakeover()
	var results []result
	for _, s := range r.sims {
		res := result{name: s.Name, budget: useSince(s.Calls.Calls(), r.serveStart, sc.budget, sc.window)}
		res.audit = bench.AuditPSA(r.accepted, s.Sim.State())
		r.checkIntegration(res, sc)
		r.explainLost(ctx, s.Name, res.audit.Lost)
		if slices.Contains(r.held, s.Name) && res.budget.Over > 0 {
			r.t.Logf("%s: requests per second around the kill (+0 is the kill): %s", s.Name, profile(s.Calls.Calls(), r.killedAt))
		}
		results = append(results, res)
	}
	failed, err := r.c.deliveries(ctx, r.live(), "failed")
	if err != nil {
		r.t.Errorf("count failed deliveries: %v", err)
	}
	if failed > 0 {
		r.t.Errorf("%d deliveries failed", failed)
	}
	r.t.Log(r.summary(sc, results, takeovers, failed))
	if r.t.Failed() {
		r.dumpLogs()
	}
}

// checkTakeover checks that every integration the victim held was worked
// by another replica within takeoverLimit of the kill, and returns how
// long each took.
func (r *run) checkTakeover() map[string]time.Duration {
	out := map[string]time.Duration{}
	events := r.c.log.snapshot()
	for _, it := range r.held {
		at, by, ok := takeover(events, it, r.victim.ID, r.killedAt)
		if !ok {
			r.t.Errorf("%s: held by %s when it was killed, never worked by another replica", it, r.victim.ID)
			continue
		}
		d := at.Sub(r.killedAt)
		out[it] = d
		r.t.Logf("%s: taken over by %s %s after the kill", it, by, d.Round(time.Millisecond))
		if d > takeoverLimit {
			r.t.Errorf("%s: taken over %s after the kill, want within %s", it, d.Round(time.Millisecond), takeoverLimit)
		}
	}
	return out
}

func (r *run) checkIntegration(res result, sc scenario) {
	a, b := res.audit, res.budget
	r.t.Logf("%s: %d tickets, %d notes; found %d of %d alerts; lost %d, written twice %d, groups with two open tickets %d; %d requests, peak %d per %s (budget %d), over budget %d (tightest %d requests in %s), 429 for threshold %d",
		res.name, a.Tickets, a.Notes, a.Found, sc.alerts, len(a.Lost), len(a.Duplicated), len(a.DuplicateGroups),
		b.Requests, b.Peak, sc.window, sc.budget, b.Over, sc.budget+1, b.Tightest.Round(time.Millisecond), b.Refused429)
	if len(a.Lost) > 0 {
		r.t.Errorf("%s: %d accepted alerts are in no ticket or note, e.g. %v", res.name, len(a.Lost), head(a.Lost))
	}
	if len(a.Duplicated) > 0 {
		r.t.Errorf("%s: %d alerts are written more than once, e.g. %v", res.name, len(a.Duplicated), head(a.Duplicated))
	}
	if len(a.DuplicateGroups) > 0 {
		r.t.Errorf("%s: %d groups have two open tickets, e.g. %v", res.name, len(a.DuplicateGroups), head(a.DuplicateGroups))
	}
	if a.Unknown > 0 {
		r.t.Errorf("%s: %d markers of alerts that were never sent", res.name, a.Unknown)
	}
	if b.Over > 0 {
		r.t.Errorf("%s: %d requests arrived with %d or more already in the last %s (peak %d): over the integration's budget", res.name, b.Over, sc.budget, sc.window, b.Peak)
	}
	if b.Refused429 > 0 {
		r.t.Errorf("%s: the simulator refused %d requests for its threshold", res.name, b.Refused429)
	}
}

// summary is the one line that gives the run's numbers.
func (r *run) summary(sc scenario, results []result, takeovers map[string]time.Duration, failed int) string {
	var lost, dup, dupGroups, over, refused, requests int
	for _, res := range results {
		lost += len(res.audit.Lost)
		dup += len(res.audit.Duplicated)
		dupGroups += len(res.audit.DuplicateGroups)
		over += res.budget.Over
		refused += res.budget.Refused429
		requests += res.budget.Requests
	}
	var tk []string
	for _, it := range r.held {
		if d, ok := takeovers[it]; ok {
			tk = append(tk, fmt.Sprintf("%s=%.1fs", it, d.Seconds()))
		} else {
			tk = append(tk, it+"=never")
		}
	}
	return fmt.Sprintf("replicatest: alerts=%d integrations=%d replicas=%d killed=%s at=+%.1fs takeover=[%s] lost=%d duplicates=%d duplicate_groups=%d failed=%d psa_requests=%d over_budget=%d 429_threshold=%d sender_retries=%d drained_after=%.1fs",
		sc.alerts, len(r.sims), len(r.rs), r.victim.ID, r.killedAt.Sub(r.sendStart).Seconds(), strings.Join(tk, " "),
		lost, dup, dupGroups, failed, requests, over, refused, r.send.Retries.Load(), r.drained.Seconds())
}

// explainLost shows, for a few lost alerts, their sequence number and
// what the store says about their route to the integration.
func (r *run) explainLost(ctx context.Context, integration string, lost []string) {
	for _, key := range head(lost) {
		id := strings.TrimPrefix(key, sourceID+"/")
		var v struct {
			Seq        int64
			ReceivedAt time.Time `json:"received_at"`
			Routes     []struct{ Integration, Outcome, Reason string }
		}
		if err := r.c.admin(ctx, r.live(), http.MethodGet, "/api/v1/alerts/"+id+"?source="+sourceID, nil, &v); err != nil {
			r.t.Logf("%s: lost %s: %v", integration, id, err)
			continue
		}
		route := "no route"
		for _, rt := range v.Routes {
			if rt.Integration == integration {
				route = rt.Outcome + " " + rt.Reason
			}
		}
		r.t.Logf("%s: lost %s: seq %d, received %s, %s", integration, id, v.Seq, v.ReceivedAt.Format("15:04:05.000"), route)
	}
}

// profile counts calls per second from 10s before at to 20s after.
func profile(calls []bench.Call, at time.Time) string {
	counts := map[int]int{}
	for _, c := range calls {
		if d := c.Start.Sub(at); d >= -10*time.Second && d < 20*time.Second {
			counts[int(math.Floor(d.Seconds()))]++
		}
	}
	var b strings.Builder
	for sec := -10; sec < 20; sec++ {
		fmt.Fprintf(&b, " %+d:%d", sec, counts[sec])
	}
	return b.String()
}

// dumpLogs shows what the replicas logged as errors, and where the logs
// are.
func (r *run) dumpLogs() {
	errs := r.c.log.errorLines()
	r.t.Logf("%d ERROR lines in the replicas' logs (folder %s); first ones:\n%s", len(errs), r.c.dir, strings.Join(head(errs), "\n"))
	for _, ev := range r.c.log.snapshot() {
		r.t.Logf("event %s %s %s %s", ev.At.Format("15:04:05.000"), ev.Replica, ev.Msg, ev.Integration)
	}
	for _, rep := range r.rs {
		r.t.Logf("last lines of %s:\n%s", rep.ID, r.c.logTail(rep.ID, 5))
	}
}

func head(s []string) []string { return s[:min(10, len(s))] }
