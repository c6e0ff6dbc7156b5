package e2e

// The seed scenarios as one table over every PSA: each case runs against
// each PSA's simulator and checks what landed in the PSA through a
// technician's connector, by the names the PSA shows, so one assertion
// holds for Autotask's queues and ConnectWise's boards alike.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// psaSettings turns a PSA's demo settings into the scenarios' settings.
func psaSettings(base, groupBy string) string {
	s := strings.Replace(base, "group_by: user_alert", "group_by: "+groupBy, 1)
	s = strings.Replace(s, "      contact: helpdesk@acme.example\n", "      contact: helpdesk@acme.example\n    - organization: org-9\n      enabled: false\n", 1)
	sub := "      sub_issue_type: Ransomware\n"
	if !strings.Contains(base, "sub_issue_type:") {
		sub = "" // a PSA with one level of issue types (Syncro) names none
	}
	return strings.Replace(s, "notes:\n", "    - ioc_rule: ioc-5\n      issue_type: Malware\n"+sub+"      queue: Service Desk\nnotes:\n", 1)
}

func startPSA(t *testing.T, psaName, groupBy string, mods ...func(*demo.Options)) *env {
	t.Helper()
	probe := start(t, "", append([]func(*demo.Options){func(o *demo.Options) { o.PSA, o.SkipApply = psaName, true }}, mods...)...)
	if _, err := probe.Apply(context.Background(), psaSettings(probe.DefaultSettings(), groupBy)); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return probe
}

// view is a ticket as a technician sees it, by names.
type view struct {
	ID, Company, Contact, Queue, Priority, IssueType, SubIssueType string
	Closed                                                         bool
	Notes                                                          []psa.Note
}

func (e *env) psaTickets() []view {
	e.t.Helper()
	ctx := context.Background()
	feed := e.Tech.(psa.ChangeFeed)
	ts, err := feed.TicketsChangedSince(ctx, time.Time{})
	if err != nil {
		e.t.Fatalf("list tickets: %v", err)
	}
	pl, err := e.Tech.Picklists(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	companies, _ := e.Tech.Companies(ctx, psa.CompanyFilter{})
	var out []view
	for _, t := range ts {
		v := view{ID: t.ID, Queue: pl.Label(psa.FieldQueue, t.Queue), Priority: pl.Label(psa.FieldPriority, t.Priority),
			IssueType: pl.Label(psa.FieldIssueType, t.IssueType), SubIssueType: pl.Label(psa.FieldSubIssueType, t.SubIssueType), Closed: t.Closed}
		for _, c := range companies {
			if c.ID == t.CompanyID {
				v.Company = c.Name
			}
		}
		contacts, _ := e.Tech.Contacts(ctx, t.CompanyID)
		for _, c := range contacts {
			if c.ID == t.ContactID {
				v.Contact = c.Name()
			}
		}
		if v.Notes, err = e.Tech.Notes(ctx, t.ID); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func (e *env) viewOf(alertID string) view {
	e.t.Helper()
	l, ok := e.ticketOf(alertID)
	if !ok {
		e.t.Fatalf("%s: no ticket", alertID)
	}
	for _, v := range e.psaTickets() {
		if v.ID == l.PSATicketID {
			return v
		}
	}
	e.t.Fatalf("%s: ticket %s not in the PSA", alertID, l.PSATicketID)
	return view{}
}

// noted reports whether the alert was added to the ticket as a note.
func (v view) noted(alertID string) bool {
	for _, n := range v.Notes {
		if n.Title != "" && rules.HasAlertMarker(n.Description, "saas-alerts/"+alertID) {
			return true
		}
	}
	return false
}

func TestSeedScenariosOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			t.Run("user grouping", func(t *testing.T) { t.Parallel(); userGrouping(t, p) })
			t.Run("user+alert grouping", func(t *testing.T) { t.Parallel(); userAlertGrouping(t, p) })
			t.Run("companies, contacts and fields", func(t *testing.T) { t.Parallel(); companiesAndFields(t, p) })
			t.Run("skips", func(t *testing.T) { t.Parallel(); skips(t, p) })
			t.Run("exactly once under concurrency", func(t *testing.T) { t.Parallel(); concurrentOneGroup(t, p) })
			t.Run("crash after the PSA created the ticket", func(t *testing.T) { t.Parallel(); crashAfterCreate(t, p) })
		})
	}
}

