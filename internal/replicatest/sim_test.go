package replicatest

import (
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/bench"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
)

// simServer is one integration's simulator (the default driver's),
// served over loopback from the test process behind a call log of
// ticketbridge's requests.
type simServer struct {
	Name  string // the integration it stands for
	Sim   driver.Simulator
	Calls *bench.CallLog
	Base  string // scheme and host
}

// startSim serves a simulator that refuses requests past limit per
// window, until the test ends.
func startSim(tb testing.TB, name string, limit int, window time.Duration) *simServer {
	tb.Helper()
	sim := drivers.Default().Simulate(driver.SimOptions{RequestLimit: limit, Window: window})
	calls := bench.NewCallLog(sim, sim)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen for simulator: %v", err)
	}
	srv := &http.Server{Handler: calls, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { _ = srv.Close(); sim.Close() })
	return &simServer{Name: name, Sim: sim, Calls: calls, Base: "http://" + ln.Addr().String()}
}

// settings returns the integration's settings YAML, the bench settings
// (catch-all company, user_alert grouping) pointed at this simulator with
// the given budget, and the environment they read.
func (s *simServer) settings(budget int, window time.Duration) (string, map[string]string) {
	return s.Sim.Settings(driver.BenchSettings, driver.SettingsParams{
		Name: s.Name, Base: s.Base, RequestsPerHour: budget, BudgetWindow: window, MaxConcurrent: 3,
	})
}

// budgetUse is what ticketbridge's requests did to one budget.
type budgetUse struct {
	Requests int
	// Over counts requests that arrived while limit or more earlier
	// requests were inside the window: what a PSA counting only
	// ticketbridge's requests against the same limit would refuse.
	Over int
	// Peak is the most requests found inside any one window.
	Peak int
	// Tightest is the shortest time in which limit+1 requests arrived
	// (zero when there never were that many): just under the window
	// means the budget was kept to within the jitter between reserving a
	// slot and the request's arrival; far under means it was not kept.
	Tightest time.Duration
	// Refused429 counts 429s the simulator answered for its threshold.
	Refused429 int
}

// useSince measures the calls that started at or after since.
func useSince(calls []bench.Call, since time.Time, limit int, window time.Duration) budgetUse {
	var starts []time.Time
	u := budgetUse{}
	for _, c := range calls {
		if c.Start.Before(since) {
			continue
		}
		starts = append(starts, c.Start)
		if c.OverBudget {
			u.Refused429++
		}
	}
	u.Requests = len(starts)
	u.Over, u.Peak = overBudget(starts, limit, window)
	u.Tightest = tightest(starts, limit)
	return u
}

// overBudget counts the arrivals that found limit or more earlier arrivals
// within the window before them (a request at t is inside the window of
// a later one at t2 while t > t2-window, as the simulator counts), and
// the largest number of arrivals inside one window.
func overBudget(starts []time.Time, limit int, window time.Duration) (over, peak int) {
	s := slices.Clone(starts)
	slices.SortFunc(s, func(a, b time.Time) int { return a.Compare(b) })
	lo := 0
	for i, t := range s {
		for !s[lo].After(t.Add(-window)) {
			lo++
		}
		if i-lo >= limit {
			over++
		}
		peak = max(peak, i-lo+1)
	}
	return over, peak
}

// tightest returns the shortest span holding limit+1 of the arrivals.
func tightest(starts []time.Time, limit int) time.Duration {
	s := slices.Clone(starts)
	slices.SortFunc(s, func(a, b time.Time) int { return a.Compare(b) })
	var best time.Duration
	for i := limit; i < len(s); i++ {
		if d := s[i].Sub(s[i-limit]); i == limit || d < best {
			best = d
		}
	}
	return best
}
