package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// clock is a settable time shared by the app and the simulator.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

const billingSettings = `
contracts:
  attach_to_tickets: true
  billable_users:
    enabled: true
    day_of_month: 5
    time_zone: Europe/Berlin
    default_service: SaaS Alerts User
  map:
    - {organization: org-42, contract: Acme Managed Services, add_service: true, unit_price: 2.5}
`

const (
	contractAcme = 601
)

func (e *env) putCount(t *testing.T, org string, n int) {
	t.Helper()
	req, _ := http.NewRequest("PUT", e.BaseURL+"/api/v1/organizations/"+org+"/billable-users", strings.NewReader(fmt.Sprintf(`{"count":%d}`, n)))
	req.Header.Set("Authorization", "Bearer "+e.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("put billable count: %s", resp.Status)
	}
}

// units reads the contract service's units in effect at the clock's date
// straight from the simulator.
func (e *env) units(t *testing.T) (float64, int) {
	t.Helper()
	var r struct {
		Items []struct {
			Units float64 `json:"units"`
		}
	}
	e.simCall("POST", "V1.0/ContractServiceUnits/query", fmt.Sprintf(`{"filter":[{"op":"eq","field":"contractID","value":%d}]}`, contractAcme), &r)
	if len(r.Items) == 0 {
		return 0, 0
	}
	return r.Items[len(r.Items)-1].Units, len(r.Items)
}

