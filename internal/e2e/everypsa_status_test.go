package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func statusSection(p, extra string) string {
	done := seedOf(p).ClosedStatus
	return `
status_sync:
  enabled: true
  poll_interval: 5s
  auto_resolve: true
  issues: {open: New, in_progress: In Progress, resolved: ` + done + `}
  incidents: {open: New, in_progress: In Progress, resolved: ` + done + `}
` + extra
}

func contractsSection(p string) string {
	seed := seedOf(p)
	return `
contracts:
  attach_to_tickets: true
  billable_users: {enabled: true, day_of_month: 1, default_service: ` + seed.Service + `}
  map:
    - {organization: org-42, contract: ` + seed.Contract + `, add_service: true}
`
}

// startPSAWith starts a PSA's demo env and applies its scenario settings
// plus extra sections; public_url placeholders become the app's URL.
func startPSAWith(t *testing.T, p, groupBy string, extra func(base string) string, mods ...func(*demo.Options)) *env {
	t.Helper()
	e := start(t, "", append([]func(*demo.Options){func(o *demo.Options) { o.PSA, o.SkipApply = p, true }}, mods...)...)
	s := psaSettings(e.DefaultSettings(), groupBy)
	s = strings.Replace(s, "sync:\n", "sync:\n  update: true\n", 1) + extra(e.BaseURL)
	if _, err := e.Apply(context.Background(), s); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return e
}

// skipUnsupported skips a case for a PSA whose profile declares the
// setting it rests on unsupported (apply would refuse it, saying why).
func skipUnsupported(t *testing.T, p, path string) {
	t.Helper()
	d, err := lookupPSA(p)
	if err != nil {
		t.Fatal(err)
	}
	if why, lacks := d.Profile.Lacks(path); lacks {
		t.Skipf("%s lacks %s: %s", p, path, why)
	}
}

func TestStatusSyncOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p+"/poll and auto-resolve", func(t *testing.T) {
			t.Parallel()
			e := startPSAWith(t, p, "user_alert", func(string) string { return statusSection(p, "") })
			e.send(testAlert{ID: "s1", Type: "Too Many Downloads", Email: "jane@acme.example"})
			a2 := testAlert{ID: "s2", Type: "Too Many Uploads", Email: "jane@acme.example"}
			e.send(a2)
			if err := e.CloseTicket(context.Background(), e.viewOf("s1").ID); err != nil {
				t.Fatal(err)
			}
			eventually(t, 7*time.Second, "PSA close resolves the alert (poll)", func() bool {
				return e.alertStatus("s1").Alert.Status == alert.StatusResolved
			})
			eventually(t, 10*time.Second, "the status poll's lag in the metrics", func() bool {
				return strings.Contains(e.metricsText(), "ticketbridge_status_sync_lag_seconds{integration=")
			})
			e.resend(a2, alert.StatusResolved, "")
			if v := e.viewOf("s2"); !v.Closed {
				t.Errorf("auto-resolve left the ticket open")
			}
		})
		t.Run(p+"/webhook within a second", func(t *testing.T) {
			t.Parallel()
			skipUnsupported(t, p, "status_sync.webhooks")
			e := startPSAWith(t, p, "user_alert", func(base string) string {
				return statusSection(p, "  webhooks: true\n  public_url: "+base+"\n")
			})
			e.send(testAlert{ID: "w1", Type: "Too Many Downloads", Email: "jane@acme.example"})
			if err := e.CloseTicket(context.Background(), e.viewOf("w1").ID); err != nil {
				t.Fatal(err)
			}
			eventually(t, time.Second, "webhook resolves the alert", func() bool {
				return e.alertStatus("w1").Alert.Status == alert.StatusResolved
			})
		})
	}
}

func TestContractsOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			skipUnsupported(t, p, "contracts.attach_to_tickets")
			skipUnsupported(t, p, "contracts.billable_users")
			e := startPSAWith(t, p, "none", func(string) string { return contractsSection(p) })
			e.send(testAlert{ID: "k1", Type: "X", Email: "jane@acme.example"},
				testAlert{ID: "k2", Org: "org-77", OrgName: "Contoso", Type: "X", Email: "a@b.c"})
			l1, _ := e.ticketOf("k1")
			l2, _ := e.ticketOf("k2")
			t1, _ := e.Tech.Ticket(context.Background(), l1.PSATicketID)
			t2, _ := e.Tech.Ticket(context.Background(), l2.PSATicketID)
			if t1.ContractID == "" || t2.ContractID != "" {
				t.Errorf("contracts: mapped %q (want set), unmapped %q (want none)", t1.ContractID, t2.ContractID)
			}
			e.putCount(t, "org-42", 7)
			e.App.Engine.Nudge()
			eventually(t, 10*time.Second, "billable users synced", func() bool {
				return countAction(e.audits(t), "adjusted", "") == 1
			})
			if pv := e.preview(t); len(pv) != 1 || pv[0].Current != 7 || pv[0].Action != "unchanged" {
				t.Errorf("after sync the PSA holds %+v, want 7 units, unchanged", pv)
			}
			checkServiceLinePrice(t, e, p, t1.ContractID)
		})
	}
}

// checkServiceLinePrice checks that the service ticketbridge put on the
// contract (the settings name no unit_price or unit_cost) carries the
// price and cost of the PSA's own service, both read from the simulator.
func checkServiceLinePrice(t *testing.T, e *env, p, contractID string) {
	t.Helper()
	ctx := context.Background()
	cc, ok := e.Tech.(psa.Contracts)
	if !ok {
		t.Fatalf("%s: the technician's connector has no contracts", p)
	}
	services, err := cc.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var svc psa.Service
	for _, sv := range services {
		if sv.Name == seedOf(p).Service {
			svc = sv
		}
	}
	if svc.ID == "" || svc.UnitPrice == 0 {
		t.Fatalf("%s: seed service %q not found with a price among %+v", p, seedOf(p).Service, services)
	}
	lines, err := cc.ContractServices(ctx, contractID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if l.ServiceID == svc.ID {
			if l.UnitPrice != svc.UnitPrice || l.UnitCost != svc.UnitCost {
				t.Errorf("%s: contract line price, cost = %v, %v; want the service's %v, %v", p, l.UnitPrice, l.UnitCost, svc.UnitPrice, svc.UnitCost)
			}
			return
		}
	}
	t.Errorf("%s: service %s not on contract %s: %+v", p, svc.Name, contractID, lines)
}
