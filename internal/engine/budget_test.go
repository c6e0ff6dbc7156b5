package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestBudgetEncodingFollowsSeconds: the saved budget has an entry per
// second, not per request, so saving it costs the same at 10 requests a
// second as at 1,000 (one entry per request made the value, written at
// every round, grow through a soak until it dominated serve's CPU). What
// it saved reads back as every request, each rounded up to the second.
func TestBudgetEncodingFollowsSeconds(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_800_000_000, 0)
	var times []time.Time
	for sec := range 3 {
		for i := range 10_000 {
			times = append(times, base.Add(time.Duration(sec)*time.Second+time.Duration(i)*time.Microsecond))
		}
	}
	// Finish re-stamps to the answer's time: one late entry out of order
	// starts another run, and the runs after it still hold.
	times = append(times[:5000], append([]time.Time{base.Add(2 * time.Second)}, times[5000:]...)...)
	v := encodeBudget(budgetRuns(times))
	if entries := strings.Count(v, ",") + 1; entries > 5 {
		t.Errorf("%d times over 3 seconds saved as %d entries (%d bytes), want at most 5", len(times), entries, len(v))
	}
	got := decodeBudget(v)
	if len(got) != len(times) {
		t.Fatalf("decoded %d times, want %d", len(got), len(times))
	}
	perSecond := map[int64]int{}
	for _, tm := range got {
		perSecond[tm.Unix()-base.Unix()]++
	}
	want := map[int64]int{1: 10_000, 2: 10_000, 3: 10_001}
	for sec, n := range want {
		if perSecond[sec] != n {
			t.Errorf("decoded %d times at second %d (rounded up), want %d: %v", perSecond[sec], sec, n, perSecond)
		}
	}
}

// TestBudgetDecoding reads both forms, the one entry per time written
// before runs and the runs, and skips what does not parse.
func TestBudgetDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
		want        []int64 // unix seconds, rounded up
	}{
		{"one entry per time", "100,100,101", []int64{101, 101, 102}},
		{"runs", "100x2,101,105x3", []int64{101, 101, 102, 106, 106, 106}},
		{"bad entries skipped", "x,100x0,100xa,abc,100x-1,102", []int64{103}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []int64
			for _, tm := range decodeBudget(tt.value) {
				got = append(got, tm.Unix())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("decodeBudget(%q) = %v, want %v", tt.value, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("decodeBudget(%q) = %v, want %v", tt.value, got, tt.want)
				}
			}
		})
	}
}

// cursorCounter counts budget saves; any other store call panics on the
// nil Store.
type cursorCounter struct {
	store.Store
	saves int
}

func (c *cursorCounter) SetCursor(_ context.Context, _ int64, name, _ string) error {
	if name == cursorBudget {
		c.saves++
	}
	return nil
}

// budgetConn keeps a budget the engine can save; journaledConn writes it
// ahead too.
type budgetConn struct{ psa.Connector }

func (budgetConn) BudgetTimes() []time.Time { return []time.Time{time.Unix(100, 0)} }
func (budgetConn) SeedBudget([]time.Time)   {}

type journaledConn struct{ budgetConn }

func (journaledConn) JournalBudget(func([]psa.BudgetRun) error, time.Duration) {}

// TestRoundSavesOnlyUnjournaledBudget: after a delivery round the budget
// is saved only when the connector does not journal it; a journaling
// budget recorded the round's slots before spending them, and a save per
// round rewrote the whole window many times a second.
func TestRoundSavesOnlyUnjournaledBudget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		conn  psa.Connector
		saves int
	}{
		{"journaled", journaledConn{}, 0},
		{"not journaled", budgetConn{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := &cursorCounter{}
			w := &worker{books: &books{st: st}}
			w.snap.Store(&snapshot{conn: tt.conn})
			w.saveBudgetAfterRound(t.Context())
			if st.saves != tt.saves {
				t.Errorf("budget saved %d times after a round, want %d", st.saves, tt.saves)
			}
		})
	}
}
