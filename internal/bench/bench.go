// Package bench runs ticketbridge's benchmark workloads in one process
// over loopback: the app on a SQLite file (durable commits) against a
// PSA's simulator (any driver's), the way `ticketbridge demo` runs it. Each workload
// turns one promise into numbers: W1 latency from 202 to the PSA write,
// W2 ingest throughput, W3 a storm under a request budget (calls, 429s,
// duplicates, lost alerts), W4 a million stored alerts. It also holds the
// pieces the crash and fault tests share: the alert generator, a sender
// that retries until 202, a simulator state reader and the audit of what
// the PSA holds.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
)

// Workloads lists the workload names in run order.
var Workloads = []string{"w1", "w2", "limit", "w3", "w4", "webhook"}

// Options choose and size the workloads.
type Options struct {
	// Workloads to run (default all), by name: w1, w2, limit, w3, w4,
	// webhook.
	Workloads []string
	// Quick shrinks every workload to a CI-sized run.
	Quick bool
	// Alerts, when positive, overrides each workload's alert count.
	Alerts int
	// Progress receives a line per step; nil for none.
	Progress io.Writer
	// Driver is the PSA whose simulator the workloads run against;
	// default drivers.Default().
	Driver driver.Driver
	// Format, when set and not canonical, adds to W2 the same batched
	// run sent in that source format's own bodies, and its throughput as
	// a share of canonical ingest.
	Format string
}

func (o Options) driver() driver.Driver {
	if o.Driver.Simulate != nil {
		return o.Driver
	}
	return drivers.Default()
}

// Metric is one figure of a workload, with its goal when it has one.
type Metric struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
	Goal  string  `json:"goal,omitempty"`
	Met   *bool   `json:"met,omitempty"`
}

// Result is one workload's outcome.
type Result struct {
	Workload string   `json:"workload"`
	Title    string   `json:"title"`
	Params   string   `json:"params"`
	Seconds  float64  `json:"seconds"`
	Metrics  []Metric `json:"metrics"`
}

func (r *Result) add(name string, v float64, unit string) {
	r.Metrics = append(r.Metrics, Metric{Name: name, Value: v, Unit: unit})
}

// atMost adds a metric whose goal is an upper bound.
func (r *Result) atMost(name string, v float64, unit string, goal float64) {
	ok := v <= goal
	r.Metrics = append(r.Metrics, Metric{Name: name, Value: v, Unit: unit, Goal: "≤ " + trimFloat(goal), Met: &ok})
}

// atLeast adds a metric whose goal is a lower bound.
func (r *Result) atLeast(name string, v float64, unit string, goal float64) {
	ok := v >= goal
	r.Metrics = append(r.Metrics, Metric{Name: name, Value: v, Unit: unit, Goal: "≥ " + trimFloat(goal), Met: &ok})
}

// workload runs one workload.
type workload func(ctx context.Context, o Options) (Result, error)

var workloads = map[string]workload{"w1": runW1, "w2": runW2, "limit": runLimit, "w3": runW3, "w4": runW4, "webhook": runWebhook}

// Run runs the chosen workloads in order and returns their results; it
// stops at the first workload that fails.
func Run(ctx context.Context, o Options) ([]Result, error) {
	names := o.Workloads
	if len(names) == 0 {
		names = Workloads
	}
	for _, n := range names {
		if workloads[n] == nil {
			return nil, fmt.Errorf("unknown workload %q: choose from %s", n, strings.Join(Workloads, ", "))
		}
	}
	var out []Result
	for _, n := range Workloads {
		if !slices.Contains(names, n) {
			continue
		}
		o.progress("%s: starting", n)
		start := time.Now()
		r, err := workloads[n](ctx, o)
		if err != nil {
			return out, fmt.Errorf("workload %s: %w", n, err)
		}
		r.Workload, r.Seconds = n, time.Since(start).Seconds()
		out = append(out, r)
		o.progress("%s: done in %.1fs", n, r.Seconds)
	}
	return out, nil
}

func (o Options) progress(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

// size picks a workload's alert count: the override, else quick or full.
func (o Options) size(quick, full int) int {
	switch {
	case o.Alerts > 0:
		return o.Alerts
	case o.Quick:
		return quick
	}
	return full
}

// WriteTable prints the results as an aligned table.
func WriteTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "workload\tmetric\tvalue\tunit\tgoal\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t\t\t\t\n", strings.ToUpper(r.Workload), r.Title+" ("+r.Params+fmt.Sprintf(", %.0fs", r.Seconds)+")")
		for _, m := range r.Metrics {
			goal := m.Goal
			if m.Met != nil {
				goal += map[bool]string{true: " ok", false: " MISSED"}[*m.Met]
			}
			fmt.Fprintf(tw, "\t%s\t%s\t%s\t%s\t\n", m.Name, trimFloat(m.Value), m.Unit, goal)
		}
	}
	return tw.Flush()
}

// WriteJSON prints the results as indented JSON.
func WriteJSON(w io.Writer, results []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

func trimFloat(v float64) string {
	switch {
	case v == float64(int64(v)):
		return fmt.Sprintf("%d", int64(v))
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3f", v)
}
