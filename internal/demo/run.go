package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// step is one moment of the demo story.
type step struct {
	say   string
	alert string                                                             // JSON body to send, or
	act   func(ctx context.Context, e *Env, tickets map[string]string) error // an action
}

// alertJSON builds one canonical alert for the story.
func alertJSON(id, org, orgName, typ, severity, email string, minutes int) string {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC).Add(time.Duration(minutes) * time.Minute)
	if time.Now().Before(at) {
		at = time.Now().Add(-time.Hour)
	}
	return fmt.Sprintf(`{"id":%q,"kind":"issue","organization":{"id":%q,"name":%q},"type":%q,"severity":%q,"title":"%s by %s","description":"Detected by the demo","user":{"email":%q},"occurred_at":%q}`,
		id, org, orgName, typ, severity, typ, email, email, at.Format(time.RFC3339))
}

// story is the SaaS Alerts "User+Alert" example, then a catch-all
// organization and an excluded type.
func story() []step {
	return []step{
		{say: "jane@acme.example triggers Too Many Downloads (first alert of the user: new ticket)",
			alert: alertJSON("sa-1001", "org-42", "Acme Corp", "Too Many Downloads", "high", "jane@acme.example", 0)},
		{say: "15 minutes later she triggers Too Many Uploads (User+Alert: another type, another ticket)",
			alert: alertJSON("sa-1002", "org-42", "Acme Corp", "Too Many Uploads", "medium", "jane@acme.example", 15)},
		{say: "a technician reviews the Too Many Downloads ticket and closes it in the PSA",
			act: func(ctx context.Context, e *Env, t map[string]string) error { return e.CloseTicket(ctx, t["sa-1001"]) }},
		{say: "she uploads more files: Too Many Uploads again (its ticket is open: added as a note)",
			alert: alertJSON("sa-1003", "org-42", "Acme Corp", "Too Many Uploads", "medium", "jane@acme.example", 30)},
		{say: "and Too Many Downloads again (its ticket was closed: a new ticket)",
			alert: alertJSON("sa-1004", "org-42", "Acme Corp", "Too Many Downloads", "critical", "jane@acme.example", 45)},
		{say: "an organization nobody mapped sends an alert (catch-all company, fallback contact)",
			alert: alertJSON("sa-1005", "org-77", "Contoso Ltd", "Multiple MFA Failures", "low", "sam@contoso.example", 50)},
		{say: "a type the MSP excluded arrives (recorded as skipped, no ticket)",
			alert: alertJSON("sa-1006", "org-42", "Acme Corp", "Test Alert", "info", "jane@acme.example", 55)},
	}
}

// trendAIChapter is the TrendAI Vision One seed's notifications (see
// shared sources): a new high-risk user, a newly discovered asset with no
// user, and a new risk event, each of its own type and so its own ticket.
func trendAIChapter() []step {
	at := func(minutes int) string {
		t := time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC).Add(time.Duration(minutes) * time.Minute)
		if time.Now().Before(t) {
			t = time.Now().Add(-time.Hour)
		}
		return t.Format(time.RFC3339)
	}
	return []step{
		{say: "TrendAI Vision One: jane@acme.example is newly classified as a high-risk user (risk score 82)",
			alert: fmt.Sprintf(`{"id":"tv1-hru-1","kind":"issue","organization":{"id":"org-42","name":"Acme Corp"},"type":"New high-risk users/devices","severity":"high","title":"High-risk user jane@acme.example","description":"Risk score 82 (Attack Surface Discovery)","user":{"email":"jane@acme.example"},"occurred_at":%q,"attributes":{"risk_score":"82"}}`, at(0))},
		{say: "it discovers an unmanaged device on Acme's network (a device, no user: the ticket names the device)",
			alert: fmt.Sprintf(`{"id":"tv1-asset-1","kind":"issue","organization":{"id":"org-42","name":"Acme Corp"},"type":"Newly discovered assets","severity":"info","title":"Unmanaged device ACME-NAS-02","description":"Discovered by Network Inventory","device":{"name":"ACME-NAS-02"},"occurred_at":%q,"attributes":{"device_type":"NAS","ip":"10.0.4.12","os":"Linux"}}`, at(5))},
		{say: "and a high risk event for jane: a sign-in from an unusual location",
			alert: fmt.Sprintf(`{"id":"tv1-risk-1","kind":"issue","organization":{"id":"org-42","name":"Acme Corp"},"type":"Unusual sign-in location","severity":"high","title":"Unusual sign-in location for jane@acme.example","description":"Risk factor: identity and account activity","user":{"email":"jane@acme.example"},"occurred_at":%q,"attributes":{"risk_factor":"account activity"}}`, at(10))},
	}
}

// chapters is the story the demo plays on d's simulator: the shared one,
// then its seed's own chapter if the demo has one.
func chapters(seed driver.Seed) []step {
	steps := story()
	if seed.Story == driver.StoryTrendAI {
		steps = append(steps, trendAIChapter()...)
	}
	return steps
}

// Run runs the whole demo against one PSA's simulator and prints the
// story and the summary to out.
func Run(ctx context.Context, out io.Writer, d driver.Driver) error {
	return RunServe(ctx, out, d, false)
}

