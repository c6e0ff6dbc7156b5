package cli

import (
	"context"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/bench"
)

func runBench(ctx context.Context, args []string, io IO) error {
	fs := newFlags("bench", "[--psa "+io.psaNames("|")+"] [--workload w1,w2,limit,w3,w4,webhook] [--quick] [--alerts N] [--format NAME] [--json]", io)
	psaName := fs.String("psa", io.drivers()[0].Name(), "the PSA whose simulator the workloads run against: "+io.psaNames(", "))
	which := fs.String("workload", strings.Join(bench.Workloads, ","), "workloads to run, comma-separated: w1 latency, w2 ingest, limit ingest against the durable limit, w3 storm, w4 scale, webhook forged PSA webhooks")
	quick := fs.Bool("quick", false, "a small, CI-sized run of every workload")
	alerts := fs.Int("alerts", 0, "alert count of each workload (default: the workload's own)")
	asJSON := fs.Bool("json", false, "print the results as JSON instead of a table")
	format := fs.String("format", "", "with w2: also send the batched run as this source format's own bodies, interleaved with canonical bodies of the same alerts, and report it as a share of canonical ingest (formats: "+strings.Join(bench.FormatBodies, ", ")+")")
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := io.driver(*psaName)
	if err != nil {
		return err
	}
	var names []string
	for _, n := range strings.Split(*which, ",") {
		if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
			names = append(names, n)
		}
	}
	results, err := bench.Run(ctx, bench.Options{Workloads: names, Quick: *quick, Alerts: *alerts, Progress: io.Err, Driver: d, Format: *format})
	if len(results) > 0 {
		var werr error
		if *asJSON {
			werr = bench.WriteJSON(io.Out, results)
		} else {
			werr = bench.WriteTable(io.Out, results)
		}
		if err == nil {
			err = werr
		}
	}
	return err
}
