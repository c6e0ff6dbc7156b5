package servicenow

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/servicenow/servicenowsim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

func TestInstanceURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"acme", "https://acme.service-now.com"},
		{"acme.service-now.com", "https://acme.service-now.com"},
		{"https://itsm.example.org/", "https://itsm.example.org"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"https://acme.service-now.com/api/now", ""},
		{"ftp://acme", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := instanceURL(tt.in)
		if (err != nil) != (tt.want == "") || got != tt.want {
			t.Errorf("instanceURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// ticketFor creates an incident for Jane Doe at Acme Corp.
func ticketFor(t *testing.T, c *Connector, mod func(*psa.NewTicket)) psa.Ticket {
	t.Helper()
	ctx := context.Background()
	cos, err := c.Companies(ctx, psa.CompanyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var acme string
	for _, co := range cos {
		if co.Name == "Acme Corp" {
			acme = co.ID
		}
	}
	jane, err := c.ContactByEmail(ctx, acme, "Jane@Acme.example")
	if err != nil {
		t.Fatal(err)
	}
	nt := psa.NewTicket{CompanyID: acme, ContactID: jane.ID, Title: "Too many downloads", Description: "412 files",
		Status: "1", Priority: "2", IssueType: "security", SubIssueType: "other", ExternalRef: "tb-" + t.Name()}
	if mod != nil {
		mod(&nt)
	}
	tk, err := c.CreateTicket(ctx, nt)
	if err != nil {
		t.Fatalf("CreateTicket: %v", err)
	}
	return tk
}

func TestResolveSendsTheDataPolicyFields(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, servicenowsim.Options{})
	c := e.basic(t)
	tk := ticketFor(t, c, nil)
	resolved := "6"
	if err := c.UpdateTicket(context.Background(), tk.ID, psa.TicketPatch{Status: &resolved}); err != nil {
		t.Fatalf("resolve: %v", err)
	}
	got, err := c.Ticket(context.Background(), tk.ID)
	if err != nil || !got.Closed || got.Status != "6" {
		t.Fatalf("after resolve: %+v, %v", got, err)
	}
	// The simulator refuses state 6 without both fields, so reading the
	// record proves what was sent.
	for _, it := range e.sim.Tickets(servicenowsim.TableIncident) {
		if it.SysID == tk.ID && it.State != "6" {
			t.Errorf("simulator holds state %s", it.State)
		}
	}
	onHold := "3"
	tk2 := ticketFor(t, c, func(nt *psa.NewTicket) { nt.ExternalRef = "tb-hold" })
	strict := newSimEnv(t, servicenowsim.Options{RequireHoldReason: true})
	if err := c.UpdateTicket(context.Background(), tk2.ID, psa.TicketPatch{Status: &onHold}); err != nil {
		t.Errorf("on hold: %v", err)
	}
	sc := strict.basic(t)
	tk3 := ticketFor(t, sc, nil)
	if err := sc.UpdateTicket(context.Background(), tk3.ID, psa.TicketPatch{Status: &onHold}); err != nil {
		t.Errorf("on hold where a hold reason is required: %v", err)
	}
}

func TestPriorityIsImpactAndUrgency(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, servicenowsim.Options{})
	c := e.basic(t)
	for prio := range priorityPairs {
		tk := ticketFor(t, c, func(nt *psa.NewTicket) { nt.Priority, nt.ExternalRef = prio, "tb-prio-"+prio })
		if tk.Priority != prio {
			t.Errorf("priority %s came back as %s", prio, tk.Priority)
		}
	}
}

func TestUnknownChoicesAreRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, servicenowsim.Options{})
	c := e.basic(t)
	ticketFor(t, c, nil) // reads the picklists
	before := e.rec.count("/api/now/v2/table/incident")
	tests := []struct {
		name string
		mod  func(*psa.NewTicket)
	}{
		{"state", func(nt *psa.NewTicket) { nt.Status = "42" }},
		{"category", func(nt *psa.NewTicket) { nt.IssueType = "nonsense" }},
		{"subcategory under another category", func(nt *psa.NewTicket) { nt.SubIssueType = "ransomware" }},
		{"queue", func(nt *psa.NewTicket) { nt.Queue = strings.Repeat("a", 32) }},
		{"resolved on create", func(nt *psa.NewTicket) { nt.Status = "6" }},
	}
	for _, tt := range tests {
		nt := psa.NewTicket{Title: "x", Status: "1", Priority: "3", IssueType: "security", SubIssueType: "other", ExternalRef: "tb-bad"}
		tt.mod(&nt)
		_, err := c.CreateTicket(context.Background(), nt)
		if psa.ClassOf(err) != psa.Permanent || !psa.NotSent(err) {
			t.Errorf("%s: err %v, want a permanent refusal that was not sent", tt.name, err)
		}
	}
	if after := e.rec.count("/api/now/v2/table/incident"); after != before {
		t.Errorf("%d incident requests sent for refused creates", after-before)
	}
}

