package engine

import (
	"context"
	"testing"
	"time"
)

// TestReconcileSchedule: the first scheduled reconcile comes one period
// after the worker starts, then one each period; "off" stops them.
func TestReconcileSchedule(t *testing.T) {
	t.Parallel()
	calls := 0
	var f *fakePSA
	s := testSettings()
	s.Sync.ReconcileEvery = "10m"
	h := newHarness(t, s, fake(&f), func(c *Config) {
		c.Reconcile = func(context.Context, int64) error { calls++; return nil }
	})
	steps := []struct {
		wall time.Duration
		want int
	}{{0, 0}, {9 * time.Minute, 0}, {time.Minute, 1}, {time.Minute, 1}, {10 * time.Minute, 2}}
	for i, st := range steps {
		h.advanceWall(st.wall)
		h.must(h.w.reconcile(h.ctx))
		if calls != st.want {
			t.Fatalf("step %d: %d reconciles, want %d", i, calls, st.want)
		}
	}
	s.Sync.ReconcileEvery = "off"
	h.apply(s)
	h.advanceWall(time.Hour)
	h.must(h.w.reconcile(h.ctx))
	if calls != 2 {
		t.Errorf("reconcile_every off: %d reconciles, want still 2", calls)
	}
	if f.total() != 0 {
		t.Errorf("the schedule itself called the PSA %d times", f.total())
	}
}
