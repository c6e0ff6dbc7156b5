package autotasksim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

func TestTimeEntries(t *testing.T) {
	t.Parallel()
	clock := newClock()
	sim, c := start(t, autotasksim.Options{Now: clock.Now})
	tech := sim.Users()[1]
	id := c.create("Tickets", ticket("worked on"))
	before := c.item("Tickets/" + itoa(id))
	entry := func(kv map[string]any) map[string]any {
		b := map[string]any{
			"ticketID": id, "resourceID": tech.ResourceID, "roleID": 29683401,
			"dateWorked": "2026-11-21T00:00:00", "hoursWorked": 0.5, "summaryNotes": "looked into it",
		}
		for k, v := range kv {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	tests := []struct {
		name string
		body map[string]any
		want string
	}{
		{"no role", entry(map[string]any{"roleID": nil}), "TimeEntries for Tickets must have a roleID."},
		{"no ticket or task", entry(map[string]any{"ticketID": nil}), "ticketID or a taskID"},
		{"no hours", entry(map[string]any{"hoursWorked": nil}), "hoursWorked"},
		{"too many hours", entry(map[string]any{"hoursWorked": 25}), "hoursWorked"},
		{"no summary", entry(map[string]any{"summaryNotes": nil}), "summaryNotes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.wantError(http.MethodPost, "TimeEntries", tt.body, 500, tt.want)
		})
	}
	clock.Advance(time.Minute)
	c.as(tech).create("TimeEntries", entry(nil))
	after := c.item("Tickets/" + itoa(id))
	if after["lastActivityDate"] != "2026-11-21T10:16:00.123" || after["lastActivityResourceID"] != float64(tech.ResourceID) {
		t.Errorf("after a time entry lastActivityDate %v by %v", after["lastActivityDate"], after["lastActivityResourceID"])
	}
	if after["lastTrackedModificationDateTime"] != before["lastTrackedModificationDateTime"] {
		t.Errorf("a time entry moved lastTrackedModificationDateTime")
	}
	q := c.call(http.MethodPost, "TimeEntries/query", where(cond("eq", "ticketID", id)), 200)
	if len(ids(q)) != 1 {
		t.Errorf("time entries of the ticket = %v", ids(q))
	}
}

func TestTicketHistoryRecordsWhoChangedStatus(t *testing.T) {
	t.Parallel()
	sim, c := start(t, autotasksim.Options{Now: newClock().Now})
	api, tech := sim.Users()[0], sim.Users()[1]
	id := c.create("Tickets", ticket("history"))
	c.as(tech).call(http.MethodPatch, "Tickets", map[string]any{"id": id, "status": 8}, 200)
	c.call(http.MethodPatch, "Tickets", map[string]any{"id": id, "priority": 1}, 200)
	rows := c.call(http.MethodPost, "TicketHistory/query", where(cond("eq", "ticketID", id)), 200)["items"].([]any)
	type entry struct {
		Action, Detail string
		Resource       int
	}
	var got []entry
	for _, r := range rows {
		m := r.(map[string]any)
		got = append(got, entry{m["action"].(string), m["detail"].(string), int(m["resourceID"].(float64))})
	}
	want := []entry{
		{"Create", "Ticket created", api.ResourceID},
		{"Edit", "Status: New -> In Progress", tech.ResourceID},
		{"Edit", "Priority: Medium -> High", api.ResourceID},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

// TestTrackedModificationStrictlyIncreases: with a clock that does not move,
// every change still gets its own, later lastTrackedModificationDateTime.
func TestTrackedModificationStrictlyIncreases(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{Now: newClock().Now})
	a := c.create("Tickets", ticket("a"))
	b := c.create("Tickets", ticket("b"))
	c.call(http.MethodPatch, "Tickets", map[string]any{"id": a, "status": 8}, 200)
	stamps := []any{}
	for _, id := range []int{b, a} {
		stamps = append(stamps, c.item("Tickets/" + itoa(id))["lastTrackedModificationDateTime"])
	}
	want := []any{"2026-11-21T10:15:00.124", "2026-11-21T10:15:00.125"}
	if diff := cmp.Diff(want, stamps); diff != "" {
		t.Errorf("stamps of b and the edited a (-want +got):\n%s", diff)
	}
	since := c.call(http.MethodPost, "Tickets/query", where(cond("gte", "lastTrackedModificationDateTime", "2026-11-21T10:15:00.125")), 200)
	if diff := cmp.Diff([]int{a}, ids(since)); diff != "" {
		t.Errorf("changed since the last stamp (-want +got):\n%s", diff)
	}
}
