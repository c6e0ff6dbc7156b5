package connectwisesim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

func TestTimeEntries(t *testing.T) {
	t.Parallel()
	clock := newClock()
	sim, c := start(t, connectwisesim.Options{Now: clock.Now})
	tech := c.as(sim.Members()[1])
	id := c.create(ticket("time entry target"))
	clock.Advance(time.Minute)
	got := tech.object(http.MethodPost, "time/entries", map[string]any{
		"chargeToId": id, "chargeToType": "ServiceTicket", "timeStart": "2026-11-21T10:00:00Z", "actualHours": 0.5, "notes": "looked at it",
	}, http.StatusCreated)
	if got["id"] != 9001.0 || get(got, "member/identifier") != "jtech" || got["chargeToType"] != "ServiceTicket" || got["actualHours"] != 0.5 {
		t.Errorf("created time entry: %v", got)
	}
	tk := c.object(http.MethodGet, "service/tickets/"+itoa(id), nil, http.StatusOK)
	if get(tk, "_info/updatedBy") != "jtech" || get(tk, "_info/lastUpdated") != "2026-11-21T10:16:00Z" {
		t.Errorf("ticket _info after time entry: %v", tk["_info"])
	}
	rows := c.list("time/entries?conditions=" + urlq(`chargeToId=`+itoa(id)+` and chargeToType="ServiceTicket"`))
	if len(rows) != 1 || rows[0]["id"] != 9001.0 {
		t.Errorf("time entries of ticket: %v", rows)
	}
	if rows := c.list("time/entries?conditions=" + urlq(`chargeToId=999999`)); len(rows) != 0 {
		t.Errorf("time entries of another ticket: %v", rows)
	}

	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{name: "missing charge and start", body: map[string]any{"notes": "x"}, fields: []string{"chargeToType", "chargeToId", "timeStart"}},
		{name: "unknown ticket", body: map[string]any{"chargeToId": 424242, "chargeToType": "ServiceTicket", "timeStart": "2026-11-21T10:00:00Z"}, fields: []string{"chargeToId"}},
		{name: "bad charge type", body: map[string]any{"chargeToId": id, "chargeToType": "Nope", "timeStart": "2026-11-21T10:00:00Z"}, fields: []string{"chargeToType"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := c.failure(http.MethodPost, "time/entries", tt.body, http.StatusBadRequest)
			var fields []string
			for _, fe := range e.Errors {
				fields = append(fields, fe.Field)
			}
			if e.Code != "InvalidObject" || len(fields) != len(tt.fields) {
				t.Fatalf("error %+v, want fields %v", e, tt.fields)
			}
			for i := range fields {
				if fields[i] != tt.fields[i] {
					t.Errorf("field %d = %s, want %s", i, fields[i], tt.fields[i])
				}
			}
		})
	}
}