func userGrouping(t *testing.T, p string) {
	e := startPSA(t, p, "user")
	e.send(testAlert{ID: "u1", Type: "Too Many Downloads", Email: "jane@acme.example"})
	e.send(testAlert{ID: "u2", Type: "Too Many Uploads", Email: "jane@acme.example"})
	ts := e.psaTickets()
	if len(ts) != 1 || !ts[0].noted("u2") {
		t.Fatalf("after downloads+uploads: %d tickets (want 1) with the uploads alert as a note", len(ts))
	}
	if err := e.CloseTicket(context.Background(), ts[0].ID); err != nil {
		t.Fatal(err)
	}
	e.send(testAlert{ID: "u3", Type: "Multiple MFA Failures", Email: "jane@acme.example"})
	if ts = e.psaTickets(); len(ts) != 2 {
		links, _ := e.links()
		t.Fatalf("after close + MFA: %d tickets, want 2; our links: %+v", len(ts), links)
	}
	if v := e.viewOf("u3"); v.ID == ts[0].ID {
		t.Errorf("MFA alert landed on the closed ticket")
	}
}

func userAlertGrouping(t *testing.T, p string) {
	e := startPSA(t, p, "user_alert")
	e.send(testAlert{ID: "a1", Type: "Too Many Downloads", Email: "jane@acme.example"})
	e.send(testAlert{ID: "a2", Type: "Too Many Uploads", Email: "jane@acme.example"})
	if n := len(e.psaTickets()); n != 2 {
		t.Fatalf("two types: %d tickets, want 2", n)
	}
	downloads := e.viewOf("a1")
	if err := e.CloseTicket(context.Background(), downloads.ID); err != nil {
		t.Fatal(err)
	}
	e.send(testAlert{ID: "a3", Type: "Too Many Uploads", Email: "jane@acme.example"})
	if v := e.viewOf("a3"); v.ID != e.viewOf("a2").ID || !v.noted("a3") {
		t.Errorf("same type while open: a3 not a note on a2's ticket")
	}
	e.send(testAlert{ID: "a4", Type: "Too Many Downloads", Email: "jane@acme.example"})
	if n := len(e.psaTickets()); n != 3 {
		t.Fatalf("after close: %d tickets, want 3", n)
	}
	if v := e.viewOf("a4"); v.ID == downloads.ID {
		t.Error("a4 landed on the closed ticket")
	}
}

func companiesAndFields(t *testing.T, p string) {
	e := startPSA(t, p, "none")
	e.send(
		testAlert{ID: "c1", Type: "X", Severity: "critical", Email: "jane@acme.example"},
		testAlert{ID: "c2", Type: "X", Severity: "low", Email: "nobody@acme.example"},
		testAlert{ID: "c3", Org: "org-77", OrgName: "Contoso", Type: "X", Severity: "info", Email: "a@b.c"},
		testAlert{ID: "c4", Org: "org-55", OrgName: "Globex Corporation", Type: "X", Severity: "medium", Email: "hank@globex.example"},
		testAlert{ID: "c5", Type: "Too Many Downloads", Severity: "high", Email: "jane@acme.example"},
		testAlert{ID: "c6", Type: "Risky Sign-in", Severity: "high", Email: "jane@acme.example", Rule: "respond:r-17"},
		testAlert{ID: "c7", Type: "Bad Hash", Severity: "medium", Email: "jane@acme.example", Rule: "ioc:ioc-5"},
	)
	pr := seedOf(p).Priorities
	want := map[string]view{
		"c1": {Company: "Acme Corp", Contact: "Jane Doe", Queue: "Security", Priority: pr["critical"], IssueType: "Security Incident", SubIssueType: "Other"},
		"c2": {Company: "Acme Corp", Contact: "Acme Helpdesk", Queue: "Security", Priority: pr["low"], IssueType: "Security Incident", SubIssueType: "Other"},
		"c3": {Company: "Default Account", Contact: "Default Contact", Queue: "Security", Priority: pr["info"], IssueType: "Security Incident", SubIssueType: "Other"},
		"c4": {Company: "Globex Corporation", Contact: "Hank Scorpio", Queue: "Security", Priority: pr["medium"], IssueType: "Security Incident", SubIssueType: "Other"},
		"c5": {Company: "Acme Corp", Contact: "Jane Doe", Queue: "Security", Priority: pr["high"], IssueType: "Data Loss", SubIssueType: "Excessive Download"},
		"c6": {Company: "Acme Corp", Contact: "Jane Doe", Queue: "Security", Priority: pr["critical"], IssueType: "Account Security", SubIssueType: "Suspicious Sign-in"},
		"c7": {Company: "Acme Corp", Contact: "Jane Doe", Queue: "Service Desk", Priority: pr["medium"], IssueType: "Malware", SubIssueType: "Ransomware"},
	}
	for id, w := range want {
		if lacks(p, "ticket.sub_issue_type") {
			w.SubIssueType = ""
		}
		got := e.viewOf(id)
		got.ID, got.Notes, got.Closed = "", nil, false
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", w) {
			t.Errorf("%s:\n got  %+v\n want %+v", id, got, w)
		}
	}
}

