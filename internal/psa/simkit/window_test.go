package simkit

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestWindowRolls(t *testing.T) {
	t.Parallel()
	c := newClock()
	t0 := c.Now()
	w := NewWindow(3, time.Minute, c.Now)
	steps := []struct {
		name    string
		advance time.Duration
		want    Verdict
	}{
		{name: "first at 0s", want: Verdict{OK: true, Count: 1, Reset: t0.Add(time.Minute)}},
		{name: "second at 20s", advance: 20 * time.Second, want: Verdict{OK: true, Count: 2, Reset: t0.Add(time.Minute)}},
		{name: "third at 40s", advance: 20 * time.Second, want: Verdict{OK: true, Count: 3, Reset: t0.Add(time.Minute)}},
		{name: "refused at 59.999s", advance: 19999 * time.Millisecond, want: Verdict{Count: 3, Wait: time.Millisecond, Reset: t0.Add(time.Minute)}},
		{name: "refused again: refusals do not count", want: Verdict{Count: 3, Wait: time.Millisecond, Reset: t0.Add(time.Minute)}},
		{name: "first leaves at exactly 60s", advance: time.Millisecond, want: Verdict{OK: true, Count: 3, Reset: t0.Add(80 * time.Second)}},
		{name: "refused at 79s", advance: 19 * time.Second, want: Verdict{Count: 3, Wait: time.Second, Reset: t0.Add(80 * time.Second)}},
		{name: "alone after a quiet window", advance: 5 * time.Minute, want: Verdict{OK: true, Count: 1, Reset: t0.Add(7*time.Minute + 19*time.Second)}},
	}
	for _, s := range steps {
		c.Advance(s.advance)
		got := w.Take("")
		if got != s.want {
			t.Fatalf("%s: Take = %+v, want %+v", s.name, got, s.want)
		}
		if n := w.Count(""); n != s.want.Count {
			t.Fatalf("%s: Count = %d, want %d", s.name, n, s.want.Count)
		}
	}
}

func TestWindowKeysAreSeparate(t *testing.T) {
	t.Parallel()
	c := newClock()
	w := NewWindow(2, time.Minute, c.Now)
	for _, key := range []string{"token-a", "token-a", "token-b"} {
		if v := w.Take(key); !v.OK {
			t.Fatalf("Take(%q) refused: %+v", key, v)
		}
	}
	if v := w.Take("token-a"); v.OK {
		t.Error("token-a took a third request of 2")
	}
	if v := w.Take("token-b"); !v.OK || v.Count != 2 {
		t.Errorf("token-b's second request: %+v, want counted as 2", v)
	}
	if w.Count("token-c") != 0 {
		t.Error("an unseen key has a count")
	}
}

func TestWindowOff(t *testing.T) {
	t.Parallel()
	w := NewWindow(0, time.Minute, nil)
	for range 100 {
		if v := w.Take(""); v != (Verdict{OK: true}) {
			t.Fatalf("Take with the limit off = %+v, want OK and nothing counted", v)
		}
	}
	if w.Count("") != 0 || w.Limit() != 0 || w.Length() != time.Minute {
		t.Errorf("Count %d, Limit %d, Length %s", w.Count(""), w.Limit(), w.Length())
	}
}

// TestWindowForgetsQuietKeys: a key nobody asks about again is dropped a
// window later, so a limiter keyed by client address does not grow.
func TestWindowForgetsQuietKeys(t *testing.T) {
	t.Parallel()
	c := newClock()
	w := NewWindow(5, time.Minute, c.Now)
	for i := range 100 {
		w.Take(string(rune('a' + i%26)))
	}
	c.Advance(time.Minute)
	w.Take("z")
	if len(w.hits) != 1 {
		t.Errorf("%d keys kept after a quiet window, want 1", len(w.hits))
	}
}

func TestWindowConcurrentTakesNeverExceedLimit(t *testing.T) {
	t.Parallel()
	const limit, workers, each = 50, 16, 20
	w := NewWindow(limit, time.Hour, newClock().Now)
	var granted atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				if w.Take("k").OK {
					granted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if granted.Load() != limit || w.Count("k") != limit {
		t.Fatalf("granted %d, counted %d, want %d", granted.Load(), w.Count("k"), limit)
	}
}
