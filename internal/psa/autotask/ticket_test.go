package autotask

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// recorder is a fake Autotask that records write bodies and answers
// ticket reads from a fixed record.
type recorder struct {
	mu      sync.Mutex
	writes  []map[string]any // decoded bodies of POST/PATCH
	paths   []string
	getCode int // status for GET /Tickets/{id}; 200 when zero
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paths = append(r.paths, req.Method+" "+req.URL.Path)
	if req.Method != http.MethodGet {
		var body map[string]any
		b, _ := io.ReadAll(req.Body)
		json.Unmarshal(b, &body)
		r.writes = append(r.writes, body)
		io.WriteString(w, `{"itemId":"77"}`) // a string id, as some answers have it
		return
	}
	if r.getCode != 0 {
		w.WriteHeader(r.getCode)
		io.WriteString(w, `{"errors":["try later"]}`)
		return
	}
	io.WriteString(w, `{"item":{"id":77,"ticketNumber":"T20240501.0001","companyID":175,"contactID":null,
		"title":"t","status":5,"priority":"2","queueID":8,"externalID":"ref-1",
		"lastTrackedModificationDateTime":"2024-05-01T10:00:00.5"}}`)
}

func (r *recorder) snapshot() ([]map[string]any, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.writes, r.paths
}

func recorderConnector(t *testing.T, rec *recorder, mutate func(*Config)) *Connector {
	t.Helper()
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	cfg := Config{
		ZoneURL:         srv.URL + "/atservicesrest/",
		Username:        "api@msp.example",
		Secret:          secret.New("s"),
		IntegrationCode: secret.New("c"),
		Now:             func() time.Time { return time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC) },
		RetryBackoff:    time.Millisecond,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	return mustNew(t, cfg)
}

