package e2e

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Retention scenario: every simulated week, weeklyUsers users send
// weeklyPerUser alerts each (one ticket per user, closed by a technician
// the same week) and the keeper sends one alert to a ticket nobody closes.
const (
	retentionWeeks = 32
	outageWeek     = 16 // after its week, the PSA is down for outageDays
	outageDays     = 100
	steadyWeek     = 15 // a week whose rows the last week's are held to
	weeklyUsers    = 5
	weeklyPerUser  = 8
	retentionAge   = 90 * 24 * time.Hour
)

// outage answers 503 for every request while down, as a PSA in an outage.
type outage struct {
	http.Handler
	down atomic.Bool
}

func (o *outage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if o.down.Load() {
		http.Error(w, `{"errors":["simulated outage"]}`, http.StatusServiceUnavailable)
		return
	}
	o.Handler.ServeHTTP(w, r)
}

// TestRetentionKeepsTheDatabaseBounded runs 32 simulated weeks (with a
// 100-day PSA outage after week 16) through the app with a 90-day
// retention, moving the clock the app and the PSA share: after each
// week's pass exactly the alerts last changed within 90 days are stored,
// plus every alert of the ticket that stays open; the alert whose ticket
// could not be created during the outage outlives its age and is
// delivered when the PSA is back; and the rows and pages in use at the end
// are what they were in the steady weeks before, though far more alerts
// went through.
func TestRetentionKeepsTheDatabaseBounded(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
	sim := autotask.Simulator(autotasksim.New(autotasksim.Options{Now: clk.Now}))
	defer sim.Close()
	psa := &outage{Handler: sim}
	srv := httptest.NewServer(psa)
	defer srv.Close()
	e := start(t, statusSettings(false, ""), func(o *demo.Options) {
		o.Sim, o.SimURL = sim, srv.URL
		o.AppOpts.Now, o.Retention = clk.Now, retentionAge
	})
	db, err := sql.Open("sqlite", filepath.Join(e.DataDir, "ticketbridge.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := &retentionRun{env: e, clk: clk, db: db, changed: map[string]time.Time{}, pending: map[string]bool{}}
	var steady, last usage
	for week := range retentionWeeks {
		if week > 0 {
			clk.Set(clk.Now().Add(7 * 24 * time.Hour))
		}
		r.week(week)
		r.prune()
		r.checkStored(fmt.Sprintf("week %d", week))
		switch week {
		case steadyWeek:
			steady = r.usage()
		case outageWeek:
			r.outage(psa)
		case retentionWeeks - 1:
			last = r.usage()
		}
	}
	t.Logf("week %d: %+v; week %d: %+v; %d alerts sent, %d pruned", steadyWeek, steady, retentionWeeks-1, last, len(r.changed), r.pruned)
	for _, c := range []struct {
		what        string
		steady, end int64
	}{
		{"alerts", steady.alerts, last.alerts}, {"timeline rows", steady.timeline, last.timeline},
		{"routes", steady.routes, last.routes}, {"deliveries", steady.deliveries, last.deliveries},
		{"pages in use", steady.pages, last.pages},
	} {
		// The keeper's alerts are all kept (one more a week); the rest is
		// the same 13 weeks of alerts.
		if float64(c.end) > 1.2*float64(c.steady) {
			t.Errorf("%s: %d in week %d, %d in the steady week %d: not bounded", c.what, c.end, retentionWeeks-1, c.steady, steadyWeek)
		}
	}
	if sent := int64(len(r.changed)); last.alerts*2 > sent {
		t.Errorf("%d of %d alerts stored at the end: retention pruned too little to show a bound", last.alerts, sent)
	}
	if got := e.metric("ticketbridge_alerts_pruned_total"); got != float64(r.pruned) {
		t.Errorf("ticketbridge_alerts_pruned_total = %v, want %d", got, r.pruned)
	}
}

// retentionRun is the scenario's state: when each alert sent was last
// changed (sent, or resolved by its ticket's closing), by id, and the
// alerts with work pending, which no age prunes.
type retentionRun struct {
	*env
	clk     *clock
	db      *sql.DB
	changed map[string]time.Time
	pending map[string]bool
	keeper  store.TicketLink
	pruned  int
}

// week sends the week's alerts, has the technician close every ticket but
// the keeper's a minute later, and waits until the app has seen it.
func (r *retentionRun) week(week int) {
	r.t.Helper()
	alerts := []testAlert{{ID: fmt.Sprintf("keep-%02d", week), Type: "Long Investigation", Email: "keeper@acme.example"}}
	for u := range weeklyUsers {
		for i := range weeklyPerUser {
			alerts = append(alerts, testAlert{ID: fmt.Sprintf("w%02d-u%d-%d", week, u, i), Type: "Weekly Scan",
				Email: fmt.Sprintf("user%d@acme.example", u)})
		}
	}
	for i := range alerts {
		alerts[i].At = r.clk.Now().Add(-time.Minute)
		r.changed[alerts[i].ID] = r.clk.Now()
	}
	r.send(alerts...)
	if week == 0 {
		r.keeper, _ = r.ticketOf("keep-00")
	}
	r.closeTickets()
}

// closeTickets closes every open ticket but the keeper's in the PSA and
// waits for the status poll to close their links and resolve their
// alerts, which changes them.
func (r *retentionRun) closeTickets() {
	r.t.Helper()
	ctx := context.Background()
	r.clk.Set(r.clk.Now().Add(time.Minute)) // the technician comes later
	links := r.liveLinks()
	for _, l := range links {
		if err := r.CloseTicket(ctx, l.PSATicketID); err != nil {
			r.t.Fatal(err)
		}
	}
	r.clk.Set(r.clk.Now().Add(time.Minute)) // the next poll is due
	r.App.Engine.Nudge()
	// The poll closes a link, then resolves its alerts.
	var resolved []store.StoredAlert
	eventually(r.t, 15*time.Second, "the closed tickets' links are closed and their alerts resolved", func() bool {
		resolved = resolved[:0]
		for _, l := range links {
			as, err := r.App.Store.AlertsByTicketLink(ctx, l.ID)
			if err != nil {
				r.t.Fatal(err)
			}
			for _, a := range as {
				if a.Alert.Status != alert.StatusResolved {
					return false
				}
			}
			resolved = append(resolved, as...)
		}
		return len(r.liveLinks()) == 0
	})
	for _, a := range resolved {
		r.changed[a.Alert.ID] = a.UpdatedAt
	}
}

// liveLinks lists the creating or open ticket links but the keeper's.
func (r *retentionRun) liveLinks() []store.TicketLink {
	r.t.Helper()
	it, err := r.App.Store.IntegrationByName(context.Background(), store.DefaultTenant, "e2e")
	if err != nil {
		r.t.Fatal(err)
	}
	all, err := r.App.Store.TicketLinks(context.Background(), it.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	var live []store.TicketLink
	for _, l := range all {
		if l.State != store.LinkClosed && l.ID != r.keeper.ID {
			live = append(live, l)
		}
	}
	return live
}

func (r *retentionRun) prune() {
	r.t.Helper()
	pass, err := r.App.Retention.Prune(context.Background())
	if err != nil {
		r.t.Fatalf("retention pass: %v", err)
	}
	r.pruned += pass.Alerts
}

// checkStored fails unless exactly the alerts changed within the age, the
// keeper's and those with pending work are stored.
func (r *retentionRun) checkStored(when string) {
	r.t.Helper()
	cutoff := r.clk.Now().Add(-retentionAge)
	stored := map[string]bool{}
	keys := make([]store.AlertKey, 0, len(r.changed))
	for id := range r.changed {
		keys = append(keys, store.AlertKey{TenantID: store.DefaultTenant, SourceID: r.SourceID, AlertID: id})
	}
	as, err := r.App.Store.AlertsByKeys(context.Background(), keys)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, a := range as {
		stored[a.Alert.ID] = true
	}
	for id, at := range r.changed {
		want := strings.HasPrefix(id, "keep-") || !at.Before(cutoff) || r.pending[id]
		if stored[id] != want {
			r.t.Errorf("%s: alert %s (last changed %s, cutoff %s) stored = %v, want %v",
				when, id, at.Format(time.DateOnly), cutoff.Format(time.DateOnly), stored[id], want)
		}
	}
}

// outage takes the PSA down, sends an alert whose ticket cannot be
// created, lets 100 days pass, prunes, and brings the PSA back.
func (r *retentionRun) outage(psa *outage) {
	r.t.Helper()
	ctx := context.Background()
	psa.down.Store(true)
	r.send0(testAlert{ID: "outage-1", Type: "Weekly Scan", Email: "outage@acme.example", At: r.clk.Now().Add(-time.Minute)})
	r.changed["outage-1"], r.pending["outage-1"] = r.clk.Now(), true
	eventually(r.t, 15*time.Second, "the outage alert's ticket was tried", func() bool {
		ds := r.deliveries("outage-1")
		return len(ds) == 1 && ds[0].Attempts > 0 && ds[0].State == store.DeliveryPending
	})
	r.clk.Set(r.clk.Now().Add(outageDays * 24 * time.Hour))
	r.prune()
	r.checkStored("after the outage")
	if ds := r.deliveries("outage-1"); len(ds) != 1 || ds[0].State != store.DeliveryPending {
		r.t.Fatalf("the outage alert's delivery after the prune: %+v, want one pending", ds)
	}
	psa.down.Store(false)
	r.clk.Set(r.clk.Now().Add(time.Hour)) // the next retry is due (backoff is at most 10 minutes)
	if err := r.WaitIdle(ctx, 15*time.Second); err != nil {
		r.t.Fatal(err)
	}
	r.noFailedDeliveries()
	if l, ok := r.ticketOf("outage-1"); !ok || l.State != store.LinkOpen || l.PSATicketID == "" {
		r.t.Fatalf("the outage alert's ticket after the PSA came back: %+v, want open in the PSA", l)
	}
	delete(r.pending, "outage-1")
	r.closeTickets()
}

func (r *retentionRun) deliveries(alertID string) []store.Delivery {
	r.t.Helper()
	ds, err := r.App.Store.Deliveries(context.Background(), store.DeliveryFilter{
		TenantID: store.DefaultTenant, AlertSeq: r.storedAlert(alertID).Seq})
	if err != nil {
		r.t.Fatal(err)
	}
	return ds
}

// usage is what the database holds: rows of the tables that grow with
// alerts, and pages in use (the file's pages not on its free list).
type usage struct{ alerts, timeline, routes, deliveries, pages int64 }

func (r *retentionRun) usage() usage {
	r.t.Helper()
	var u usage
	var free int64
	for q, v := range map[string]*int64{
		`SELECT COUNT(*) FROM alerts`: &u.alerts, `SELECT COUNT(*) FROM timeline`: &u.timeline,
		`SELECT COUNT(*) FROM routes`: &u.routes, `SELECT COUNT(*) FROM deliveries`: &u.deliveries,
		`PRAGMA page_count`: &u.pages, `PRAGMA freelist_count`: &free,
	} {
		if err := r.db.QueryRow(q).Scan(v); err != nil {
			r.t.Fatalf("%s: %v", q, err)
		}
	}
	u.pages -= free
	return u
}

// metric reads a counter or gauge without labels from GET /metrics.
func (e *env) metric(name string) float64 {
	e.t.Helper()
	resp, err := http.Get(e.BaseURL + "/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				e.t.Fatal(err)
			}
			return f
		}
	}
	e.t.Fatalf("metric %s not served", name)
	return 0
}