func (e *env) audits(t *testing.T) []store.BillingAudit {
	t.Helper()
	its, _ := e.App.Store.Integrations(context.Background(), store.DefaultTenant)
	a, err := e.App.Store.BillingAudits(context.Background(), its[0].ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func countAction(as []store.BillingAudit, action, period string) int {
	n := 0
	for _, a := range as {
		if a.Action == action && (period == "" || a.Period == period) {
			n++
		}
	}
	return n
}

type previewLine struct {
	Organization string  `json:"organization"`
	Current      float64 `json:"current_units"`
	Change       float64 `json:"change"`
	Action       string  `json:"action"`
}

func (e *env) preview(t *testing.T) []previewLine {
	t.Helper()
	var r struct {
		Integrations []struct{ Lines []previewLine }
	}
	if err := json.Unmarshal([]byte(e.adminGet("/api/v1/billing/preview")), &r); err != nil || len(r.Integrations) != 1 {
		t.Fatalf("preview: %v %+v", err, r)
	}
	return r.Integrations[0].Lines
}

// TestContractsAndBillableUsers walks a year of billing: contract on
// tickets, first sync, a same-day rerun, a count change, a missed month,
// and the preview matching what the sync does.
func TestContractsAndBillableUsers(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)}
	e := start(t, settings("none")+billingSettings, func(o *demo.Options) {
		o.AppOpts.Now, o.SimOpts.Now = clk.Now, clk.Now
	})
	e.send(testAlert{ID: "k1", Type: "X", Email: "jane@acme.example", At: clk.Now().Add(-time.Hour)},
		testAlert{ID: "k2", Org: "org-77", OrgName: "Contoso", Type: "X", Email: "a@b.c", At: clk.Now().Add(-time.Hour)})
	byID := ticketsByID(e)
	l1, _ := e.ticketOf("k1")
	l2, _ := e.ticketOf("k2")
	if c := byID[l1.PSATicketID].ContractID; c == nil || *c != contractAcme {
		t.Errorf("mapped organization's ticket contract = %v, want %d", deref(c), contractAcme)
	}
	if c := byID[l2.PSATicketID].ContractID; c != nil {
		t.Errorf("unmapped organization's ticket has contract %d, want none", *c)
	}

	e.putCount(t, "org-42", 10)
	pv := e.preview(t)
	if len(pv) != 1 || pv[0].Action != "add_service" || pv[0].Change != 10 {
		t.Fatalf("preview before first sync = %+v, want add_service +10", pv)
	}
	if n := len(e.audits(t)); n != 0 {
		t.Fatalf("%d audit rows before the sync day, want 0", n)
	}

	clk.Set(time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC))
	e.App.Engine.Nudge()
	eventually(t, 10*time.Second, "first sync", func() bool { return countAction(e.audits(t), "adjusted", "2026-11") == 1 })
	if u, _ := e.units(t); u != 10 {
		t.Errorf("units after first sync = %v, want 10 (the preview said +10)", u)
	}
	if n := countAction(e.audits(t), "service_added", ""); n != 1 {
		t.Errorf("service added %d times, want 1", n)
	}

	e.App.Engine.Nudge() // same day again
	time.Sleep(700 * time.Millisecond)
	if n := countAction(e.audits(t), "adjusted", ""); n != 1 {
		t.Errorf("a second sync on the same day adjusted again (%d adjustments)", n)
	}
	if pv := e.preview(t); pv[0].Action != "unchanged" || pv[0].Change != 0 {
		t.Errorf("preview after sync = %+v, want unchanged", pv)
	}

	e.putCount(t, "org-42", 14)
	clk.Set(time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)) // the day before December's sync
	if pv := e.preview(t); pv[0].Change != 4 {
		t.Fatalf("preview for December = %+v, want +4", pv)
	}
	clk.Set(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	e.App.Engine.Nudge()
	eventually(t, 10*time.Second, "December sync", func() bool { return countAction(e.audits(t), "adjusted", "2026-12") == 1 })
	if u, _ := e.units(t); u != 14 {
		t.Errorf("units after December = %v, want 14", u)
	}

	e.putCount(t, "org-42", 20)
	clk.Set(time.Date(2027, 3, 10, 9, 0, 0, 0, time.UTC)) // January and February missed
	e.App.Engine.Nudge()
	eventually(t, 10*time.Second, "catch-up sync", func() bool { return countAction(e.audits(t), "adjusted", "2027-03") == 1 })
	time.Sleep(700 * time.Millisecond)
	as := e.audits(t)
	if n := countAction(as, "adjusted", ""); n != 3 {
		t.Errorf("%d adjustments in all, want 3 (November, December, one catch-up)", n)
	}
	if u, _ := e.units(t); u != 20 {
		t.Errorf("units after catch-up = %v, want 20", u)
	}
	// The API answers the audit in snake_case, as every other route.
	var answer struct {
		Audit map[string][]map[string]any `json:"audit"`
	}
	if code := e.apiCall("GET", "/api/v1/billing/audit", nil, &answer); code != 200 {
		t.Fatalf("GET /api/v1/billing/audit: %d", code)
	}
	var rows []map[string]any
	for _, rs := range answer.Audit {
		rows = append(rows, rs...)
	}
	if len(rows) != len(as) {
		t.Fatalf("the API shows %d audit rows, the store holds %d", len(rows), len(as))
	}
	for _, key := range []string{"organization", "period", "action", "units_before", "units_after", "effective_date", "contract_service_id"} {
		if _, ok := rows[0][key]; !ok {
			t.Errorf("audit row %v has no %q", rows[0], key)
		}
	}
}

// TestBillingApplyErrors: each apply-time contract error says what to set.
func TestBillingApplyErrors(t *testing.T) {
	t.Parallel()
	e := start(t, "", func(o *demo.Options) { o.SkipApply = true })
	cases := map[string]struct{ contracts, want string }{
		"no default service": {`
contracts:
  attach_to_tickets: true
  billable_users: {enabled: true}
`, "default_service: required"},
		"service already on contract": {`
companies_extra: x
contracts:
  attach_to_tickets: true
  billable_users: {enabled: true, default_service: Managed Endpoint}
  map:
    - {organization: Initech, contract: Initech Basic, add_service: true}
`, "is already on contract"},
		"contract of another company": {`
contracts:
  attach_to_tickets: true
  map:
    - {organization: org-42, contract: Globex Security Bundle}
`, "is not an active contract of Acme Corp"},
	}
	for name, c := range cases {
		yaml := settings("none") + strings.Replace(c.contracts, "companies_extra: x\n", "", 1)
		if strings.Contains(c.contracts, "Initech") {
			yaml = strings.Replace(yaml, "    - {organization: org-9, enabled: false}", "    - {organization: org-9, enabled: false}\n    - {organization: Initech, company: Initech}", 1)
		}
		_, err := e.Apply(context.Background(), yaml)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to say %q", name, err, c.want)
		}
	}
}