func TestCreateTicketRequestAndReadBack(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c := recorderConnector(t, rec, nil)
	got, err := c.CreateTicket(t.Context(), psa.NewTicket{
		CompanyID: "175", ContactID: "31", Title: "t", Description: "d", Status: "1", Priority: "2",
		Queue: "8", Category: "3", Type: "5", Source: "8", IssueType: "11", SubIssueType: "100",
		ExternalRef: "ref-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	writes, paths := rec.snapshot()
	wantBody := map[string]any{
		"companyID": 175.0, "contactID": 31.0, "title": "t", "description": "d", "status": 1.0,
		"priority": 2.0, "queueID": 8.0, "ticketCategory": 3.0, "ticketType": 5.0, "source": 8.0,
		"issueType": 11.0, "subIssueType": 100.0, "externalID": "ref-1",
		"dueDateTime": "2024-05-02T08:30:00Z", // DueIn (24h) after Now: no due date was given
	}
	if diff := cmp.Diff([]map[string]any{wantBody}, writes); diff != "" {
		t.Errorf("create body (-want +got):\n%s", diff)
	}
	wantPaths := []string{"POST /atservicesrest/V1.0/Tickets", "GET /atservicesrest/V1.0/Tickets/77"}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	want := psa.Ticket{
		ID: "77", Number: "T20240501.0001", CompanyID: "175", Title: "t", Status: "5", Priority: "2",
		Queue: "8", ExternalRef: "ref-1", Closed: true,
		LastModified: time.Date(2024, 5, 1, 10, 0, 0, 5e8, time.UTC),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ticket (-want +got):\n%s", diff)
	}
}

func TestCreateTicketReadBackFailureKeepsID(t *testing.T) {
	t.Parallel()
	rec := &recorder{getCode: http.StatusServiceUnavailable}
	c := recorderConnector(t, rec, func(c *Config) { c.MaxAttempts = 1 })
	got, err := c.CreateTicket(t.Context(), psa.NewTicket{CompanyID: "175", Title: "t", ExternalRef: "ref-1"})
	if psa.ClassOf(err) != psa.Retryable || got.ID != "77" || got.ExternalRef != "ref-1" {
		t.Fatalf("CreateTicket = %+v, %v; want id 77 with a retryable error", got, err)
	}
}

func TestInvalidIDsAreRefusedWithoutSending(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c := recorderConnector(t, rec, nil)
	status := "New"
	calls := map[string]func() error{
		"create": func() error {
			_, err := c.CreateTicket(t.Context(), psa.NewTicket{CompanyID: "175", Title: "t", Priority: "High"})
			return err
		},
		"create without company": func() error {
			_, err := c.CreateTicket(t.Context(), psa.NewTicket{Title: "t"})
			return err
		},
		"ticket":   func() error { _, err := c.Ticket(t.Context(), "T2024.1"); return err },
		"update":   func() error { return c.UpdateTicket(t.Context(), "77", psa.TicketPatch{Status: &status}) },
		"note":     func() error { _, err := c.AddNote(t.Context(), "77", psa.NewNote{Type: "Task"}); return err },
		"contacts": func() error { _, err := c.Contacts(t.Context(), "acme"); return err },
		"companies": func() error {
			_, err := c.Companies(t.Context(), psa.CompanyFilter{Types: []string{"Customer"}})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); psa.ClassOf(err) != psa.Permanent {
			t.Errorf("%s: err = %v, want permanent", name, err)
		}
	}
	if _, paths := rec.snapshot(); len(paths) != 0 {
		t.Errorf("requests sent for invalid ids: %v", paths)
	}
}

func TestUpdateTicketSparse(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c := recorderConnector(t, rec, nil)
	status, noContract, contract := "5", "", "9"
	patches := []psa.TicketPatch{
		{},
		{Status: &status},
		{ContractID: &contract},
		{ContractID: &noContract},
	}
	for _, p := range patches {
		if err := c.UpdateTicket(t.Context(), "77", p); err != nil {
			t.Fatal(err)
		}
	}
	writes, paths := rec.snapshot()
	want := []map[string]any{
		{"id": 77.0, "status": 5.0},
		{"id": 77.0, "contractID": 9.0},
		{"id": 77.0, "contractID": nil},
	}
	if diff := cmp.Diff(want, writes); diff != "" {
		t.Errorf("PATCH bodies (-want +got):\n%s", diff)
	}
	for _, p := range paths {
		if p != "PATCH /atservicesrest/V1.0/Tickets" {
			t.Errorf("call %q, want PATCH /V1.0/Tickets", p)
		}
	}
}

func TestNotePublishMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		mutate     func(*Config)
		visibility psa.Visibility
		publish    float64
	}{
		{name: "external default", visibility: psa.VisibilityExternal, publish: 1},
		{name: "internal default", visibility: psa.VisibilityInternal, publish: 2},
		{name: "unset is internal", publish: 2},
		{name: "external configured", mutate: func(c *Config) { c.PublishExternal = 4 }, visibility: psa.VisibilityExternal, publish: 4},
		{name: "internal configured", mutate: func(c *Config) { c.PublishInternal = 4 }, visibility: psa.VisibilityInternal, publish: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			c := recorderConnector(t, rec, tt.mutate)
			id, err := c.AddNote(t.Context(), "77", psa.NewNote{Title: "n", Description: "d", Type: "3", Visibility: tt.visibility})
			if err != nil || id != "77" {
				t.Fatalf("AddNote = %q, %v", id, err)
			}
			writes, paths := rec.snapshot()
			want := []map[string]any{{"ticketID": 77.0, "title": "n", "description": "d", "noteType": 3.0, "publish": tt.publish}}
			if diff := cmp.Diff(want, writes); diff != "" {
				t.Errorf("note body (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"POST /atservicesrest/V1.0/Tickets/77/Notes"}, paths); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNotesVisibilityFollowsConfiguredPublish(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 0)
	writer := env.cfg
	writer.PublishExternal = 4
	w := mustNew(t, writer)
	r := mustNew(t, env.cfg)
	tk, err := w.CreateTicket(t.Context(), psa.NewTicket{CompanyID: "175", Title: "publish", Status: "1", Priority: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddNote(t.Context(), tk.ID, psa.NewNote{Title: "n", Description: "d", Type: "3", Visibility: psa.VisibilityExternal}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    *Connector
		want psa.Visibility
	}{{w, psa.VisibilityExternal}, {r, psa.VisibilityInternal}} {
		notes, err := tc.c.Notes(t.Context(), tk.ID)
		if err != nil || len(notes) != 1 {
			t.Fatalf("Notes = %+v, %v; want one note", notes, err)
		}
		if notes[0].Visibility != tc.want || notes[0].CreatedAt.IsZero() {
			t.Errorf("note %+v: want visibility %s and a creation time", notes[0], tc.want)
		}
	}
}

func TestPicklistsCached(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 0)
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	cfg := env.cfg
	cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := mustNew(t, cfg)
	for range 3 {
		p, err := c.Picklists(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := p.Lookup(psa.FieldSubIssueType, "Suspicious Sign-in", "11"); !ok || v.ID != "100" {
			t.Fatalf("sub-issue type lookup = %+v, %v; want 100 under 11", v, ok)
		}
	}
	_, api, _ := env.probe.counts()
	mu.Lock()
	now = now.Add(picklistTTL)
	mu.Unlock()
	if _, err := c.Picklists(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, api2, _ := env.probe.counts()
	if api != 3 || api2 != 6 {
		t.Errorf("metadata calls: %d for three reads, %d after expiry; want 3 and 6", api, api2)
	}
}
