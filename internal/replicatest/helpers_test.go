package replicatest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The failover test's verdicts rest on these helpers, so they are checked
// on their own (no PostgreSQL needed).

func TestOverBudget(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(secs ...float64) []time.Time {
		var out []time.Time
		for _, s := range secs {
			out = append(out, t0.Add(time.Duration(s*float64(time.Second))))
		}
		return out
	}
	tests := []struct {
		name       string
		starts     []time.Time
		limit      int
		over, peak int
	}{
		{name: "none", limit: 2},
		{name: "at the limit", starts: at(0, 1, 10, 11), limit: 2, peak: 2},
		{name: "one over", starts: at(0, 1, 2), limit: 2, over: 1, peak: 3},
		{name: "exactly one window later has left", starts: at(0, 1, 10), limit: 2, peak: 2},
		{name: "just inside the window", starts: at(0, 1, 9.999), limit: 2, over: 1, peak: 3},
		{name: "unsorted input", starts: at(2, 0, 1), limit: 2, over: 1, peak: 3},
		{name: "burst", starts: at(5, 5, 5, 5), limit: 2, over: 2, peak: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			over, peak := overBudget(tt.starts, tt.limit, 10*time.Second)
			if over != tt.over || peak != tt.peak {
				t.Errorf("overBudget = over %d, peak %d; want %d, %d", over, peak, tt.over, tt.peak)
			}
		})
	}
}

func TestHoldersAndTakeover(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sec := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	events := []event{
		{At: sec(0), Replica: "r1", Msg: msgWorking, Integration: "a"},
		{At: sec(0), Replica: "r1", Msg: msgWorking, Integration: "b"},
		{At: sec(1), Replica: "r2", Msg: msgWorking, Integration: "c"},
		{At: sec(2), Replica: "r1", Msg: msgLeaseLost, Integration: "b"},
		{At: sec(3), Replica: "r3", Msg: msgWorking, Integration: "b"},
		{At: sec(9), Replica: "r1", Msg: msgWorking, Integration: "d"},
		{At: sec(12), Replica: "r1", Msg: msgWorking, Integration: "a"},
		{At: sec(14), Replica: "r2", Msg: msgWorking, Integration: "a"},
	}
	tests := []struct {
		name string
		at   time.Time
		want map[string]string
	}{
		{name: "before anything", at: sec(-1), want: map[string]string{}},
		{name: "start", at: sec(1), want: map[string]string{"a": "r1", "b": "r1", "c": "r2"}},
		{name: "lost and taken", at: sec(5), want: map[string]string{"a": "r1", "b": "r3", "c": "r2"}},
		{name: "later", at: sec(10), want: map[string]string{"a": "r1", "b": "r3", "c": "r2", "d": "r1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, holders(events, tt.at)); diff != "" {
				t.Errorf("holders (-want +got):\n%s", diff)
			}
		})
	}
	// r1 dies at 10s: a is worked by r1 again at 12s (not a takeover: the
	// dead replica cannot log, but the rule must not count itself), then
	// by r2 at 14s; d is never taken over.
	if at, by, ok := takeover(events, "a", "r1", sec(10)); !ok || by != "r2" || !at.Equal(sec(14)) {
		t.Errorf("takeover of a = %v by %q (%v), want 14s by r2", at, by, ok)
	}
	if _, _, ok := takeover(events, "d", "r1", sec(10)); ok {
		t.Error("takeover of d found, want none")
	}
}