// RunServe is Run; with serve set, it then prints the console's address
// and keeps everything up until ctx ends (Ctrl-C), so the story can be
// browsed. The admin token goes to a file in the demo's data folder, and
// only its path is printed, as serve does.
func RunServe(ctx context.Context, out io.Writer, d driver.Driver, serve bool) error {
	start := time.Now()
	e, err := Start(ctx, Options{Driver: d, SkipApply: true})
	if err != nil {
		return err
	}
	defer e.Close()
	fmt.Fprintf(out, "ticketbridge demo: %s simulator + ticketbridge on SQLite, all on loopback\n", e.PSA)
	lines, err := e.Apply(ctx, e.settings)
	if err != nil {
		return fmt.Errorf("apply demo settings: %w", err)
	}
	fmt.Fprintf(out, "\napplied integration settings (%d changes, names resolved against the PSA's picklists)\n", len(lines))
	tickets := map[string]string{}
	for i, s := range chapters(e.Sim.Seed()) {
		fmt.Fprintf(out, "\n%d. %s\n", i+1, s.say)
		if err := e.runStep(ctx, s, tickets); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
	}
	if err := e.Summary(ctx, out); err != nil {
		return err
	}
	fmt.Fprintf(out, "\ndemo finished in %.1fs\n", time.Since(start).Seconds())
	if !serve {
		return nil
	}
	tokenFile := filepath.Join(e.DataDir, "admin.token")
	if err := os.WriteFile(tokenFile, []byte(e.AdminToken+"\n"), 0o600); err != nil {
		return fmt.Errorf("write admin token file: %w", err)
	}
	fmt.Fprintf(out, "\nconsole: %s/ (sign in with the admin token in %s)\nserving until Ctrl-C\n", e.BaseURL, tokenFile)
	<-ctx.Done()
	return nil
}

func (e *Env) runStep(ctx context.Context, s step, tickets map[string]string) error {
	if s.act != nil {
		return s.act(ctx, e, tickets)
	}
	var sent struct{ ID string }
	if err := json.Unmarshal([]byte(s.alert), &sent); err != nil {
		return fmt.Errorf("demo alert: %w", err)
	}
	e.played = append(e.played, sent.ID)
	code, body, err := e.Send(ctx, s.alert)
	if err != nil {
		return err
	}
	if code != http.StatusAccepted {
		return fmt.Errorf("ingest answered %d: %s", code, body)
	}
	if err := e.WaitIdle(ctx, 10*time.Second); err != nil {
		return err
	}
	return e.recordTickets(ctx, tickets)
}

// recordTickets maps each alert id to the PSA ticket id it landed on.
func (e *Env) recordTickets(ctx context.Context, tickets map[string]string) error {
	links, err := e.links(ctx)
	if err != nil {
		return err
	}
	for _, l := range links {
		alerts, err := e.App.Store.AlertsByTicketLink(ctx, l.ID)
		if err != nil {
			return err
		}
		for _, a := range alerts {
			tickets[a.Alert.ID] = l.PSATicketID
		}
	}
	return nil
}

func (e *Env) links(ctx context.Context) ([]store.TicketLink, error) {
	its, err := e.App.Store.Integrations(ctx, store.DefaultTenant)
	if err != nil || len(its) == 0 {
		return nil, fmt.Errorf("no integration: %w", err)
	}
	return e.App.Store.TicketLinks(ctx, its[0].ID)
}

// Summary prints the tickets as the PSA holds them and every timeline.
func (e *Env) Summary(ctx context.Context, out io.Writer) error {
	links, err := e.links(ctx)
	if err != nil {
		return err
	}
	conn, err := e.App.Connector(ctx, e.name)
	if err != nil {
		return err
	}
	pl, err := conn.Picklists(ctx)
	if err != nil {
		return err
	}
	companies, err := conn.Companies(ctx, psa.CompanyFilter{})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n== Tickets in %s (%d) ==\n", e.PSA, len(links))
	for _, l := range links {
		if err := printTicket(ctx, out, conn, pl, companies, l); err != nil {
			return err
		}
	}
	return e.printTimelines(ctx, out)
}

func printTicket(ctx context.Context, out io.Writer, conn psa.Connector, pl psa.Picklists, companies []psa.Company, l store.TicketLink) error {
	t, err := conn.Ticket(ctx, l.PSATicketID)
	if err != nil {
		return fmt.Errorf("read ticket %s: %w", l.PSATicketID, err)
	}
	company := t.CompanyID
	for _, c := range companies {
		if c.ID == t.CompanyID {
			company = c.Name
		}
	}
	contact := "(none)"
	if cs, err := conn.Contacts(ctx, t.CompanyID); err == nil {
		for _, c := range cs {
			if c.ID == t.ContactID {
				contact = c.Name() + " <" + c.Email + ">"
			}
		}
	}
	fmt.Fprintf(out, "\n%s  %q\n  company: %s   contact: %s\n  queue: %s   priority: %s   status: %s\n",
		t.Number, t.Title, company, contact, pl.Label(psa.FieldQueue, t.Queue), pl.Label(psa.FieldPriority, t.Priority), pl.Label(psa.FieldStatus, t.Status))
	notes, err := conn.Notes(ctx, t.ID)
	if err != nil {
		return fmt.Errorf("read notes of %s: %w", t.Number, err)
	}
	for _, n := range notes {
		if n.Title == "" {
			continue // a PSA that keeps the ticket's description as its first note
		}
		fmt.Fprintf(out, "  note: %q (%s)\n", n.Title, n.Visibility)
	}
	return nil
}

func (e *Env) printTimelines(ctx context.Context, out io.Writer) error {
	fmt.Fprintln(out, "\n== Alert timelines ==")
	for _, id := range e.played {
		a, err := e.App.Store.AlertBySourceID(ctx, store.DefaultTenant, e.SourceID, id)
		if err != nil {
			return fmt.Errorf("read alert %s: %w", id, err)
		}
		entries, err := e.App.Store.Timeline(ctx, a.Seq)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n%s  %s (%s)\n", id, a.Alert.Type, a.Alert.Organization.Name)
		for _, en := range entries {
			fmt.Fprintf(out, "  %s  %-14s %s\n", en.At.Format("15:04:05.000"), en.Event, strings.TrimSpace(en.Detail))
		}
	}
	return nil
}
