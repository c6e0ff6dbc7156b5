package psahttp

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// fakeClock is a settable clock for budget tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestBudgetExactLimitInsideWindow(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := NewBudget(5, time.Hour, clock.Now)
	for i := range 5 {
		if ok, _ := b.Reserve(); !ok {
			t.Fatalf("reservation %d refused, want granted", i+1)
		}
		clock.Advance(time.Minute)
	}
	ok, wait := b.Reserve()
	if ok {
		t.Fatal("sixth reservation granted inside the window")
	}
	// The first slot was taken 5 minutes ago; it frees after 55 more.
	if wait != 55*time.Minute {
		t.Errorf("wait = %s, want 55m", wait)
	}
	if got := b.Remaining(); got != 0 {
		t.Errorf("Remaining = %d, want 0", got)
	}
	if got := b.Used(); got != 5 {
		t.Errorf("Used = %d, want 5", got)
	}
}

func TestBudgetSlotsFreeAsWindowSlides(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := NewBudget(3, time.Minute, clock.Now)
	steps := []struct {
		name    string
		advance time.Duration
		wantOK  bool
		wantRem int // Remaining after the step
	}{
		{name: "first at 0s", wantOK: true, wantRem: 2},
		{name: "second at 20s", advance: 20 * time.Second, wantOK: true, wantRem: 1},
		{name: "third at 40s", advance: 20 * time.Second, wantOK: true, wantRem: 0},
		{name: "refused at 59.999s", advance: 19999 * time.Millisecond, wantOK: false, wantRem: 0},
		{name: "first frees at exactly 60s", advance: time.Millisecond, wantOK: true, wantRem: 0},
		{name: "refused at 79s", advance: 19 * time.Second, wantOK: false, wantRem: 0},
		{name: "second frees at 80s", advance: time.Second, wantOK: true, wantRem: 0},
		{name: "all free after a quiet window", advance: 2 * time.Minute, wantOK: true, wantRem: 2},
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		ok, _ := b.Reserve()
		if ok != s.wantOK {
			t.Fatalf("%s: ok = %v, want %v", s.name, ok, s.wantOK)
		}
		if got := b.Remaining(); got != s.wantRem {
			t.Fatalf("%s: Remaining = %d, want %d", s.name, got, s.wantRem)
		}
	}
}

func TestBudgetRefusalDoesNotConsume(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := NewBudget(1, time.Minute, clock.Now)
	b.Reserve()
	for range 10 {
		if ok, _ := b.Reserve(); ok {
			t.Fatal("reservation granted over the limit")
		}
	}
	clock.Advance(time.Minute)
	if ok, _ := b.Reserve(); !ok {
		t.Fatal("refusals consumed slots: reservation refused after the window")
	}
}

func TestBudgetLimitBelowOne(t *testing.T) {
	t.Parallel()
	b := NewBudget(0, time.Minute, newFakeClock().Now)
	if b.Limit() != 1 {
		t.Fatalf("Limit = %d, want 1", b.Limit())
	}
}

