package syncro

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// TestCoveredStretchHasNoGap: a read starts at the horizon when every
// asked ticket was learned inside the covered stretch, and earlier when
// one was learned before it; it never starts after the horizon.
func TestCoveredStretchHasNoGap(t *testing.T) {
	t.Parallel()
	at := func(min int) time.Time { return time.Date(2026, 11, 21, 10, min, 0, 0, time.UTC) }
	var tc ticketCache
	tc.learn(psa.Ticket{ID: "1", LastModified: at(1)})
	tc.learn(psa.Ticket{ID: "2", LastModified: at(5)})
	from, known, missing := tc.since([]string{"1", "2", "3"})
	if !from.Equal(at(1)) || known != 2 || len(missing) != 1 || missing[0] != "3" {
		t.Fatalf("nothing covered yet: from %s, %d known, missing %v; want from the oldest, 2 known, 3 missing", from, known, missing)
	}
	tc.covered(at(3), at(7))
	if from, _, _ := tc.since([]string{"2"}); !from.Equal(at(7)) {
		t.Errorf("ticket learned inside the stretch: read from %s, want the horizon %s", from, at(7))
	}
	if from, _, _ := tc.since([]string{"1", "2"}); !from.Equal(at(1)) {
		t.Errorf("ticket learned before the stretch: read from %s, want its own time %s", from, at(1))
	}
	tc.learn(psa.Ticket{ID: "4", LastModified: at(9)})
	if from, _, _ := tc.since([]string{"4"}); !from.Equal(at(7)) {
		t.Errorf("ticket learned after the horizon: read from %s, want the horizon %s, so no gap opens", from, at(7))
	}
	tc.covered(at(7), time.Time{})
	if tc.from != at(3) || tc.horizon != at(7) {
		t.Errorf("an empty read moved the stretch to [%s, %s], want [%s, %s]", tc.from, tc.horizon, at(3), at(7))
	}
	tc.learn(psa.Ticket{ID: "2", Status: "old", LastModified: at(4)})
	if got, _ := tc.get("2"); got.LastModified != at(5) {
		t.Errorf("an older answer replaced a newer one: %+v", got)
	}
}
