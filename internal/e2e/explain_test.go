package e2e

// explain and the engine decide through one code path; these tests hold
// explain's prediction for an alert equal to what the engine then does
// with it, on every PSA.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// startFiltered starts a PSA's demo with auto-match limited to customer
// companies.
func startFiltered(t *testing.T, p, groupBy string) *env {
	t.Helper()
	e := start(t, "", func(o *demo.Options) { o.PSA, o.SkipApply = p, true })
	s := psaSettings(e.DefaultSettings(), groupBy)
	s = strings.Replace(s, "  auto_match: true\n", "  auto_match: true\n  filter:\n    types: ["+seedOf(p).CustomerType+"]\n", 1)
	if !strings.Contains(s, "filter:") {
		t.Fatal("settings have no auto_match line to add the filter after")
	}
	if _, err := e.Apply(context.Background(), s); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return e
}

// explain runs explain on the alert as the env's source would send it.
func (e *env) explain(a testAlert) app.Explanation {
	e.t.Helper()
	als, err := alert.Decode([]byte(a.json()))
	if err != nil || len(als) != 1 {
		e.t.Fatalf("decode %s: %v", a.ID, err)
	}
	exs, err := e.App.Explain(context.Background(), e.SourceID, als[0])
	if err != nil || len(exs) != 1 {
		e.t.Fatalf("explain %s: %d explanations, %v", a.ID, len(exs), err)
	}
	return exs[0]
}

// TestExplainHonoursCompanyFilter: an organization named like a company
// that companies.filter.types leaves out is not auto-matched by the
// engine, so explain must not predict that match either.
func TestExplainHonoursCompanyFilter(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			e := startFiltered(t, p, "none")
			a := testAlert{ID: "f1", Org: "org-66", OrgName: "Umbrella Prospect", Type: "X", Email: "x@umbrella.example"}
			ex := e.explain(a)
			e.send(a)
			link, ok := e.ticketOf(a.ID)
			if !ok {
				t.Fatal("the engine made no ticket")
			}
			want := "(id " + link.CompanyID + ")"
			var said string
			for _, l := range ex.Lines {
				if strings.HasPrefix(l, "company: ") {
					said = l
				}
			}
			if !strings.HasSuffix(said, want) {
				t.Errorf("explain said %q; the engine filed the ticket under company id %s\nexplain:\n  %s",
					said, link.CompanyID, strings.Join(ex.Lines, "\n  "))
			}
		})
	}
}

// outcome is what happened, or would happen, to one alert, in PSA ids.
type outcome struct {
	Skip      rules.SkipCode
	Company   string
	NewTicket bool
	Contact   string // of a new ticket
	NoteOn    string // the PSA ticket a note went to
}

func predicted(ex app.Explanation) outcome {
	if ex.Decision.Skip != nil {
		return outcome{Skip: ex.Decision.Skip.Code}
	}
	o := outcome{Company: ex.Decision.CompanyID, NewTicket: ex.NewTicket, NoteOn: ex.NoteOn}
	if ex.NewTicket {
		o.Contact = ex.Contact.ID
	}
	return o
}

// delivered is what the engine did with an alert: its route, its done
// create or note delivery, and the PSA ticket as a technician reads it.
func (e *env) delivered(alertID string) outcome {
	e.t.Helper()
	ctx := context.Background()
	r := e.route(alertID)
	if r.Outcome == store.RouteSkipped {
		return outcome{Skip: rules.SkipCode(r.Code)}
	}
	ds, err := e.App.Store.Deliveries(ctx, store.DeliveryFilter{TenantID: store.DefaultTenant, AlertSeq: e.storedAlert(alertID).Seq, State: store.DeliveryDone})
	if err != nil || len(ds) != 1 {
		e.t.Fatalf("%s: done deliveries %+v, %v; want one", alertID, ds, err)
	}
	link, err := e.App.Store.TicketLink(ctx, ds[0].TicketLinkID)
	if err != nil {
		e.t.Fatal(err)
	}
	t, err := e.Tech.Ticket(ctx, link.PSATicketID)
	if err != nil {
		e.t.Fatalf("%s: read ticket %s: %v", alertID, link.PSATicketID, err)
	}
	if ds[0].Kind == store.DeliveryAddNote {
		return outcome{Company: t.CompanyID, NoteOn: t.ID}
	}
	return outcome{Company: t.CompanyID, NewTicket: true, Contact: t.ContactID}
}