func TestBudgetConcurrentReserveNeverExceedsLimit(t *testing.T) {
	t.Parallel()
	const limit, workers, perWorker = 50, 16, 20
	clock := newFakeClock()
	b := NewBudget(limit, time.Hour, clock.Now)
	var granted atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range perWorker {
				if ok, _ := b.Reserve(); ok {
					granted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := granted.Load(); got != limit {
		t.Fatalf("granted %d reservations concurrently, want exactly %d", got, limit)
	}
	if b.Used() != limit {
		t.Fatalf("Used = %d, want %d", b.Used(), limit)
	}
}

func TestBudgetSeedCarriesUsageAcross(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	old := NewBudget(5, time.Minute, clock)
	for range 3 {
		if ok, _ := old.Reserve(); !ok {
			t.Fatal("reserve")
		}
	}
	stale := now.Add(-2 * time.Minute) // outside the window: must not count
	fresh := NewBudget(5, time.Minute, clock)
	fresh.Seed(append(old.Times(), stale))
	if got := fresh.Remaining(); got != 2 {
		t.Fatalf("remaining after seeding 3 recent reservations = %d, want 2", got)
	}
	many := make([]time.Time, 9)
	for i := range many {
		many[i] = now.Add(-time.Duration(i) * time.Second)
	}
	full := NewBudget(5, time.Minute, clock)
	full.Seed(many)
	if ok, _ := full.Reserve(); ok {
		t.Fatal("a budget seeded past its limit let a request through")
	}
	if ts := full.Times(); len(ts) != 5 || !ts[4].Equal(now) {
		t.Fatalf("kept %v, want the 5 newest", ts)
	}
}

func TestBudgetSlotCountsFromTheAnswer(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	b := NewBudget(1, time.Minute, clock)
	slot, ok, _ := b.ReserveSlot()
	if !ok {
		t.Fatal("reserve")
	}
	advance(10 * time.Second) // the answer takes 10 s
	slot.Finish()
	advance(55 * time.Second) // 65 s after sending, 55 s after the answer
	if ok, wait := b.Reserve(); ok || wait != 5*time.Second {
		t.Fatalf("reserve 55 s after the answer: ok %v wait %v; want refused for 5 s more", ok, wait)
	}
	advance(5 * time.Second)
	if ok, _ := b.Reserve(); !ok {
		t.Fatal("a window after the answer the slot must be free")
	}
	slot.Finish() // finishing a slot that has left the window changes nothing
	if ok, _ := b.Reserve(); ok {
		t.Fatal("the limit is 1 and one reservation is live")
	}
}

// TestBudgetJournalWritesAhead: no slot is spent before a claim covering
// it is recorded, a claim lasts its size or its time, whichever ends
// first, and a failed write spends nothing.
func TestBudgetJournalWritesAhead(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	start := clock.Now()
	b := NewBudget(10, time.Hour, clock.Now)
	var writes [][]psa.BudgetRun
	fail := false
	b.SetJournal(func(runs []psa.BudgetRun) error {
		if fail {
			return errors.New("lease lost")
		}
		writes = append(writes, runs)
		return nil
	}, 4, 2*time.Second)
	count := func(runs []psa.BudgetRun) int {
		n := 0
		for _, r := range runs {
			n += r.Count
		}
		return n
	}

	reserve := func(n int) {
		t.Helper()
		for range n {
			if ok, _ := b.Reserve(); !ok {
				t.Fatalf("reservation refused after %d writes", len(writes))
			}
		}
	}
	reserve(1)
	if len(writes) != 1 || count(writes[0]) != 4 || writes[0][len(writes[0])-1] != (psa.BudgetRun{Unix: start.Add(2 * time.Second).Unix(), Count: 4}) {
		t.Fatalf("first claim = %v, want 4 slots stamped at the claim's end", writes)
	}
	if got := b.Times(); len(got) != 4 || !got[0].Equal(start) || !got[3].Equal(start.Add(2*time.Second)) {
		t.Errorf("Times = %v, want 1 spent now and 3 claimed at the claim's end", got)
	}
	reserve(3)
	if len(writes) != 1 {
		t.Fatalf("%d writes for 4 reservations, want 1", len(writes))
	}
	reserve(1) // the claim is used up
	if len(writes) != 2 || count(writes[1]) != 8 {
		t.Fatalf("second claim = %v, want 4 spent + 4 claimed", writes[len(writes)-1])
	}
	clock.Advance(3 * time.Second) // the claim has run out of time
	reserve(1)
	if len(writes) != 3 {
		t.Fatalf("a claim past its time was spent (writes %d, want 3)", len(writes))
	}
	if last := writes[2]; count(last) != 5+4 {
		t.Errorf("third claim holds %d times, want 5 spent + 4 claimed", count(last))
	}
	reserve(3)
	clock.Advance(3 * time.Second)
	reserve(1) // 9 spent: only one slot is left to claim
	if last := writes[len(writes)-1]; count(last) != 10 {
		t.Errorf("claim near the limit holds %d times, want 9 spent + 1 claimed", count(last))
	}

	fail = true
	clock.Advance(3 * time.Second)
	used := b.Used()
	if ok, _ := b.Reserve(); ok {
		t.Fatal("reservation granted although its claim was not recorded")
	}
	if b.Used() != used {
		t.Errorf("a refused claim spent a slot: used %d → %d", used, b.Used())
	}
}

func TestClaimSize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ limit, want int }{{1, 1}, {10, 1}, {150, 7}, {2000, 100}, {100_000_000, 100}} {
		if got := ClaimSize(tt.limit); got != tt.want {
			t.Errorf("ClaimSize(%d) = %d, want %d", tt.limit, got, tt.want)
		}
	}
}

