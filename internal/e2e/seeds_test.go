package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Simulator seed ids (autotasksim): companies, contacts, picklists.
const (
	companyDefault = 174
	companyAcme    = 175
	companyGlobex  = 176
	contactDefault = 30
	contactJane    = 31
	contactHelp    = 32
	contactHank    = 33

	statusComplete  = 5
	prioHigh        = 1
	prioMedium      = 2
	prioLow         = 3
	prioCritical    = 4
	queueSecurity   = 29683325
	queueDesk       = 29683326
	issueSecurity   = 10
	issueAccount    = 11
	issueDataLoss   = 12
	issueMalware    = 13
	subOther        = 106
	subDownload     = 102
	subSignIn       = 100
	subRansomware   = 104
	noteTaskNotes   = 3
	publishInternal = 2
)

// TestSaaSAlertsUserGrouping is the SaaS Alerts "User" example: every
// alert of a user joins the user's open ticket until it is closed.
func TestSaaSAlertsUserGrouping(t *testing.T) {
	t.Parallel()
	e := start(t, settings("user"))
	e.send(testAlert{ID: "u1", Type: "Too Many Downloads", Email: "jane@acme.example"})
	e.send(testAlert{ID: "u2", Type: "Too Many Uploads", Email: "jane@acme.example"})
	ts := e.tickets()
	if len(ts) != 1 {
		t.Fatalf("after downloads+uploads: %d tickets, want 1", len(ts))
	}
	if notes := e.notes(ts[0].ID); len(notes) != 1 || !strings.Contains(notes[0].Description, "Too Many Uploads") {
		t.Fatalf("notes on first ticket = %+v, want one note about Too Many Uploads", notes)
	}
	e.closeTicket(ts[0].ID)
	e.send(testAlert{ID: "u3", Type: "Multiple MFA Failures", Email: "jane@acme.example"})
	ts = e.tickets()
	if len(ts) != 2 {
		t.Fatalf("after close + MFA alert: %d tickets, want 2", len(ts))
	}
	if !strings.Contains(ts[1].Title, "Multiple MFA Failures") {
		t.Errorf("new ticket title = %q, want the MFA alert", ts[1].Title)
	}
	if n := len(e.notes(ts[1].ID)); n != 0 {
		t.Errorf("new ticket has %d notes, want 0", n)
	}
}

// TestSaaSAlertsUserAlertGrouping is the "User+Alert" example: one ticket
// per user and alert type; same type joins; a closed ticket starts anew.
func TestSaaSAlertsUserAlertGrouping(t *testing.T) {
	t.Parallel()
	e := start(t, settings("user_alert"))
	e.send(testAlert{ID: "a1", Type: "Too Many Downloads", Email: "jane@acme.example"})
	e.send(testAlert{ID: "a2", Type: "Too Many Uploads", Email: "jane@acme.example"})
	ts := e.tickets()
	if len(ts) != 2 {
		t.Fatalf("two types: %d tickets, want 2", len(ts))
	}
	downloads, uploads := ts[0], ts[1]
	e.closeTicket(downloads.ID)
	e.send(testAlert{ID: "a3", Type: "Too Many Uploads", Email: "jane@acme.example"})
	if got := e.tickets(); len(got) != 2 {
		t.Fatalf("same type while open: %d tickets, want 2", len(got))
	}
	if notes := e.notes(uploads.ID); len(notes) != 1 {
		t.Fatalf("uploads ticket notes = %d, want 1", len(notes))
	}
	e.send(testAlert{ID: "a4", Type: "Too Many Downloads", Email: "jane@acme.example"})
	ts = e.tickets()
	if len(ts) != 3 {
		t.Fatalf("after close: %d tickets, want 3", len(ts))
	}
	if n := len(e.notes(downloads.ID)); n != 0 {
		t.Errorf("closed ticket got %d notes, want 0", n)
	}
	l, _ := e.ticketOf("a4")
	if l.PSATicketID == "" || l.PSATicketID == itoa(downloads.ID) {
		t.Errorf("a4 landed on %q, want a new ticket", l.PSATicketID)
	}
}

// TestCompanyAndContact covers mapped, auto-matched and catch-all
// companies, and contacts by email versus fallbacks.
func TestCompanyAndContact(t *testing.T) {
	t.Parallel()
	e := start(t, settings("none"))
	e.send(
		testAlert{ID: "c1", Org: "org-42", Type: "X", Email: "jane@acme.example"},                                  // mapped; contact by email
		testAlert{ID: "c2", Org: "org-42", Type: "X", Email: "nobody@acme.example"},                                // mapped; fallback: mapped contact
		testAlert{ID: "c3", Org: "org-77", OrgName: "Contoso", Type: "X", Email: "a@b.c"},                          // catch-all; catch-all contact
		testAlert{ID: "c4", Org: "org-55", OrgName: "Globex Corporation", Type: "X", Email: "hank@globex.example"}, // auto-match by name
		testAlert{ID: "c5", Org: "org-56", OrgName: "globex corporation", Type: "X", Email: "zed@globex.example"},  // auto-match; company's first contact
	)
	want := map[string][2]int{
		"c1": {companyAcme, contactJane},
		"c2": {companyAcme, contactHelp},
		"c3": {companyDefault, contactDefault},
		"c4": {companyGlobex, contactHank},
		"c5": {companyGlobex, contactHank},
	}
	byID := ticketsByID(e)
	for id, w := range want {
		l, ok := e.ticketOf(id)
		if !ok {
			t.Fatalf("%s: no ticket", id)
		}
		tk := byID[l.PSATicketID]
		if tk.CompanyID != w[0] || tk.ContactID == nil || *tk.ContactID != w[1] {
			t.Errorf("%s: company %d contact %v, want %d %d", id, tk.CompanyID, deref(tk.ContactID), w[0], w[1])
		}
	}
	if r := e.route("c3"); !strings.Contains(r.Reason, "catch-all") {
		t.Errorf("c3 reason = %q, want it to say catch-all", r.Reason)
	}
	if tl := e.timelineText("c3"); !strings.Contains(tl, "with fallback contact default.contact@msp.example") {
		t.Errorf("c3 timeline does not name its fallback contact:\n%s", tl)
	}
	// Five tickets in one round are created without a read-back each; their
	// numbers are read together afterwards.
	eventually(t, 10*time.Second, "every link knows its ticket number", func() bool {
		for id := range want {
			l, _ := e.ticketOf(id)
			if l.TicketNumber == "" || l.TicketNumber != byID[l.PSATicketID].TicketNumber {
				return false
			}
		}
		return true
	})
}