// named says an outcome by the names the PSA shows, for expectations
// that read the same on every PSA.
func (e *env) named(o outcome) string {
	e.t.Helper()
	ctx := context.Background()
	switch {
	case o.Skip != "":
		return "skip " + string(o.Skip)
	case !o.NewTicket:
		return "note"
	}
	companies, err := e.Tech.Companies(ctx, psa.CompanyFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	company, contact := "company "+o.Company, "no contact"
	for _, c := range companies {
		if c.ID == o.Company {
			company = c.Name
		}
	}
	contacts, err := e.Tech.Contacts(ctx, o.Company)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range contacts {
		if c.ID == o.Contact {
			contact = c.Name()
		}
	}
	return fmt.Sprintf("ticket for %s, contact %s", company, contact)
}

// TestExplainPredictsTheEngine explains each alert, then lets the engine
// deliver it, and holds the prediction (skip reason, company, ticket or
// note, the new ticket's contact) equal to what the engine did. Cases run
// in order on one PSA: the note and closed-ticket cases build on the
// first ticket. want pins what the engine does, so a case that stops
// testing what its name says fails too.
func TestExplainPredictsTheEngine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		before func(e *env)
		alert  testAlert
		want   string
	}{
		{"mapped organization, contact by email", nil,
			testAlert{ID: "x-mapped", Type: "Too Many Downloads", Email: "jane@acme.example"},
			"ticket for Acme Corp, contact Jane Doe"},
		{"mapped organization, its fallback contact", nil,
			testAlert{ID: "x-fallback", Type: "Too Many Uploads", Email: "nobody@acme.example"},
			"ticket for Acme Corp, contact Acme Helpdesk"},
		{"group's ticket open: a note", nil,
			testAlert{ID: "x-note", Type: "Too Many Downloads", Email: "jane@acme.example"},
			"note"},
		{"group's ticket closed in the PSA: a new ticket", func(e *env) {
			l, _ := e.ticketOf("x-mapped")
			if err := e.CloseTicket(context.Background(), l.PSATicketID); err != nil {
				e.t.Fatal(err)
			}
		}, testAlert{ID: "x-reopen", Type: "Too Many Downloads", Email: "jane@acme.example"},
			"ticket for Acme Corp, contact Jane Doe"},
		{"auto-matched organization, contact by email", nil,
			testAlert{ID: "x-auto", Org: "org-55", OrgName: "Globex Corporation", Type: "X", Email: "hank@globex.example"},
			"ticket for Globex Corporation, contact Hank Scorpio"},
		{"auto-matched organization, the company's first contact", nil,
			testAlert{ID: "x-auto-first", Org: "org-56", OrgName: "globex corporation", Type: "X", Email: "zed@globex.example"},
			"ticket for Globex Corporation, contact Hank Scorpio"},
		{"organization named like a filtered-out company: catch-all", nil,
			testAlert{ID: "x-filtered", Org: "org-66", OrgName: "Umbrella Prospect", Type: "X", Email: "x@umbrella.example"},
			"ticket for Default Account, contact Default Contact"},
		{"unmapped organization without a user: catch-all contact", nil,
			testAlert{ID: "x-catch-all", Org: "org-77", OrgName: "Contoso", Type: "X"},
			"ticket for Default Account, contact Default Contact"},
		{"excluded type", nil,
			testAlert{ID: "x-excluded", Type: "Test Alert", Email: "jane@acme.example"},
			"skip excluded_type"},
		{"older than sync.since", nil,
			testAlert{ID: "x-old", Type: "Old", Email: "jane@acme.example", At: time.Now().AddDate(0, 0, -45)},
			"skip too_old"},
		{"disabled mapping", nil,
			testAlert{ID: "x-disabled", Org: "org-9", Type: "X", Email: "jane@acme.example"},
			"skip organization_disabled"},
	}
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			e := startFiltered(t, p, "user_alert")
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					e := &env{Env: e.Env, t: t, logs: e.logs}
					if c.before != nil {
						c.before(e)
					}
					ex := e.explain(c.alert)
					e.send(c.alert)
					got, want := e.delivered(c.alert.ID), predicted(ex)
					if got != want {
						t.Errorf("explain predicted %+v, the engine did %+v\nexplain:\n  %s", want, got, strings.Join(ex.Lines, "\n  "))
					}
					if n := e.named(got); n != c.want {
						t.Errorf("the engine did %q, want %q", n, c.want)
					}
				})
			}
		})
	}
}

// TestExplainWithOnePSADown: when one integration's PSA cannot be read,
// explain still says what the others would do and names the one that
// could not decide, over the API and in the app alike.
func TestExplainWithOnePSADown(t *testing.T) {
	t.Parallel()
	e := start(t, "")
	ctx := context.Background()
	down := strings.Replace(e.DefaultSettings(), "name: "+e.IntegrationName(), "name: down", 1)
	if _, err := e.Apply(ctx, down); err != nil {
		t.Fatalf("apply the second integration: %v", err)
	}
	it, err := e.App.Store.IntegrationByName(ctx, store.DefaultTenant, "down")
	if err != nil {
		t.Fatal(err)
	}
	// Port 1 on loopback: refused at once, as a PSA that is down.
	it.Settings = []byte(strings.Replace(string(it.Settings), `"url":"`+e.SimURL+`"`, `"url":"http://127.0.0.1:1"`, 1))
	if !strings.Contains(string(it.Settings), "127.0.0.1:1") {
		t.Fatalf("stored settings name no url %q: %s", e.SimURL, it.Settings)
	}
	if _, err := e.App.Store.PutIntegration(ctx, it); err != nil {
		t.Fatal(err)
	}

	a := testAlert{ID: "down-1", Org: "org-42", Type: "Too Many Downloads", Severity: "high", Email: "jane@acme.example"}
	var out struct {
		Explanations []struct {
			Integration string   `json:"integration"`
			CompanyName string   `json:"company_name"`
			Error       string   `json:"error"`
			Lines       []string `json:"lines"`
		} `json:"explanations"`
	}
	body := map[string]any{"source": e.SourceID, "alert": json.RawMessage(a.json())}
	if code := e.apiCall("POST", "/api/v1/explain", body, &out); code != 200 {
		t.Fatalf("POST /api/v1/explain = %d, want 200 with one explanation per integration", code)
	}
	got := map[string]int{}
	for i, ex := range out.Explanations {
		got[ex.Integration] = i
	}
	up, ok := got[e.IntegrationName()]
	if !ok || out.Explanations[up].Error != "" || out.Explanations[up].CompanyName == "" {
		t.Errorf("the reachable integration's explanation: %+v", out.Explanations)
	}
	dn, ok := got["down"]
	if !ok || out.Explanations[dn].Error == "" || !strings.Contains(strings.Join(out.Explanations[dn].Lines, " "), "could not decide") {
		t.Errorf("the unreachable integration's explanation names no error: %+v", out.Explanations)
	}
}