func TestNotesKeepTitleAndVisibility(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, servicenowsim.Options{})
	c := e.basic(t)
	tk := ticketFor(t, c, nil)
	ctx := context.Background()
	id, err := c.AddNote(ctx, tk.ID, psa.NewNote{Title: "Risky  sign-in\n(high)", Description: "line one\n\nline two", Visibility: psa.VisibilityExternal})
	if err != nil {
		t.Fatal(err)
	}
	notes, err := c.Notes(ctx, tk.ID)
	if err != nil || len(notes) != 1 {
		t.Fatalf("Notes = %+v, %v", notes, err)
	}
	n := notes[0]
	if n.ID != id || n.Title != "Risky sign-in (high)" || n.Description != "line one\n\nline two" || n.Visibility != psa.VisibilityExternal {
		t.Errorf("note read back %+v, id %s", n, id)
	}
	for _, it := range e.sim.Tickets(servicenowsim.TableIncident) {
		if it.SysID == tk.ID && (len(it.Journal) != 1 || it.Journal[0].Element != "comments") {
			t.Errorf("journal %+v, want one comment", it.Journal)
		}
	}
	if _, err := c.AddNote(ctx, tk.ID, psa.NewNote{Type: "other", Description: "x"}); psa.ClassOf(err) != psa.Permanent {
		t.Errorf("unknown note type: %v", err)
	}
}

func TestOAuthRefreshesOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	e := newSimEnv(t, servicenowsim.Options{Now: clk.Now})
	u := e.sim.User(servicenowsim.APIUserName)
	c := e.basic(t, func(cfg *Config) {
		cfg.ClientID, cfg.ClientSecret, cfg.Now = secret.New(e.sim.ClientID()), secret.New(e.sim.ClientSecret()), clk.Now
		cfg.Username, cfg.Password = u.UserName, secret.New(u.Password)
	})
	ctx := context.Background()
	parallel := func() {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := c.Test(ctx); err != nil {
					t.Errorf("Test: %v", err)
				}
			}()
		}
		wg.Wait()
	}
	parallel()
	if n := e.rec.count("/oauth_token.do"); n != 1 {
		t.Fatalf("%d token requests for 8 concurrent calls, want 1", n)
	}
	clk.Advance(30 * time.Minute) // past expires_in 1799
	parallel()
	if n := e.rec.count("/oauth_token.do"); n != 2 {
		t.Errorf("%d token requests after expiry, want 2", n)
	}
	e.sim.ExpireTokens() // revoked early: a 401 signs in again once
	if err := c.Test(ctx); err != nil {
		t.Errorf("after revocation: %v", err)
	}
	if n := e.rec.count("/oauth_token.do"); n != 3 {
		t.Errorf("%d token requests after revocation, want 3", n)
	}
	// The refresh grant needs no password.
	r := e.basic(t, func(cfg *Config) {
		cfg.ClientID, cfg.ClientSecret, cfg.Username, cfg.Password = secret.New(e.sim.ClientID()), secret.New(e.sim.ClientSecret()), "", secret.Secret{}
		cfg.RefreshToken = secret.New(c.oauth.refresh)
	})
	if err := r.Test(ctx); err != nil {
		t.Errorf("refresh-token grant: %v", err)
	}
	bad := e.basic(t, func(cfg *Config) { cfg.ClientID, cfg.ClientSecret = secret.New("nope"), secret.New("nope") })
	if err := bad.Test(ctx); psa.ClassOf(err) != psa.Permanent || !strings.Contains(err.Error(), "OAuth token refused") {
		t.Errorf("bad client: %v", err)
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestErrorsAreClassifiedAndScrubbed(t *testing.T) {
	t.Parallel()
	const password = "hunter2-very-secret"
	tests := []struct {
		status int
		body   string
		class  psa.Class
		found  bool
	}{
		{400, `{"error":{"message":"Invalid table incident","detail":null},"status":"failure"}`, psa.Permanent, false},
		{401, `{"error":{"message":"User Not Authenticated","detail":"password ` + password + ` refused"},"status":"failure"}`, psa.Permanent, false},
		{403, `{"error":{"message":"Operation Failed","detail":"Data Policy Exception: \n\tThe following fields are mandatory: Resolution code, Close notes"},"status":"failure"}`, psa.Permanent, false},
		{404, `{"error":{"message":"No Record found","detail":"Record doesn't exist or ACL restricts the record retrieval"},"status":"failure"}`, psa.Permanent, true},
		{429, `{"error":{"message":"Rate limit exceeded","detail":"Rate limit of 100 requests per hour for Table API exceeded"},"status":"failure"}`, psa.RateLimited, false},
		{503, `<html>busy</html>`, psa.Retryable, false},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "12")
			w.WriteHeader(tt.status)
			w.Write([]byte(tt.body))
		}))
		c, err := New(Config{Instance: srv.URL, Username: "ticketbridge", Password: secret.New(password), MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Ticket(context.Background(), strings.Repeat("a", 32))
		srv.Close()
		if psa.ClassOf(err) != tt.class || errors.Is(err, psa.ErrNotFound) != tt.found {
			t.Errorf("HTTP %d: %v (class %s), want %s, not found %v", tt.status, err, psa.ClassOf(err), tt.class, tt.found)
		}
		if err != nil && strings.Contains(err.Error(), password) {
			t.Errorf("HTTP %d: the password is in the error: %v", tt.status, err)
		}
		if tt.status == 429 && psa.RetryAfterOf(err) != 12*time.Second {
			t.Errorf("Retry-After %s, want 12s", psa.RetryAfterOf(err))
		}
		if tt.status == 403 && !strings.Contains(err.Error(), "Resolution code, Close notes") {
			t.Errorf("403 lost the data policy's words: %v", err)
		}
	}
}

