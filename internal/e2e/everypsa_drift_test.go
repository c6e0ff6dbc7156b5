package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// A queue renamed in the PSA: reconcile reports it with the nearest
// names, the next alert's delivery waits (saying why) instead of failing,
// and after apply with the new name it goes out to that queue.
func TestDriftOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := startPSA(t, p, "user")
			base := psaSettings(e.DefaultSettings(), "user")
			e.send(testAlert{ID: "q1", Type: "X", Email: "jane@acme.example"})
			if err := e.RenameQueue("Security", "Security Operations"); err != nil {
				t.Fatal(err)
			}
			var answer struct{ Integrations []app.IntegrationDrift }
			if err := json.Unmarshal([]byte(e.adminDo("POST", "/api/v1/reconcile")), &answer); err != nil {
				t.Fatal(err)
			}
			reports := answer.Integrations
			if len(reports) != 1 {
				t.Fatalf("reconcile = %+v", reports)
			}
			if m := e.metricsText(); !strings.Contains(m, `ticketbridge_drift_findings{integration="`+reports[0].Integration+`"} 1`) {
				t.Errorf("metrics do not count the drift finding")
			}
			found := false
			for _, f := range reports[0].Findings {
				found = found || f.Path == "ticket.queue" && strings.Contains(f.Message, `"Security Operations"`)
			}
			if !found {
				t.Fatalf("reconcile findings %+v do not report ticket.queue with the nearest name", reports[0].Findings)
			}

			if code, body, err := e.Send(ctx, "["+testAlert{ID: "q2", Type: "X", Email: "bob@acme.example"}.json()+"]"); err != nil || code != 202 {
				t.Fatalf("send: %d %s %v", code, body, err)
			}
			e.App.Engine.Nudge()
			eventually(t, 10*time.Second, "q2's delivery waits for the drift", func() bool {
				return strings.Contains(e.timelineText("q2"), "waiting: the PSA no longer backs these settings")
			})
			eventually(t, 10*time.Second, "the waiting delivery's age in the metrics", func() bool {
				m := e.metricsText()
				prefix := `ticketbridge_oldest_pending_delivery_seconds{integration="` + reports[0].Integration + `"} `
				i := strings.Index(m, prefix)
				return i >= 0 && !strings.HasPrefix(m[i+len(prefix):], "0\n")
			})
			if l, ok := e.ticketOf("q2"); ok && l.PSATicketID != "" {
				t.Fatal("q2 got a ticket while the queue was gone")
			}
			failed, _ := e.App.Store.Deliveries(ctx, store.DeliveryFilter{TenantID: store.DefaultTenant, State: store.DeliveryFailed})
			if len(failed) > 0 {
				t.Fatalf("%d deliveries failed instead of waiting: %s", len(failed), failed[0].LastError)
			}

			fixed := strings.Replace(base, "  queue: Security\n", "  queue: Security Operations\n", 1)
			if _, err := e.Apply(ctx, fixed); err != nil {
				t.Fatalf("apply with the new name: %v", err)
			}
			if err := e.WaitIdle(ctx, 15*time.Second); err != nil {
				t.Fatal(err)
			}
			e.noFailedDeliveries()
			if v := e.viewOf("q2"); v.Queue != "Security Operations" {
				t.Errorf("q2's ticket is in queue %q, want Security Operations", v.Queue)
			}
			if err := json.Unmarshal([]byte(e.adminDo("GET", "/api/v1/drift")), &answer); err != nil || len(answer.Integrations) != 1 || len(answer.Integrations[0].Findings) != 0 {
				t.Errorf("after apply the drift report still holds %+v (%v)", answer, err)
			}
		})
	}
}

// A queue renamed in the PSA that only one override uses holds only the
// deliveries that override fills: an alert of that rule waits, saying
// which setting it waits for, while another alert's ticket goes out to
// the default queue; after apply with the new name the held one follows.
func TestDriftHoldsOnlyItsDeliveriesOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := startPSA(t, p, "user")
			base := psaSettings(e.DefaultSettings(), "user")
			if err := e.RenameQueue("Service Desk", "Service Desk Team"); err != nil {
				t.Fatal(err)
			}
			e.adminDo("POST", "/api/v1/reconcile")
			held := testAlert{ID: "h1", Type: "Bad Hash", Email: "jane@acme.example", Rule: "ioc:ioc-5"}
			free := testAlert{ID: "f1", Type: "X", Email: "bob@acme.example"}
			if code, body, err := e.Send(ctx, "["+held.json()+","+free.json()+"]"); err != nil || code != 202 {
				t.Fatalf("send: %d %s %v", code, body, err)
			}
			e.App.Engine.Nudge()
			eventually(t, 10*time.Second, "f1's ticket goes out while the override's queue is gone", func() bool {
				return e.ticketIDOf("f1") != ""
			})
			eventually(t, 10*time.Second, "h1's delivery waits for the override's queue", func() bool {
				return strings.Contains(e.timelineText("h1"), "waiting: the PSA no longer backs these settings (fix them and apply): ticket.overrides[ioc_rule=ioc-5].queue")
			})
			if v := e.viewOf("f1"); v.Queue != "Security" {
				t.Errorf("f1's ticket is in queue %q, want the default Security", v.Queue)
			}
			if tl := e.timelineText("f1"); strings.Contains(tl, "waiting") {
				t.Errorf("f1 uses no drifted value but its timeline says it waited:\n%s", tl)
			}
			if e.ticketIDOf("h1") != "" {
				t.Fatal("h1 got a ticket while its override's queue was gone")
			}
			e.noFailedDeliveries()

			fixed := strings.ReplaceAll(base, "      queue: Service Desk\n", "      queue: Service Desk Team\n")
			if _, err := e.Apply(ctx, fixed); err != nil {
				t.Fatalf("apply with the new name: %v", err)
			}
			if err := e.WaitIdle(ctx, 15*time.Second); err != nil {
				t.Fatal(err)
			}
			e.noFailedDeliveries()
			if v := e.viewOf("h1"); v.Queue != "Service Desk Team" {
				t.Errorf("h1's ticket is in queue %q, want Service Desk Team", v.Queue)
			}
		})
	}
}

// ticketIDOf is the PSA ticket id of the alert's route, "" while it has
// no route or its ticket is not created yet.
func (e *env) ticketIDOf(alertID string) string {
	e.t.Helper()
	ctx := context.Background()
	a, err := e.App.Store.AlertBySourceID(ctx, store.DefaultTenant, e.SourceID, alertID)
	if err != nil {
		return ""
	}
	routes, err := e.App.Store.Routes(ctx, a.Seq)
	if err != nil || len(routes) != 1 || routes[0].TicketLinkID == 0 {
		return ""
	}
	l, err := e.App.Store.TicketLink(ctx, routes[0].TicketLinkID)
	if err != nil {
		return ""
	}
	return l.PSATicketID
}

// adminDo calls the API with the admin token and returns the body.
func (e *env) adminDo(method, path string) string {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.BaseURL+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("%s %s: %s %s", method, path, resp.Status, b)
	}
	return string(b)
}

// metricsText is the app's /metrics page.
func (e *env) metricsText() string {
	e.t.Helper()
	resp, err := http.Get(e.BaseURL + "/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
