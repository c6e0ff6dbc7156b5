package servicenow

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/servicenow/servicenowsim"
	"github.com/ticketbridge/ticketbridge/internal/psa/servicenow/tablerules"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

//go:generate go run ./tablerules/specgen -notes ../../../../shared/psa-apis/servicenow.md -out testdata/tablerules.json

// notesPath is where the full notes are, outside the repository; CI runs
// without them and checks against the committed extract alone.
func notesPath() string {
	if p := os.Getenv("TICKETBRIDGE_SERVICENOW_NOTES"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "..", "..", "shared", "psa-apis", "servicenow.md")
}

func loadRules(t *testing.T) tablerules.Rules {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "tablerules.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r tablerules.Rules
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Tables) == 0 || len(r.Sysparm) == 0 || len(r.Operators) == 0 {
		t.Fatalf("extract is empty: %+v", r)
	}
	return r
}

// TestExtractMatchesTheNotes re-derives the extract when the notes are
// at hand, so the committed one cannot drift from them.
func TestExtractMatchesTheNotes(t *testing.T) {
	t.Parallel()
	notes, err := os.ReadFile(notesPath())
	if err != nil {
		t.Skipf("notes not here (%v): the committed extract stands", err)
	}
	if diff := cmp.Diff(tablerules.Extract(notes), loadRules(t)); diff != "" {
		t.Errorf("testdata/tablerules.json is stale: run go generate (-fresh +committed):\n%s", diff)
	}
}

// capture keeps every request with its body.
type capture struct {
	next http.Handler
	mu   sync.Mutex
	reqs []tablerules.Request
}

func (c *capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	u := *r.URL
	c.mu.Lock()
	c.reqs = append(c.reqs, tablerules.Request{Method: r.Method, URL: &u, Header: r.Header.Clone(), Body: b})
	c.mu.Unlock()
	c.next.ServeHTTP(w, r)
}

// TestRequestsKeepTheTableAPIRules drives every call of the connector
// against the simulator and checks each request it sent against the
// notes' rules: tables and fields, sysparm_* parameters, methods, query
// operators, JSON string values.
func TestRequestsKeepTheTableAPIRules(t *testing.T) {
	t.Parallel()
	rules := loadRules(t)
	sim := servicenowsim.New(servicenowsim.Options{})
	cp := &capture{next: sim}
	srv := httptest.NewServer(cp)
	defer srv.Close()
	u := sim.User(servicenowsim.APIUserName)
	basic, err := New(Config{Instance: srv.URL, Username: u.UserName, Password: secret.New(u.Password)})
	if err != nil {
		t.Fatal(err)
	}
	oauth, err := New(Config{Instance: srv.URL, Username: u.UserName, Password: secret.New(u.Password),
		ClientID: secret.New(sim.ClientID()), ClientSecret: secret.New(sim.ClientSecret())})
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, basic)
	exercise(t, oauth)
	refresh, err := New(Config{Instance: srv.URL, ClientID: secret.New(sim.ClientID()), ClientSecret: secret.New(sim.ClientSecret()),
		RefreshToken: secret.New(oauth.oauth.refresh)})
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, refresh) // TicketActivity reads the creator: no username

	seen := map[string]bool{}
	for _, req := range cp.reqs {
		for _, problem := range rules.Check(req) {
			t.Errorf("%s %s: %s", req.Method, req.URL.Path, problem)
		}
		seen[req.Method+" "+tableOf(req.URL.Path)] = true
	}
	for _, want := range []string{"GET incident", "POST incident", "PATCH incident", "GET sys_user", "GET core_company",
		"GET sys_choice", "GET sys_user_group", "GET sys_journal_field", "GET sys_audit", "POST /oauth_token.do"} {
		if !seen[want] {
			t.Errorf("the scenario sent no %s request; seen %v", want, seen)
		}
	}
}

// tableOf names a Table API path's table; other paths stay as they are.
func tableOf(path string) string {
	for _, prefix := range []string{"/api/now/v2/table/", "/api/now/v1/table/", "/api/now/table/"} {
		if rest, ok := strings.CutPrefix(path, prefix); ok {
			table, _, _ := strings.Cut(rest, "/")
			return table
		}
	}
	return path
}

// exercise calls every method of the connector once or more.
func exercise(t *testing.T, c *Connector) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Test(ctx))
	_, err := c.Picklists(ctx)
	must(err)
	cos, err := c.Companies(ctx, psa.CompanyFilter{Types: []string{"customer"}})
	must(err)
	acme := cos[slices.IndexFunc(cos, func(co psa.Company) bool { return co.Name == "Acme Corp" })].ID
	_, err = c.Contacts(ctx, acme)
	must(err)
	_, err = c.ContactsByEmail(ctx, acme, []string{"jane@acme.example", "HELPDESK@acme.example"})
	must(err)
	tk := ticketFor(t, c, func(nt *psa.NewTicket) {
		nt.Queue, nt.Source, nt.ExternalRef = "", "email", "tb-spec-"+url.QueryEscape(c.cfg.Username)+c.cfg.ClientID.Reveal()
	})
	_, err = c.TicketByExternalRef(ctx, tk.ExternalRef)
	must(err)
	_, err = c.Ticket(ctx, tk.ID)
	must(err)
	_, err = c.TicketsByID(ctx, []string{tk.ID})
	must(err)
	for _, st := range []string{"2", "3", "6"} {
		must(c.UpdateTicket(ctx, tk.ID, psa.TicketPatch{Status: &st}))
	}
	tk2 := ticketFor(t, c, func(nt *psa.NewTicket) { nt.ExternalRef += "-2" + c.cfg.ClientID.Reveal() + c.cfg.Username })
	for _, v := range []psa.Visibility{psa.VisibilityInternal, psa.VisibilityExternal} {
		_, err = c.AddNote(ctx, tk2.ID, psa.NewNote{Title: "t", Description: "d", Visibility: v})
		must(err)
	}
	_, err = c.Notes(ctx, tk2.ID)
	must(err)
	_, err = c.TicketActivity(ctx, tk2.ID)
	must(err)
	_, err = c.TicketsChangedSince(ctx, tk.LastModified)
	must(err)
}

// TestCheckFindsBadRequests: the checker is not a rubber stamp.
func TestCheckFindsBadRequests(t *testing.T) {
	t.Parallel()
	rules := loadRules(t)
	hdr := http.Header{"Accept": {"application/json"}, "Content-Type": {"application/json"}}
	tests := []struct {
		name, method, target, body string
	}{
		{"unknown table", "GET", "/api/now/table/problem_task", ""},
		{"unknown parameter", "GET", "/api/now/table/incident?limit=5", ""},
		{"unknown field", "GET", "/api/now/table/incident?sysparm_fields=sys_id,due_date", ""},
		{"unknown query field", "GET", "/api/now/table/incident?sysparm_query=" + url.QueryEscape("u_custom=1"), ""},
		{"number value", "PATCH", "/api/now/table/incident/0123456789abcdef0123456789abcdef", `{"state":6}`},
		{"read-only field", "PATCH", "/api/now/table/incident/0123456789abcdef0123456789abcdef", `{"sys_updated_by":"x"}`},
		{"POST on a record", "POST", "/api/now/table/incident/0123456789abcdef0123456789abcdef", `{}`},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.target)
		if got := rules.Check(tablerules.Request{Method: tt.method, URL: u, Header: hdr, Body: []byte(tt.body)}); len(got) == 0 {
			t.Errorf("%s: no problem found", tt.name)
		}
	}
}
