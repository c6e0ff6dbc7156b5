package autotask_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// clock is a settable clock shared by a simulator and a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)} }

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

// simEnv is a simulator on loopback with connectors for its API user and
// its technician.
type simEnv struct {
	sim       *autotasksim.Sim
	srv       *httptest.Server
	api, tech *autotask.Connector
}

func newEnv(t *testing.T, opts autotasksim.Options) *simEnv {
	t.Helper()
	sim := autotasksim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	users := sim.Users()
	return &simEnv{sim: sim, srv: srv, api: simConnector(t, srv, sim, users[0]), tech: simConnector(t, srv, sim, users[1])}
}

// raw sends one request to the simulator as user u, for what the connector
// does not do itself (time entries, reading webhook rows).
func (e *simEnv) raw(t *testing.T, u autotasksim.User, method, path string, body any) map[string]any {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+"/atservicesrest/V1.0/"+path, rd)
	req.Header.Set("ApiIntegrationCode", e.sim.IntegrationCode())
	req.Header.Set("UserName", u.UserName)
	req.Header.Set("Secret", u.Secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d %v %v", method, path, resp.StatusCode, m, err)
	}
	return m
}

func (e *simEnv) ticket(t *testing.T, title string) psa.Ticket {
	t.Helper()
	tk, err := e.api.CreateTicket(t.Context(), psa.NewTicket{CompanyID: "175", Title: title, Status: "1", Priority: "2"})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func status(s string) psa.TicketPatch { return psa.TicketPatch{Status: &s} }

func TestTicketsChangedSince(t *testing.T) {
	t.Parallel()
	clk := newClock()
	env := newEnv(t, autotasksim.Options{Now: clk.Now})
	start := clk.Now()
	a, b, c := env.ticket(t, "a"), env.ticket(t, "b"), env.ticket(t, "c")
	clk.Advance(time.Minute)
	if err := env.tech.UpdateTicket(t.Context(), a.ID, status("5")); err != nil {
		t.Fatal(err)
	}
	ids := func(since time.Time) []string {
		got, err := env.api.TicketsChangedSince(t.Context(), since)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for i, tk := range got {
			out = append(out, tk.ID)
			if i > 0 && tk.LastModified.Before(got[i-1].LastModified) {
				t.Errorf("not ordered by LastModified: %v", got)
			}
		}
		return out
	}
	afterEdit := clk.Now()
	tokyo := time.FixedZone("UTC+9", 9*3600)
	tests := []struct {
		name  string
		since time.Time
		want  []string
	}{
		{"everything, edited ticket last", start, []string{b.ID, c.ID, a.ID}},
		{"the edit only", afterEdit, []string{a.ID}},
		{"same instant in another zone", afterEdit.In(tokyo), []string{a.ID}},
		{"nothing later", afterEdit.Add(time.Second), nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ids(tt.since)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	got, _ := env.api.TicketsChangedSince(t.Context(), afterEdit)
	if len(got) != 1 || !got[0].Closed || got[0].Status != "5" {
		t.Errorf("changed ticket %+v, want closed with status 5", got)
	}
}

func TestTicketActivity(t *testing.T) {
	t.Parallel()
	clk := newClock()
	env := newEnv(t, autotasksim.Options{Now: clk.Now})
	tech := env.sim.Users()[1]
	note := psa.NewNote{Title: "n", Description: "d", Type: "1"}
	tests := []struct {
		name   string
		act    func(t *testing.T, id string)
		detail string // "" means untouched
	}{
		{"only our own work", func(t *testing.T, id string) {
			mustDo(t, env.api.UpdateTicket(t.Context(), id, status("8")))
			_, err := env.api.AddNote(t.Context(), id, note)
			mustDo(t, err)
		}, ""},
		{"technician's note", func(t *testing.T, id string) {
			_, err := env.tech.AddNote(t.Context(), id, note)
			mustDo(t, err)
		}, "note "},
		{"a time entry", func(t *testing.T, id string) {
			env.raw(t, env.sim.Users()[0], http.MethodPost, "TimeEntries", map[string]any{
				"ticketID": id, "resourceID": tech.ResourceID, "roleID": 1, "dateWorked": "2026-11-21",
				"hoursWorked": 0.25, "summaryNotes": "phoned the user",
			})
		}, "time entry "},
		{"technician's last edit is not a status", func(t *testing.T, id string) {
			env.raw(t, tech, http.MethodPatch, "Tickets", map[string]any{"id": id, "priority": 1})
		}, "last activity by resource 29682886"},
		{"status change hidden by our later note", func(t *testing.T, id string) {
			mustDo(t, env.tech.UpdateTicket(t.Context(), id, status("7")))
			clk.Advance(time.Minute)
			_, err := env.api.AddNote(t.Context(), id, note)
			mustDo(t, err)
		}, "status changed by resource 29682886"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := env.ticket(t, tt.name)
			tt.act(t, tk.ID)
			got, err := env.api.TicketActivity(t.Context(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.TouchedByOthers != (tt.detail != "") || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("TicketActivity = %+v, want touched %v with detail containing %q", got, tt.detail != "", tt.detail)
			}
		})
	}
	before := env.sim.RequestCount()
	if _, err := env.api.TicketActivity(t.Context(), env.ticket(t, "count").ID); err != nil {
		t.Fatal(err)
	}
	// ticket create + read back, then ticket, notes, time entries and
	// history: the resource lookup is cached.
	if n := env.sim.RequestCount() - before; n != 6 {
		t.Errorf("TicketActivity made %d requests with a cached resource id, want 4", n-2)
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestChangeFeedSendsUTCWithoutZone(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		body = string(b)
		mu.Unlock()
		io.WriteString(w, `{"items":[
			{"id":9,"status":1,"lastTrackedModificationDateTime":"2024-05-01T10:00:00.5"},
			{"id":8,"status":1,"lastTrackedModificationDateTime":"2024-05-01T10:00:00.5"},
			{"id":7,"status":5,"lastTrackedModificationDateTime":"2024-05-01T09:00:00"}],
			"pageDetails":{"nextPageUrl":null}}`)
	}))
	defer srv.Close()
	c, err := autotask.New(autotask.Config{
		ZoneURL: srv.URL + "/atservicesrest/", Username: "u@x", Secret: secret.New("s"), IntegrationCode: secret.New("c"),
	})
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2024, 5, 1, 17, 30, 0, 250e6, time.FixedZone("UTC+9", 9*3600))
	got, err := c.TicketsChangedSince(t.Context(), since)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"filter":[{"op":"gte","field":"lastTrackedModificationDateTime","value":"2024-05-01T08:30:00.250"}]}`
	mu.Lock()
	defer mu.Unlock()
	if body != want {
		t.Errorf("query body %s, want %s", body, want)
	}
	var order []string
	for _, tk := range got {
		order = append(order, tk.ID)
	}
	if diff := cmp.Diff([]string{"7", "8", "9"}, order); diff != "" {
		t.Errorf("order by LastModified then id (-want +got):\n%s", diff)
	}
}
