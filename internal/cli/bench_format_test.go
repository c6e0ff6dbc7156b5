package cli

import (
	"encoding/json"
	"testing"
)

// TestBenchFormat runs the README's `bench --workload w2 --format NAME`
// at its smallest for a format other than Alertmanager: the pair of runs
// ends in a ratio, and an unknown format is refused.
func TestBenchFormat(t *testing.T) {
	t.Parallel()
	code, out, stderr := run(t, nil, "", "bench", "--workload", "w2", "--alerts", "200", "--format", "trendai-workbench", "--json")
	var results []struct {
		Metrics []struct {
			Name  string
			Value float64
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &results) != nil || len(results) != 1 {
		t.Fatalf("bench --format trendai-workbench: exit %d\n%s\n%s", code, out, stderr)
	}
	var ratio float64
	for _, m := range results[0].Metrics {
		if m.Name == "trendai-workbench / canonical" {
			ratio = m.Value
		}
	}
	if ratio <= 0 {
		t.Errorf("no ratio among %+v", results[0].Metrics)
	}
	if code, _, _ := run(t, nil, "", "bench", "--workload", "w2", "--alerts", "100", "--format", "no-such-product"); code == 0 {
		t.Error("an unknown format: exit 0")
	}
}
