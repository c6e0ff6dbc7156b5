package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers/driverstest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// baseSettings is a full integration for the simulator's seed tenant;
// tests vary it with strings.Replace.
const baseSettings = `
name: e2e
psa: autotask
connection:
  username: ticketbridge@msp.example
  secret: {env: DEMO_AUTOTASK_SECRET}
  integration_code: {env: DEMO_AUTOTASK_INTEGRATION_CODE}
sync:
  since: 30d
  exclude_types: [Test Alert]
companies:
  catch_all: {company: Default Account, contact: default.contact@msp.example}
  attach_contacts: true
  auto_match: true
  map:
    - {organization: org-42, company: Acme Corp, contact: helpdesk@acme.example}
    - {organization: org-9, enabled: false}
ticket:
  category: Standard
  type: Alert
  status: New
  queue: Security
  source: Monitoring Alert
  subject: "{{.Type}}: {{.UserOrDevice}}"
  group_by: GROUPBY
  priority: {critical: Critical, high: High, medium: Medium, low: Low, info: Low}
  issue_type: Security Incident
  sub_issue_type: Other
  overrides:
    - {alert_type: Too Many Downloads, issue_type: Data Loss, sub_issue_type: Excessive Download}
    - {respond_rule: r-17, issue_type: Account Security, sub_issue_type: Suspicious Sign-in, queue: Service Desk}
    - {ioc_rule: ioc-5, issue_type: Malware, sub_issue_type: Ransomware, priority: Critical}
notes:
  type: Task Notes
  visibility: internal
  title: "Again: {{.Type}} ({{.Severity}})"
`

func settings(groupBy string) string { return strings.Replace(baseSettings, "GROUPBY", groupBy, 1) }

// logBuffer collects the app's logs so tests can search them.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type env struct {
	*demo.Env
	t    *testing.T
	logs *logBuffer
}