// TestTicketFields covers priority per severity and overrides by alert
// type, respond rule and IOC rule.
func TestTicketFields(t *testing.T) {
	t.Parallel()
	e := start(t, settings("none"))
	e.send(
		testAlert{ID: "f-crit", Type: "T1", Severity: "critical", Email: "jane@acme.example"},
		testAlert{ID: "f-high", Type: "T1", Severity: "high", Email: "jane@acme.example"},
		testAlert{ID: "f-med", Type: "T1", Severity: "medium", Email: "jane@acme.example"},
		testAlert{ID: "f-low", Type: "T1", Severity: "low", Email: "jane@acme.example"},
		testAlert{ID: "f-info", Type: "T1", Severity: "info", Email: "jane@acme.example"},
		testAlert{ID: "f-type", Type: "Too Many Downloads", Severity: "high", Email: "jane@acme.example"},
		testAlert{ID: "f-respond", Type: "Risky Sign-in", Severity: "high", Email: "jane@acme.example", Rule: "respond:r-17"},
		testAlert{ID: "f-ioc", Type: "Bad Hash", Severity: "low", Email: "jane@acme.example", Rule: "ioc:ioc-5"},
	)
	type want struct{ prio, queue, issue, sub int }
	cases := map[string]want{
		"f-crit":    {prioCritical, queueSecurity, issueSecurity, subOther},
		"f-high":    {prioHigh, queueSecurity, issueSecurity, subOther},
		"f-med":     {prioMedium, queueSecurity, issueSecurity, subOther},
		"f-low":     {prioLow, queueSecurity, issueSecurity, subOther},
		"f-info":    {prioLow, queueSecurity, issueSecurity, subOther},
		"f-type":    {prioHigh, queueSecurity, issueDataLoss, subDownload},
		"f-respond": {prioHigh, queueDesk, issueAccount, subSignIn},
		"f-ioc":     {prioCritical, queueSecurity, issueMalware, subRansomware},
	}
	byID := ticketsByID(e)
	for id, w := range cases {
		l, ok := e.ticketOf(id)
		if !ok {
			t.Fatalf("%s: no ticket", id)
		}
		tk := byID[l.PSATicketID]
		got := want{tk.Priority, deref(tk.QueueID), deref(tk.IssueType), deref(tk.SubIssueType)}
		if got != w {
			t.Errorf("%s: priority/queue/issue/sub = %+v, want %+v", id, got, w)
		}
	}
}

// TestSkips covers an excluded type, an alert older than since and a
// disabled organization: no ticket, and the reason recorded.
func TestSkips(t *testing.T) {
	t.Parallel()
	e := start(t, settings("none"))
	e.send(
		testAlert{ID: "s-excluded", Type: "Test Alert", Email: "jane@acme.example"},
		testAlert{ID: "s-old", Type: "Old", Email: "jane@acme.example", At: time.Now().AddDate(0, 0, -45)},
		testAlert{ID: "s-disabled", Org: "org-9", Type: "X", Email: "jane@acme.example"},
	)
	if n := len(e.tickets()); n != 0 {
		t.Fatalf("%d tickets, want 0", n)
	}
	for id, want := range map[string]string{"s-excluded": "excluded by type", "s-old": "too old", "s-disabled": "organization disabled"} {
		r := e.route(id)
		if r.Outcome != store.RouteSkipped || !strings.Contains(r.Reason, want) {
			t.Errorf("%s: route %s %q, want skipped with %q", id, r.Outcome, r.Reason, want)
		}
	}
}

// TestNoteSettings checks note title, type and visibility as configured.
func TestNoteSettings(t *testing.T) {
	t.Parallel()
	e := start(t, settings("user_alert"))
	e.send(testAlert{ID: "n1", Type: "Too Many Uploads", Severity: "medium", Email: "jane@acme.example"})
	e.send(testAlert{ID: "n2", Type: "Too Many Uploads", Severity: "medium", Email: "jane@acme.example"})
	ts := e.tickets()
	if len(ts) != 1 {
		t.Fatalf("%d tickets, want 1", len(ts))
	}
	notes := e.notes(ts[0].ID)
	if len(notes) != 1 {
		t.Fatalf("%d notes, want 1", len(notes))
	}
	n := notes[0]
	if n.Title != "Again: Too Many Uploads (medium)" || n.NoteType != noteTaskNotes || n.Publish != publishInternal {
		t.Errorf("note = %q type %d publish %d, want configured title, Task Notes, internal", n.Title, n.NoteType, n.Publish)
	}
}

func ticketsByID(e *env) map[string]simTicket {
	m := map[string]simTicket{}
	for _, tk := range e.tickets() {
		m[itoa(tk.ID)] = tk
	}
	return m
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