func TestCaseTable(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, servicenowsim.Options{})
	c := e.basic(t, func(cfg *Config) { cfg.Table = "sn_customerservice_case" })
	tk := ticketFor(t, c, nil)
	if !strings.HasPrefix(tk.Number, "CS") || tk.CompanyID == "" || tk.ContactID == "" {
		t.Fatalf("case %+v, want a CS number with account and contact", tk)
	}
	resolved := "6"
	if err := c.UpdateTicket(context.Background(), tk.ID, psa.TicketPatch{Status: &resolved}); err != nil {
		t.Fatalf("resolve case: %v", err)
	}
	if got, _ := c.Ticket(context.Background(), tk.ID); !got.Closed {
		t.Errorf("resolved case not closed: %+v", got)
	}
	if _, err := New(Config{Instance: "acme", Table: "problem", Username: "u", Password: secret.New("p")}); err == nil {
		t.Error("an unknown table was accepted")
	}
}

func TestChoicesFallBackWhenSysChoiceIsDenied(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, servicenowsim.Options{DenyChoices: true})
	c := e.basic(t)
	p, err := c.Picklists(context.Background())
	if err != nil {
		t.Fatalf("Picklists: %v", err)
	}
	if v, ok := p.Lookup(psa.FieldStatus, "Resolved", ""); !ok || v.ID != "6" {
		t.Errorf("static states: %+v", p[psa.FieldStatus])
	}
	if v, ok := p.Lookup(psa.FieldSubIssueType, "DNS", "network"); !ok || v.ID != "dns" {
		t.Errorf("static subcategories: %+v", p[psa.FieldSubIssueType])
	}
	tk := ticketFor(t, c, func(nt *psa.NewTicket) { nt.IssueType, nt.SubIssueType = "network", "dns" })
	resolved := "6"
	if err := c.UpdateTicket(context.Background(), tk.ID, psa.TicketPatch{Status: &resolved}); err != nil {
		t.Errorf("resolve with the static close codes: %v", err)
	}
}

func TestChangeFeedReadsEveryPage(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, servicenowsim.Options{})
	c := e.basic(t)
	ctx := context.Background()
	first := ticketFor(t, c, nil)
	const n = 1100
	for i := 1; i < n; i++ {
		if _, err := c.CreateTicket(ctx, psa.NewTicket{Title: "storm", Status: "1", ExternalRef: "tb-page-" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	before := e.rec.count("/api/now/v2/table/incident")
	got, err := c.TicketsChangedSince(ctx, first.LastModified)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Errorf("feed has %d tickets, want %d", len(got), n)
	}
	if pages := e.rec.count("/api/now/v2/table/incident") - before; pages != 3 {
		t.Errorf("%d requests for %d tickets at 500 a page, want 3", pages, n)
	}
}