func start(t *testing.T, yaml string, mods ...func(*demo.Options)) *env {
	t.Helper()
	logs := &logBuffer{}
	opts := demo.Options{
		Drivers:  everyPSA,
		DataDir:  t.TempDir(),
		Settings: yaml,
		AppOpts:  app.Options{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))},
	}
	for _, m := range mods {
		m(&opts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := demo.Start(ctx, opts)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(e.Close)
	return &env{Env: e, t: t, logs: logs}
}

type testAlert struct {
	ID, Org, OrgName, Type, Severity, Email, Rule string
	At                                            time.Time
}

func (a testAlert) json() string {
	at := a.At
	if at.IsZero() {
		at = time.Now().Add(-time.Minute)
	}
	sev := a.Severity
	if sev == "" {
		sev = "high"
	}
	org := a.Org
	if org == "" {
		org = "org-42"
	}
	m := map[string]any{
		"id": a.ID, "organization": map[string]string{"id": org, "name": a.OrgName}, "type": a.Type,
		"severity": sev, "title": a.Type + " by " + a.Email, "occurred_at": at.UTC().Format(time.RFC3339),
	}
	if a.Email != "" {
		m["user"] = map[string]string{"email": a.Email}
	}
	if a.Rule != "" {
		kind, id, _ := strings.Cut(a.Rule, ":")
		m["rule"] = map[string]string{"kind": kind, "id": id}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// send posts alerts and waits until the engine is idle.
func (e *env) send(alerts ...testAlert) {
	e.t.Helper()
	parts := make([]string, len(alerts))
	for i, a := range alerts {
		parts[i] = a.json()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code, body, err := e.Send(ctx, "["+strings.Join(parts, ",")+"]")
	if err != nil || code != http.StatusAccepted {
		e.t.Fatalf("send: %d %s %v", code, body, err)
	}
	if err := e.WaitIdle(ctx, 15*time.Second); err != nil {
		e.t.Fatalf("wait: %v", err)
	}
	e.noFailedDeliveries()
}

// noFailedDeliveries fails the test with the PSA's errors when any
// delivery ended up failed: no scenario here expects one.
func (e *env) noFailedDeliveries() {
	e.t.Helper()
	failed, err := e.App.Store.Deliveries(context.Background(), store.DeliveryFilter{TenantID: store.DefaultTenant, State: store.DeliveryFailed})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, d := range failed {
		e.t.Errorf("delivery %d (%s, alert %d) failed after %d attempts: %s", d.ID, d.Kind, d.AlertSeq, d.Attempts, d.LastError)
	}
	if len(failed) > 0 {
		e.t.FailNow()
	}
}

// simTicket is a ticket read straight from the simulator's API.
type simTicket struct {
	ID           int    `json:"id"`
	TicketNumber string `json:"ticketNumber"`
	Title        string `json:"title"`
	CompanyID    int    `json:"companyID"`
	ContactID    *int   `json:"contactID"`
	Status       int    `json:"status"`
	Priority     int    `json:"priority"`
	QueueID      *int   `json:"queueID"`
	IssueType    *int   `json:"issueType"`
	SubIssueType *int   `json:"subIssueType"`
	ExternalID   string `json:"externalID"`
	ContractID   *int   `json:"contractID"`
	Description  string `json:"description"`
}

type simNote struct {
	ID          int    `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	NoteType    int    `json:"noteType"`
	Publish     int    `json:"publish"`
}

// simCall calls the simulator as the technician, like a person with a
// browser tab on the PSA would see it.
func (e *env) simCall(method, path, body string, out any) {
	e.t.Helper()
	at := e.autotaskSim()
	tech := at.Users()[1]
	req, _ := http.NewRequest(method, e.SimURL+path, strings.NewReader(body))
	req.Header.Set("ApiIntegrationCode", at.IntegrationCode())
	req.Header.Set("UserName", tech.UserName)
	req.Header.Set("Secret", tech.Secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("sim %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("sim %s %s: %s %s", method, path, resp.Status, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		e.t.Fatalf("sim %s %s: decode: %v", method, path, err)
	}
}

func (e *env) tickets() []simTicket {
	var r struct{ Items []simTicket }
	e.simCall("POST", "V1.0/Tickets/query", `{"filter":[{"op":"gte","field":"id","value":0}]}`, &r)
	return r.Items
}

func (e *env) notes(ticketID int) []simNote {
	var r struct{ Items []simNote }
	e.simCall("GET", fmt.Sprintf("V1.0/Tickets/%d/Notes", ticketID), "", &r)
	return r.Items
}

func (e *env) closeTicket(id int) {
	e.t.Helper()
	if err := e.CloseTicket(context.Background(), fmt.Sprint(id)); err != nil {
		e.t.Fatal(err)
	}
}

// storedAlert reads an alert of the env's source by its id.
func (e *env) storedAlert(alertID string) store.StoredAlert {
	e.t.Helper()
	a, err := e.App.Store.AlertBySourceID(context.Background(), store.DefaultTenant, e.SourceID, alertID)
	if err != nil {
		e.t.Fatalf("alert %s: %v", alertID, err)
	}
	return a
}

// ticketOf returns the PSA ticket an alert landed on (by its route).
func (e *env) ticketOf(alertID string) (store.TicketLink, bool) {
	e.t.Helper()
	r := e.route(alertID)
	if r.TicketLinkID == 0 {
		e.t.Logf("%s has no ticket: %s %s", alertID, r.Outcome, r.Reason)
		return store.TicketLink{}, false
	}
	l, err := e.App.Store.TicketLink(context.Background(), r.TicketLinkID)
	if err != nil {
		e.t.Fatal(err)
	}
	return l, true
}

func (e *env) route(alertID string) store.Route {
	e.t.Helper()
	routes, err := e.App.Store.Routes(context.Background(), e.storedAlert(alertID).Seq)
	if err != nil || len(routes) != 1 {
		e.t.Fatalf("routes of %s: %v %v", alertID, routes, err)
	}
	return routes[0]
}

// timelineText is an alert's timeline, one "event detail" line per entry.
func (e *env) timelineText(alertID string) string {
	e.t.Helper()
	tl, err := e.App.Store.Timeline(context.Background(), e.storedAlert(alertID).Seq)
	if err != nil {
		e.t.Fatal(err)
	}
	var b strings.Builder
	for _, en := range tl {
		fmt.Fprintf(&b, "%s %s\n", en.Event, en.Detail)
	}
	return b.String()
}

// autotaskSim is the Autotask simulator behind e, for tests that speak
// its wire API.
func (e *env) autotaskSim() interface {
	Users() []autotasksim.User
	IntegrationCode() string
} {
	e.t.Helper()
	at, ok := e.Sim.(interface {
		Users() []autotasksim.User
		IntegrationCode() string
	})
	if !ok {
		e.t.Fatalf("%s: not the Autotask simulator", e.PSA)
	}
	return at
}

// seedOf names what the seed tenant of the PSA called p holds.
func seedOf(p string) driver.Seed {
	d, err := lookupPSA(p)
	if err != nil {
		panic(err)
	}
	sim := d.Simulate(driver.SimOptions{})
	defer sim.Close()
	return sim.Seed()
}

// everyPSA is every driver plus a clone of the default one under a name
// nothing else knows. The every-PSA tables run on it too, which shows
// that a driver added to the list is picked up with no other edit.
var everyPSA = drivers.All().With(driverstest.Clone(drivers.Default(), "newpsa"))

// psaNames names everyPSA.
func psaNames() []string { return everyPSA.Names() }

// lacks reports whether the PSA called p has no twin for the setting at
// path, so the every-PSA tables leave out what its profile refuses.
func lacks(p, path string) bool {
	d, err := lookupPSA(p)
	if err != nil {
		panic(err)
	}
	_, ok := d.Profile.Lacks(path)
	return ok
}

// lookupPSA finds the driver called p in everyPSA.
func lookupPSA(p string) (driver.Driver, error) { return everyPSA.Find(p) }
