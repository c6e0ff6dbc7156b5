package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// downable is a simulator that can be taken down: while down, every
// request is answered 503, as a PSA in maintenance does.
type downable struct {
	driver.Simulator
	down atomic.Bool
}

func (d *downable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d.down.Load() && !strings.HasPrefix(r.URL.Path, "/_sim") {
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	d.Simulator.ServeHTTP(w, r)
}

// TestPSAOutageShows: with auto-match on, alerts that arrive while the PSA
// is down wait for routing where everyone can see them (the backlog and
// oldest-waiting metrics, the alert's timeline, /readyz once the outage
// has lasted the degraded time) and nothing is marked failed; once the PSA
// is back, every alert becomes a ticket.
func TestPSAOutageShows(t *testing.T) {
	t.Parallel()
	d := everyPSA[0]
	sim := &downable{Simulator: d.Simulate(driver.SimOptions{})}
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	e := start(t, settings("user_alert"), func(o *demo.Options) {
		o.Driver, o.Sim, o.SimURL = d, sim, srv.URL
		o.DegradedAfter = 300 * time.Millisecond
	})
	const name = "e2e" // as settings() names it
	// The company list auto-match uses is cached once read: the outage
	// starts before the first alert, so routing must read it.
	sim.down.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alerts := []testAlert{
		{ID: "o1", Org: "org-7", OrgName: "Globex Corporation", Type: "Too Many Downloads", Severity: "high", Email: "hank@globex.example"},
		{ID: "o2", Org: "org-8", OrgName: "Initech", Type: "Impossible Travel", Severity: "medium", Email: "bill@initech.example"},
	}
	parts := []string{alerts[0].json(), alerts[1].json()}
	if code, body, err := e.Send(ctx, "["+strings.Join(parts, ",")+"]"); err != nil || code != http.StatusAccepted {
		t.Fatalf("send: %d %s %v", code, body, err)
	}

	defer func() {
		if t.Failed() {
			t.Log(e.logs.String())
		}
	}()
	waitFor(t, "/readyz to name the degraded integration", func() bool {
		body := get(t, e.BaseURL+"/readyz", http.StatusOK)
		return strings.Contains(body, "degraded: integration "+name+": routing waits since")
	})
	metrics := get(t, e.BaseURL+"/metrics", http.StatusOK)
	for _, want := range []string{
		"ticketbridge_delivery_backlog 2",
		`ticketbridge_routing_waiting_alerts{integration="` + name + `"} 2`,
		`ticketbridge_integration_degraded{integration="` + name + `"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics during the outage lack %q", want)
		}
	}
	if strings.Contains(metrics, "ticketbridge_oldest_waiting_alert_seconds 0\n") {
		t.Error("the oldest waiting alert's age is 0 during the outage")
	}
	for _, a := range alerts {
		if tl := e.timelineText(a.ID); !strings.Contains(tl, "waiting not routed yet: the PSA's companies could not be read") {
			t.Errorf("timeline of %s does not say it waits:\n%s", a.ID, tl)
		}
	}
	if n := strings.Count(e.logs.String(), `"msg":"routing waits`); n != 1 {
		t.Errorf("the outage was logged as an error %d times, want once", n)
	}

	sim.down.Store(false)
	// After the outage the routing backoff (at most a minute; far less
	// here) lets the alerts through, each onto a ticket.
	onTicket := func(id string) bool {
		routes, err := e.App.Store.Routes(ctx, e.storedAlert(id).Seq)
		if err != nil || len(routes) != 1 {
			return false
		}
		l, err := e.App.Store.TicketLink(ctx, routes[0].TicketLinkID)
		return err == nil && l.PSATicketID != ""
	}
	waitFor(t, "both alerts to land on tickets", func() bool { return onTicket("o1") && onTicket("o2") })
	if err := e.WaitIdle(ctx, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	e.noFailedDeliveries()
	if n, err := e.App.Store.CountDeliveries(ctx, store.DefaultTenant, store.DeliveryFailed); err != nil || n != 0 {
		t.Errorf("failed deliveries after the outage: %d, %v", n, err)
	}
	waitFor(t, "/readyz to drop the degraded line", func() bool {
		return !strings.Contains(get(t, e.BaseURL+"/readyz", http.StatusOK), "degraded")
	})
	if !strings.Contains(e.logs.String(), `"msg":"routing resumed"`) {
		t.Error("the end of the outage was not logged")
	}
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// get reads url and checks the status.
func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d: %s", url, resp.StatusCode, want, b)
	}
	return string(b)
}

// TestUnreadyAfter: with --unready-after, an outage that lasts past it
// fails /readyz with 503 naming the integration, and readiness returns
// with the PSA. Without it (TestPSAOutageShows) readiness holds.
func TestUnreadyAfter(t *testing.T) {
	t.Parallel()
	d := everyPSA[0]
	sim := &downable{Simulator: d.Simulate(driver.SimOptions{})}
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	e := start(t, settings("user_alert"), func(o *demo.Options) {
		o.Driver, o.Sim, o.SimURL = d, sim, srv.URL
		o.DegradedAfter, o.UnreadyAfter = 100*time.Millisecond, 300*time.Millisecond
	})
	sim.down.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if code, body, err := e.Send(ctx, "["+testAlert{ID: "u1", Type: "X", Email: "jane@acme.example"}.json()+"]"); err != nil || code != http.StatusAccepted {
		t.Fatalf("send: %d %s %v", code, body, err)
	}
	readyz := func() (int, string) {
		resp, err := http.Get(e.BaseURL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	waitFor(t, "/readyz to fail past --unready-after", func() bool {
		code, body := readyz()
		return code == http.StatusServiceUnavailable && strings.Contains(body, "unready: integration e2e has failed since")
	})
	sim.down.Store(false)
	waitFor(t, "/readyz to pass once the PSA is back", func() bool {
		code, _ := readyz()
		return code == http.StatusOK
	})
}
