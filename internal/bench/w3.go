package bench

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// w3Window is the scaled "hour" of W3: the simulator's rolling window and
// the integration's budget_window, so budget exhaustion and refill happen
// in seconds.
const w3Window = 5 * time.Second

// stormShape is W3's mix: 50 organizations, 200 users, 20 alert types.
func stormShape(seed uint64, prefix string) Storm {
	return Storm{Orgs: 50, Users: 200, Types: 20, Seed: seed, IDPrefix: prefix}
}

// runW3 sends a storm with user_alert grouping under a request budget of
// a quarter of an alert per window, then counts what the PSA received.
// Every organization lands on the catch-all company; groups stay per
// organization because each user belongs to one organization.
func runW3(ctx context.Context, o Options) (Result, error) {
	n := o.size(2_000, 10_000)
	limit := max(100, n/4)
	res := Result{Title: "storm under a request budget", Params: fmt.Sprintf(
		"%d alerts, 50 orgs, 200 users, 20 types, user_alert; budget %d requests per %s (simulator and integration)", n, limit, w3Window)}
	e, err := startEnv(ctx, o, driver.SimOptions{RequestLimit: limit, Window: w3Window}, &driver.SettingsParams{Name: "bench", RequestsPerHour: limit, BudgetWindow: w3Window, MaxConcurrent: 3})
	if err != nil {
		return res, err
	}
	defer e.Close()
	storm := stormShape(3, "w3-")
	const batch = 100
	start := time.Now()
	acceptedAt, err := NewSender(e.BaseURL, e.Token, 8).SendAll(ctx, (n+batch-1)/batch, func(i int) []byte {
		return storm.Body(i*batch, min(batch, n-i*batch))
	}, 8)
	if err != nil {
		return res, err
	}
	o.progress("w3: %d alerts accepted in %.1fs, draining", n, time.Since(start).Seconds())
	if err := e.WaitIdle(ctx, 20*time.Minute); err != nil {
		return res, err
	}
	drain := time.Since(start)
	accepted := make(map[string]string, n)
	for i := range n {
		a := storm.Alert(i)
		accepted[e.SourceID+"/"+a.ID] = a.Group
	}
	audit := AuditPSA(accepted, e.Sim.State())
	lost := 0
	for _, k := range audit.Lost {
		if !e.skipped(ctx, k[len(e.SourceID)+1:]) {
			lost++
		}
	}
	var calls []Call // the storm's: apply's own calls came before start
	for _, c := range e.calls.Calls() {
		if !c.Start.Before(start) {
			calls = append(calls, c)
		}
	}
	minimum := minimumCalls(storm, n, batch, start, acceptedAt, w3Window)
	reportStorm(&res, calls, audit, lost, drain, minimum, limit)
	return res, nil
}

// minimumCalls is one create per group plus, per group, one note for each
// window in which follow-up alerts of the group were accepted.
func minimumCalls(storm Storm, n, batch int, start time.Time, acceptedAt []time.Time, window time.Duration) int {
	seen := map[string]bool{}
	noteWindows := map[string]map[int64]bool{}
	for i := range n {
		g := storm.Alert(i).Group
		if !seen[g] {
			seen[g] = true
			continue
		}
		if noteWindows[g] == nil {
			noteWindows[g] = map[int64]bool{}
		}
		noteWindows[g][int64(acceptedAt[i/batch].Sub(start)/window)] = true
	}
	m := len(seen)
	for _, ws := range noteWindows {
		m += len(ws)
	}
	return m
}

// reportStorm adds the storm's figures. The budget floor is the shortest
// drain the budget allows for the calls made: a window's worth of calls
// per window.
func reportStorm(res *Result, calls []Call, audit Audit, lost int, drain time.Duration, minimum, budget int) {
	byKind := map[string]int{}
	throttled, overBudget := 0, 0
	for _, c := range calls {
		byKind[c.Kind]++
		if c.Status == 429 {
			throttled++
		}
		if c.OverBudget {
			overBudget++
		}
	}
	res.add("PSA calls", float64(len(calls)), "")
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		res.add("  calls: "+k, float64(byKind[k]), "")
	}
	res.add("minimum calls", float64(minimum), "")
	res.atMost("calls ÷ minimum", float64(len(calls))/float64(max(1, minimum)), "", 1.05)
	res.add("429s received", float64(throttled), "")
	res.atMost("requests over budget", float64(overBudget), "", 0)
	res.add("tickets", float64(audit.Tickets), "")
	res.add("notes", float64(audit.Notes), "")
	res.atMost("duplicates (groups with 2 open tickets)", float64(len(audit.DuplicateGroups)), "", 0)
	res.atMost("alerts written twice", float64(len(audit.Duplicated)), "", 0)
	res.atMost("lost alerts", float64(lost), "", 0)
	res.add("drain time", drain.Seconds(), "s")
	floor := float64(len(calls)) / float64(budget) * w3Window.Seconds()
	res.add("budget floor (calls ÷ budget × window)", floor, "s")
	res.atMost("drain ÷ budget floor", drain.Seconds()/floor, "", 1.15)
}
