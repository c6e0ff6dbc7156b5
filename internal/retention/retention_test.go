package retention

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeStore prunes from a count of due alerts and records its calls.
type fakeStore struct {
	mu     sync.Mutex
	due    int
	failAt int // the call (1-based) that fails; 0 for none
	calls  []call
	called chan struct{} // gets a value per call when not nil (buffered: a call never waits)
}

type call struct {
	tenant string
	cutoff time.Time
	limit  int
}

var errDisk = errors.New("disk I/O error")

func (f *fakeStore) PruneAlerts(_ context.Context, tenant string, cutoff time.Time, limit int) (int, error) {
	f.mu.Lock()
	f.calls = append(f.calls, call{tenant, cutoff, limit})
	n, failed := min(f.due, limit), len(f.calls) == f.failAt
	if !failed {
		f.due -= n
	}
	f.mu.Unlock()
	if f.called != nil {
		f.called <- struct{}{}
	}
	if failed {
		return 0, errDisk
	}
	return n, nil
}

type counter struct{ n float64 }

func (c *counter) Add(v float64) { c.n += v }

var now = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)

func newPruner(st Store, c *counter, log *bytes.Buffer, pauses *[]time.Duration) *Pruner {
	p := New(Config{
		Store: st, Tenant: "default", MaxAge: 90 * 24 * time.Hour, Batch: 500, Pause: 20 * time.Millisecond,
		Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(log, nil)), Pruned: c,
	})
	p.wait = func(_ context.Context, d time.Duration) error {
		*pauses = append(*pauses, d)
		return nil
	}
	return p
}

// TestPrune: a pass prunes batch after batch, pausing between them, until
// one comes back short; it counts and logs what it pruned.
func TestPrune(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		due     int
		batches []int // the limit of each call is 500; this is what each pruned
	}{
		{"nothing due", 0, []int{0}},
		{"less than a batch", 120, []int{120}},
		{"batches and a short one", 1234, []int{500, 500, 234}},
		{"whole batches, then an empty one", 1000, []int{500, 500, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st, c, log := &fakeStore{due: tc.due}, &counter{}, &bytes.Buffer{}
			var pauses []time.Duration
			pass, err := newPruner(st, c, log, &pauses).Prune(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			cutoff := now.Add(-90 * 24 * time.Hour)
			want := Pass{Cutoff: cutoff, Alerts: tc.due, Batches: len(tc.batches)}
			pass.Took = 0
			if d := cmp.Diff(want, pass); d != "" {
				t.Errorf("pass (-want +got):\n%s", d)
			}
			for i, cl := range st.calls {
				if cl != (call{"default", cutoff, 500}) {
					t.Errorf("call %d = %+v, want the tenant, the cutoff and a batch of 500", i, cl)
				}
			}
			if len(pauses) != len(tc.batches)-1 {
				t.Errorf("%d pauses for %d batches, want one between each two", len(pauses), len(tc.batches))
			}
			for _, d := range pauses {
				if d < 20*time.Millisecond {
					t.Errorf("paused %v between batches, want at least the configured 20ms", d)
				}
			}
			if c.n != float64(tc.due) {
				t.Errorf("counter = %v, want %d", c.n, tc.due)
			}
			if !strings.Contains(log.String(), "alerts_pruned="+strconv.Itoa(tc.due)) {
				t.Errorf("log does not give the count:\n%s", log)
			}
		})
	}
}

// TestPruneStopsAtAnError: a failing batch ends the pass with its error;
// what the batches before it pruned is counted.
func TestPruneStopsAtAnError(t *testing.T) {
	t.Parallel()
	st, c, log := &fakeStore{due: 2000, failAt: 2}, &counter{}, &bytes.Buffer{}
	var pauses []time.Duration
	pass, err := newPruner(st, c, log, &pauses).Prune(t.Context())
	if !errors.Is(err, errDisk) {
		t.Fatalf("err = %v, want %v", err, errDisk)
	}
	if pass.Alerts != 500 || c.n != 500 || len(st.calls) != 2 {
		t.Errorf("pass %+v, counter %v after %d calls; want 500 pruned in 2 calls", pass, c.n, len(st.calls))
	}
}

// TestRun: the loop makes its first pass after the delay, logs a failed
// pass and goes on, and stops when its context ends.
func TestRun(t *testing.T) {
	t.Parallel()
	st := &fakeStore{due: 10, failAt: 1, called: make(chan struct{}, 1000)}
	log := &bytes.Buffer{}
	var logMu sync.Mutex
	p := New(Config{
		Store: st, Tenant: "default", MaxAge: time.Hour, Delay: time.Millisecond, Interval: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(lockedWriter{&logMu, log}, nil)),
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	<-st.called // the first pass fails
	<-st.called // the next one prunes
	cancel()
	<-done
	logMu.Lock()
	defer logMu.Unlock()
	if !strings.Contains(log.String(), "retention pass failed") || !strings.Contains(log.String(), errDisk.Error()) {
		t.Errorf("log does not report the failed pass:\n%s", log)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestRunDisabled: with no age, Run returns at once and prunes nothing.
func TestRunDisabled(t *testing.T) {
	t.Parallel()
	st := &fakeStore{due: 10}
	New(Config{Store: st, Delay: time.Nanosecond}).Run(t.Context())
	if len(st.calls) != 0 {
		t.Errorf("disabled retention pruned: %+v", st.calls)
	}
}

// rawStore is fakeStore that also keeps raw bodies.
type rawStore struct {
	fakeStore
	rawDue   int
	rawCalls int
}

func (r *rawStore) PruneRawBodies(_ context.Context, _ string, _ time.Time, limit int) (int, error) {
	r.rawCalls++
	n := min(r.rawDue, limit)
	r.rawDue -= n
	return n, nil
}

// TestPrunesRawBodies: a store that keeps raw bodies has them pruned in
// batches after the alerts, with the same cutoff.
func TestPrunesRawBodies(t *testing.T) {
	t.Parallel()
	st := &rawStore{fakeStore: fakeStore{due: 3}, rawDue: 1200}
	var log bytes.Buffer
	var pauses []time.Duration
	p := newPruner(st, &counter{}, &log, &pauses)
	pass, err := p.Prune(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if pass.RawBodies != 1200 || st.rawDue != 0 || st.rawCalls != 1200/p.cfg.Batch+1 {
		t.Errorf("pass %+v after %d calls; want 1200 raw bodies pruned in batches of %d", pass, st.rawCalls, p.cfg.Batch)
	}
	if !strings.Contains(log.String(), "raw_bodies_pruned=1200") {
		t.Errorf("log lacks the raw body count: %s", log.String())
	}
}