// TestBudgetMemoryFollowsUse checks the ring, not the heap: a budget of
// 100 million holds only the times it spent, and gives memory back as
// the window drains.
func TestBudgetMemoryFollowsUse(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := NewBudget(100_000_000, time.Hour, clock.Now)
	if got := len(b.ring); got != 0 {
		t.Fatalf("a new budget holds %d slots, want 0", got)
	}
	for range 1000 {
		if ok, _ := b.Reserve(); !ok {
			t.Fatal("reserve")
		}
	}
	if got := len(b.ring); got < 1000 || got > 2000 {
		t.Errorf("after 1000 requests the ring holds %d slots, want between 1000 and 2000", got)
	}
	clock.Advance(time.Hour)
	if ok, _ := b.Reserve(); !ok {
		t.Fatal("reserve after the window")
	}
	if got := len(b.ring); got != minRing {
		t.Errorf("with one request in the window the ring holds %d slots, want %d", got, minRing)
	}
	if got := b.Remaining(); got != 100_000_000-1 {
		t.Errorf("Remaining = %d, want %d", got, 100_000_000-1)
	}
}

// TestBudgetFinishAcrossResize: a slot finds its own entry after the ring
// grew and shrank under it, and a slot from before a Seed finds none.
func TestBudgetFinishAcrossResize(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	t0 := clock.Now()
	b := NewBudget(100, time.Minute, clock.Now)
	slots := make([]Slot, 64)
	for i := range slots {
		slot, ok, _ := b.ReserveSlot()
		if !ok {
			t.Fatal("reserve")
		}
		slots[i] = slot
	}
	clock.Advance(30 * time.Second)
	late, ok, _ := b.ReserveSlot()
	if !ok {
		t.Fatal("reserve")
	}
	slots[63].Finish() // answered 30 s after it was sent
	clock.Advance(30 * time.Second)
	if got := b.Used(); got != 2 { // 63 left the window; the ring shrank
		t.Fatalf("Used = %d, want 2", got)
	}
	clock.Advance(10 * time.Second)
	late.Finish()
	slots[0].Finish() // left the window: changes nothing
	want := []time.Time{t0.Add(30 * time.Second), t0.Add(70 * time.Second)}
	if got := b.Times(); !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Fatalf("Times = %v, want %v", got, want)
	}
	b.Seed(nil)
	clock.Advance(5 * time.Second)
	late.Finish() // renumbered by Seed: changes nothing
	if got := b.Times(); !slices.EqualFunc(got, want, time.Time.Equal) {
		t.Fatalf("after Seed, Times = %v, want %v", got, want)
	}
}

// BenchmarkBudgetHugeLimit spends 1,000 slots of a budget of 100 million
// (the crash test's limit): B/op is what such a budget costs to build and
// use, which must follow the 1,000 spent, not the 100 million allowed.
func BenchmarkBudgetHugeLimit(b *testing.B) {
	clock := newFakeClock()
	b.ReportAllocs()
	for b.Loop() {
		bu := NewBudget(100_000_000, time.Hour, clock.Now)
		for range 1000 {
			bu.Reserve()
		}
	}
}

// TestBudgetJournalFollowsSeconds: a claim hands the journal one run per
// second in the window, however many requests each second held, so what
// is written at every claim does not grow with the request rate (one time
// per request once made a busy soak's claims megabytes long).
func TestBudgetJournalFollowsSeconds(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	b := NewBudget(1_000_000, time.Hour, clock.Now)
	var last []psa.BudgetRun
	b.SetJournal(func(runs []psa.BudgetRun) error {
		last = runs
		return nil
	}, 100, time.Hour)
	const seconds, perSecond = 5, 2000
	for range seconds {
		for range perSecond {
			if ok, _ := b.Reserve(); !ok {
				t.Fatal("reservation refused")
			}
		}
		clock.Advance(time.Second)
	}
	n := 0
	for _, r := range last {
		n += r.Count
	}
	// The seconds spent plus the claim's end, which may share a second.
	if len(last) > seconds+1 || n < seconds*perSecond-100 {
		t.Errorf("last claim = %d runs covering %d reservations; want at most %d runs covering at least %d",
			len(last), n, seconds+1, seconds*perSecond-100)
	}
}