func skips(t *testing.T, p string) {
	e := startPSA(t, p, "none")
	e.send(
		testAlert{ID: "s-excluded", Type: "Test Alert", Email: "jane@acme.example"},
		testAlert{ID: "s-old", Type: "Old", Email: "jane@acme.example", At: time.Now().AddDate(0, 0, -45)},
		testAlert{ID: "s-disabled", Org: "org-9", Type: "X", Email: "jane@acme.example"},
	)
	if n := len(e.psaTickets()); n != 0 {
		t.Fatalf("%d tickets, want 0", n)
	}
	for id, want := range map[string]string{"s-excluded": "excluded by type", "s-old": "too old", "s-disabled": "organization disabled"} {
		if r := e.route(id); !strings.Contains(r.Reason, want) {
			t.Errorf("%s: reason %q, want %q", id, r.Reason, want)
		}
	}
}

func concurrentOneGroup(t *testing.T, p string) {
	e := startPSA(t, p, "user")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := testAlert{ID: fmt.Sprintf("b%02d", i), Type: "Too Many Downloads", Email: "jane@acme.example"}
			if code, _, err := e.Send(ctx, a.json()); err != nil || code != http.StatusAccepted {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d sends failed", failed.Load())
	}
	if err := e.WaitIdle(ctx, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	ts := e.psaTickets()
	if len(ts) != 1 {
		t.Fatalf("%d tickets, want 1", len(ts))
	}
	first := 0
	for i := range 50 {
		id := fmt.Sprintf("b%02d", i)
		n := 0
		for _, note := range ts[0].Notes {
			if note.Title != "" && rules.HasAlertMarker(note.Description, "saas-alerts/"+id) {
				n++
			}
		}
		switch {
		case n > 1:
			t.Errorf("%s added %d times", id, n)
		case n == 0:
			first++
		}
	}
	// The alert that created the ticket is in its description: a field in
	// Autotask, the first note in ConnectWise. Every other one is a note.
	if first > 1 {
		t.Errorf("%d alerts are in no note, want at most 1 (the ticket's first)", first)
	}
	if n := len(ts[0].Notes); n >= 49 {
		t.Errorf("%d notes for 49 follow-up alerts: waiting alerts were not coalesced", n)
	}
}

func crashAfterCreate(t *testing.T, p string) {
	dir := t.TempDir()
	var crashes atomic.Int32
	hook := func(ctx context.Context, _ psa.Ticket) error {
		crashes.Add(1)
		<-ctx.Done()
		return engine.ErrSimulatedCrash
	}
	d, err := lookupPSA(p)
	if err != nil {
		t.Fatal(err)
	}
	sim := d.Simulate(driver.SimOptions{})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	t.Cleanup(sim.Close)
	reuse := func(o *demo.Options) { o.Sim, o.SimURL = sim, srv.URL }
	e1 := startPSA(t, p, "user", reuse, func(o *demo.Options) { o.DataDir = dir; o.AppOpts.AfterCreate = hook })
	e1.send0(testAlert{ID: "crash-1", Type: "Too Many Downloads", Email: "jane@acme.example"})
	eventually(t, 10*time.Second, "create reached the PSA", func() bool { return crashes.Load() == 1 })
	token := e1.Token
	e1.Close()
	e2 := start(t, "", reuse, func(o *demo.Options) { o.PSA, o.DataDir, o.SkipApply, o.SourceToken = p, dir, true, token })
	if err := e2.WaitIdle(context.Background(), 15*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := len(e2.psaTickets()); n != 1 {
		t.Fatalf("%d tickets after restart, want 1", n)
	}
	if crashes.Load() != 1 {
		t.Errorf("the PSA was asked to create %d times, want 1", crashes.Load())
	}
}

func (e *env) links() ([]store.TicketLink, error) {
	its, err := e.App.Store.Integrations(context.Background(), store.DefaultTenant)
	if err != nil || len(its) == 0 {
		return nil, err
	}
	return e.App.Store.TicketLinks(context.Background(), its[0].ID)
}
