package psatest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// counter is a PSA stand-in that refuses every request with 401 (one
// attempt, no retry) and counts them: the budget cases compare what a
// connector says it spent with what reached the PSA.
type counter struct {
	url string

	mu       sync.Mutex
	requests int
	// journaled is how many journal writes had succeeded when the first
	// request arrived.
	journaledAtFirst int
	journaled        func() int
}

// newCounter starts a counter; journaled, when not nil, says how many
// journal writes have succeeded.
func newCounter(t *testing.T, body []byte, journaled func() int) *counter {
	t.Helper()
	if journaled == nil {
		journaled = func() int { return 0 }
	}
	c := &counter{journaled: journaled}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		if c.requests == 0 {
			c.journaledAtFirst = c.journaled()
		}
		c.requests++
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}

func (c *counter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests
}

// fresh returns a connector of its own budget, pointed at a counter.
func (s *suite) fresh(t *testing.T, journaled func() int) (psa.Connector, *counter) {
	t.Helper()
	c := newCounter(t, s.f.ErrorBody(http.StatusUnauthorized), journaled)
	return s.f.AgainstURL(c.url), c
}

// call runs Test, which must fail: the counter refuses everything.
func (s *suite) call(t *testing.T, conn psa.Connector) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	err := conn.Test(ctx)
	if err == nil {
		t.Fatal("Test succeeded against a server that refuses everything")
	}
	return err
}

// testBudgetRemaining: what is left goes down with every request sent,
// by exactly the number of requests the PSA received.
func (s *suite) testBudgetRemaining(t *testing.T) {
	budgeted := as[psa.Budgeted](t, s, Budgeted)
	before := budgeted.BudgetRemaining()
	if err := s.f.Connector.Test(s.ctx); err != nil {
		t.Fatalf("Test: %v", err)
	}
	if after := budgeted.BudgetRemaining(); after >= before {
		t.Errorf("BudgetRemaining = %d after a call, was %d; want less", after, before)
	}

	conn, srv := s.fresh(t, nil)
	fresh := capable[psa.Budgeted](t, conn, &s.f, Budgeted)
	before = fresh.BudgetRemaining()
	for range 3 {
		s.call(t, conn)
	}
	if spent, sent := before-fresh.BudgetRemaining(), srv.count(); spent != sent || sent < 3 {
		t.Errorf("three calls spent %d of the budget and sent %d requests; want as many spent as sent, at least 3", spent, sent)
	}
}

// testBudgetTimes: the times a connector reports, seeded into another,
// come back unchanged and count against its budget, as when a replica
// takes an integration over.
func (s *suite) testBudgetTimes(t *testing.T) {
	state := as[psa.BudgetState](t, s, BudgetState)
	conn, srv := s.fresh(t, nil)
	spender := capable[psa.BudgetState](t, conn, &s.f, BudgetState)
	s.call(t, conn)
	s.call(t, conn)
	if got := len(spender.BudgetTimes()); got != srv.count() {
		t.Errorf("BudgetTimes holds %d times after %d requests", got, srv.count())
	}
	tests := []struct {
		name  string
		times []time.Time
	}{
		{"a fresh connector's", spender.BudgetTimes()},
		{"the suite's connector's", state.BudgetTimes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.times) == 0 {
				t.Fatal("BudgetTimes is empty after requests were sent")
			}
			conn, _ := s.fresh(t, nil)
			taker := capable[psa.BudgetState](t, conn, &s.f, BudgetState)
			left := capable[psa.Budgeted](t, conn, &s.f, Budgeted)
			before := left.BudgetRemaining()
			// A time from long before any window is dropped, not counted.
			taker.SeedBudget(append([]time.Time{time.Unix(0, 0)}, tt.times...))
			// Order is not part of the port: a budget may sort what it is given.
			if diff := cmp.Diff(sorted(tt.times), sorted(taker.BudgetTimes())); diff != "" {
				t.Errorf("BudgetTimes after SeedBudget (-seeded +got):\n%s", diff)
			}
			if got := before - left.BudgetRemaining(); got != len(tt.times) {
				t.Errorf("seeding %d times spent %d of the budget", len(tt.times), got)
			}
		})
	}
}

// testJournalBudget: a budget that cannot write ahead spends nothing and
// sends nothing; one that can writes before the request leaves, and what
// it wrote covers every request sent.
func (s *suite) testJournalBudget(t *testing.T) {
	as[psa.BudgetJournal](t, s, BudgetJournal)
	t.Run("failing journal", func(t *testing.T) {
		conn, srv := s.fresh(t, nil)
		journal := capable[psa.BudgetJournal](t, conn, &s.f, BudgetJournal)
		left := capable[psa.Budgeted](t, conn, &s.f, Budgeted)
		before := left.BudgetRemaining()
		var mu sync.Mutex
		asked := 0
		journal.JournalBudget(func([]psa.BudgetRun) error {
			mu.Lock()
			defer mu.Unlock()
			asked++
			return errors.New("psatest: lease lost")
		}, time.Hour)
		err := s.call(t, conn)
		if c := psa.ClassOf(err); c != psa.RateLimited && c != psa.Retryable {
			t.Errorf("call refused by the journal: class %s (err %v), want rate-limited or retryable, to be tried later", c, err)
		}
		sent, after := srv.count(), left.BudgetRemaining()
		mu.Lock()
		defer mu.Unlock()
		if asked == 0 || sent != 0 || after != before {
			t.Errorf("journal asked %d times, %d requests sent, budget %d → %d; want it asked, nothing sent, nothing spent",
				asked, sent, before, after)
		}
	})
	t.Run("working journal", func(t *testing.T) {
		var mu sync.Mutex
		var writes []int // reservations each write covers
		conn, srv := s.fresh(t, func() int { mu.Lock(); defer mu.Unlock(); return len(writes) })
		journal := capable[psa.BudgetJournal](t, conn, &s.f, BudgetJournal)
		journal.JournalBudget(func(runs []psa.BudgetRun) error {
			mu.Lock()
			defer mu.Unlock()
			n := 0
			for _, r := range runs {
				n += r.Count
			}
			writes = append(writes, n)
			return nil
		}, time.Hour)
		for range 3 {
			s.call(t, conn)
		}
		srv.mu.Lock()
		atFirst, sent := srv.journaledAtFirst, srv.requests
		srv.mu.Unlock()
		if atFirst == 0 {
			t.Errorf("the first request reached the PSA before the journal was written")
		}
		mu.Lock()
		defer mu.Unlock()
		if len(writes) == 0 || writes[len(writes)-1] < sent {
			t.Errorf("journal writes %v cover fewer than the %d requests sent", writes, sent)
		}
	})
}

func sorted(times []time.Time) []time.Time {
	out := slices.Clone(times)
	slices.SortFunc(out, time.Time.Compare)
	return out
}
