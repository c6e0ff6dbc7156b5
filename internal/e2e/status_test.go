package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// statusSettings adds a status_sync section (and sync.update) to the base
// settings. Issues and incidents map differently so tests can tell them
// apart: an incident in progress is "Escalated", an issue "In Progress".
func statusSettings(update bool, extra string) string {
	s := strings.Replace(settings("user_alert"), "sync:\n", fmt.Sprintf("sync:\n  update: %v\n", update), 1)
	return s + `
status_sync:
  enabled: true
  poll_interval: 5s
  issues:
    open: New
    in_progress: In Progress
    resolved: Complete
    from_psa:
      - {psa: Waiting Customer, to: in_progress}
  incidents:
    open: New
    in_progress: Escalated
    resolved: Complete
` + extra
}

const (
	statusNew        = 1
	statusInProgress = 8
	statusEscalated  = 10
	statusWaiting    = 7
)

// setTicketStatus changes a ticket's status as the technician does.
func (e *env) setTicketStatus(id, status int) {
	e.t.Helper()
	var r map[string]any
	e.simCall("PATCH", "V1.0/Tickets", fmt.Sprintf(`{"id":%d,"status":%d}`, id, status), &r)
}

// techNote adds a note as the technician.
func (e *env) techNote(id int) {
	e.t.Helper()
	var r map[string]any
	e.simCall("POST", fmt.Sprintf("V1.0/Tickets/%d/Notes", id),
		fmt.Sprintf(`{"ticketID":%d,"title":"Checked","description":"Looked into it","noteType":3,"publish":2}`, id), &r)
}

func (e *env) ticket(id int) simTicket {
	e.t.Helper()
	var r struct{ Item simTicket }
	e.simCall("GET", "V1.0/Tickets/"+strconv.Itoa(id), "", &r)
	return r.Item
}

func (e *env) alertStatus(id string) store.StoredAlert {
	e.t.Helper()
	a, err := e.App.Store.AlertBySourceID(context.Background(), store.DefaultTenant, e.SourceID, id)
	if err != nil {
		e.t.Fatalf("alert %s: %v", id, err)
	}
	return a
}

// eventually polls cond every 50ms until it holds or the time is up.
// Status sync is asynchronous by design (poll interval, callouts); the
// bound is the promise under test, not a speed assert.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v", what, within)
}

func (e *env) resend(a testAlert, status alert.Status, kind string) {
	e.t.Helper()
	var m map[string]any
	_ = json.Unmarshal([]byte(a.json()), &m)
	m["status"] = string(status)
	if kind != "" {
		m["kind"] = kind
	}
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if code, body, err := e.Send(ctx, string(b)); err != nil || code != http.StatusAccepted {
		e.t.Fatalf("resend: %d %s %v", code, body, err)
	}
	if err := e.WaitIdle(ctx, 10*time.Second); err != nil {
		e.t.Fatal(err)
	}
}

// TestPSACloseResolvesAlertsByPolling: a ticket closed in the PSA resolves
// its alerts within one poll interval.
func TestPSACloseResolvesAlertsByPolling(t *testing.T) {
	t.Parallel()
	e := start(t, statusSettings(false, ""))
	e.send(testAlert{ID: "p1", Type: "Too Many Downloads", Email: "jane@acme.example"})
	tk := e.tickets()[0]
	e.closeTicket(tk.ID)
	eventually(t, 7*time.Second, "alert resolved after the PSA closed its ticket", func() bool {
		return e.alertStatus("p1").Alert.Status == alert.StatusResolved
	})
	a := e.alertStatus("p1")
	if a.StatusOrigin != "psa:e2e" {
		t.Errorf("status origin = %q, want psa:e2e", a.StatusOrigin)
	}
	var view struct {
		Status       string `json:"status"`
		StatusOrigin string `json:"status_origin"`
	}
	if code := e.apiCall("GET", "/api/v1/alerts/p1?source="+e.SourceID, nil, &view); code != 200 || view.Status != "resolved" || view.StatusOrigin != "psa:e2e" {
		t.Errorf("GET /api/v1/alerts/p1: %d %+v, want resolved from psa:e2e", code, view)
	}
}

// TestIssueAndIncidentMaps: the same PSA status maps back differently for
// issues and incidents, and a PSA status in neither map is ignored.
func TestIssueAndIncidentMaps(t *testing.T) {
	t.Parallel()
	e := start(t, statusSettings(false, ""))
	issue := testAlert{ID: "m-issue", Type: "Too Many Downloads", Email: "jane@acme.example"}
	e.send(issue)
	e.resend(testAlert{ID: "m-inc", Type: "Ransomware", Email: "jane@acme.example"}, alert.StatusOpen, "incident")
	byAlert := map[string]int{}
	for _, id := range []string{"m-issue", "m-inc"} {
		l, _ := e.ticketOf(id)
		n, _ := strconv.Atoi(l.PSATicketID)
		byAlert[id] = n
	}
	e.setTicketStatus(byAlert["m-issue"], statusEscalated) // in no issue map: ignored
	e.setTicketStatus(byAlert["m-inc"], statusEscalated)   // incidents: in_progress
	eventually(t, 7*time.Second, "incident in progress", func() bool {
		return e.alertStatus("m-inc").Alert.Status == alert.StatusInProgress
	})
	if st := e.alertStatus("m-issue").Alert.Status; st != alert.StatusOpen {
		t.Errorf("issue took status %s from an unmapped PSA status, want open", st)
	}
	e.setTicketStatus(byAlert["m-issue"], statusWaiting) // issues: from_psa → in_progress
	eventually(t, 7*time.Second, "issue in progress via from_psa", func() bool {
		return e.alertStatus("m-issue").Alert.Status == alert.StatusInProgress
	})
}

// TestDoneAlertsAreNotSyncedBack: once an alert is resolved or ignored,
// later PSA changes to its ticket leave it alone.
func TestDoneAlertsAreNotSyncedBack(t *testing.T) {
	t.Parallel()
	e := start(t, statusSettings(false, ""))
	a := testAlert{ID: "d1", Type: "Too Many Downloads", Email: "jane@acme.example"}
	e.send(a)
	e.resend(a, alert.StatusIgnored, "")
	tk := e.tickets()[0]
	e.setTicketStatus(tk.ID, statusInProgress)
	time.Sleep(6 * time.Second) // one poll interval: the change must not arrive
	if st := e.alertStatus("d1").Alert.Status; st != alert.StatusIgnored {
		t.Errorf("ignored alert became %s after a PSA change", st)
	}
}

// TestUpdateOffWritesNothing: with sync.update off a resolved alert is
// recorded but the ticket is not touched.
func TestUpdateOffWritesNothing(t *testing.T) {
	t.Parallel()
	e := start(t, statusSettings(false, ""))
	a := testAlert{ID: "u1", Type: "Too Many Downloads", Email: "jane@acme.example"}
	e.send(a)
	e.resend(a, alert.StatusResolved, "")
	tk := e.tickets()[0]
	if tk.Status != statusNew {
		t.Errorf("ticket status %d, want New: update is off", tk.Status)
	}
	tl, _ := e.App.Store.Timeline(context.Background(), e.alertStatus("u1").Seq)
	if !strings.Contains(fmt.Sprint(tl), "sync.update is off") {
		t.Errorf("timeline does not say why nothing was written: %v", tl)
	}
}

// TestAutoResolveWaitsForLastAlert: a ticket with two alerts is resolved
// only when both are; in_progress is pushed through the map at once.
func TestAutoResolveWaitsForLastAlert(t *testing.T) {
	t.Parallel()
	e := start(t, statusSettings(true, "  auto_resolve: true\n"))
	a1 := testAlert{ID: "r1", Type: "Too Many Downloads", Email: "jane@acme.example"}
	a2 := testAlert{ID: "r2", Type: "Too Many Downloads", Email: "jane@acme.example"}
	e.send(a1)
	e.send(a2)
	tk := e.tickets()[0]
	e.resend(a1, alert.StatusInProgress, "")
	if st := e.ticket(tk.ID).Status; st != statusInProgress {
		t.Fatalf("after in_progress: ticket status %d, want In Progress (%d)", st, statusInProgress)
	}
	e.resend(a1, alert.StatusResolved, "")
	if st := e.ticket(tk.ID).Status; st == statusComplete {
		t.Fatal("ticket resolved while its second alert is still open")
	}
	e.resend(a2, alert.StatusResolved, "")
	if st := e.ticket(tk.ID).Status; st != statusComplete {
		t.Fatalf("ticket status %d after its last alert resolved, want Complete", st)
	}
}

// TestOnlyUntouchedLeavesWorkedTicketsOpen: with only_untouched a ticket a
// technician added a note to stays open when its alerts resolve.
func TestOnlyUntouchedLeavesWorkedTicketsOpen(t *testing.T) {
	t.Parallel()
	e := start(t, statusSettings(true, "  auto_resolve: true\n  only_untouched: true\n"))
	touched := testAlert{ID: "t1", Type: "Too Many Downloads", Email: "jane@acme.example"}
	untouched := testAlert{ID: "t2", Type: "Too Many Uploads", Email: "jane@acme.example"}
	e.send(touched, untouched)
	l1, _ := e.ticketOf("t1")
	l2, _ := e.ticketOf("t2")
	id1, _ := strconv.Atoi(l1.PSATicketID)
	id2, _ := strconv.Atoi(l2.PSATicketID)
	e.techNote(id1)
	e.resend(touched, alert.StatusResolved, "")
	e.resend(untouched, alert.StatusResolved, "")
	if st := e.ticket(id1).Status; st == statusComplete {
		t.Error("a ticket a technician worked on was auto-resolved")
	}
	if st := e.ticket(id2).Status; st != statusComplete {
		t.Errorf("untouched ticket status %d, want Complete", st)
	}
}

// callbackReceiver is a source's callback endpoint that fails its first
// answers, then records what it gets.
type callbackReceiver struct {
	mu       sync.Mutex
	failures int
	got      []engine.CallbackBody
	badSig   int
	key      string
}

func (c *callbackReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failures > 0 {
		c.failures--
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	ts, _ := strconv.ParseInt(r.Header.Get(engine.HeaderTimestamp), 10, 64)
	if r.Header.Get(engine.HeaderSignature) != engine.SignCallback([]byte(c.key), ts, body) {
		c.badSig++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var b engine.CallbackBody
	_ = json.Unmarshal(body, &b)
	c.got = append(c.got, b)
}

func (c *callbackReceiver) received() []engine.CallbackBody {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]engine.CallbackBody(nil), c.got...)
}

// TestSourceCallback: each PSA-side status change reaches the source's
// callback once, signed, and a failing endpoint is retried.
func TestSourceCallback(t *testing.T) {
	t.Parallel()
	e := start(t, statusSettings(false, ""), func(o *demo.Options) { o.AppOpts.RetryBase = 50 * time.Millisecond })
	rcv := &callbackReceiver{failures: 2}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	created := e.createSource(t, "soc", srv.URL)
	rcv.key = created.CallbackSecret
	e.Token, e.SourceID = created.Token, "soc"
	e.send(testAlert{ID: "cb1", Type: "Too Many Downloads", Email: "jane@acme.example"})
	l, ok := e.ticketOf("cb1")
	if !ok {
		t.Fatal("cb1 got no ticket")
	}
	id, _ := strconv.Atoi(l.PSATicketID)
	e.setTicketStatus(id, statusInProgress)
	eventually(t, 10*time.Second, "callback for in_progress", func() bool { return len(rcv.received()) >= 1 })
	e.closeTicket(id)
	eventually(t, 10*time.Second, "callback for resolved", func() bool { return len(rcv.received()) >= 2 })
	time.Sleep(500 * time.Millisecond)
	got := rcv.received()
	if len(got) != 2 || got[0].Status != alert.StatusInProgress || got[1].Status != alert.StatusResolved || got[0].AlertID != "cb1" {
		t.Errorf("callbacks = %+v, want in_progress then resolved for cb1, once each", got)
	}
	if rcv.badSig != 0 {
		t.Errorf("%d callbacks with a bad signature", rcv.badSig)
	}
}

type createdSource struct {
	Token          string `json:"token"`
	CallbackSecret string `json:"callback_secret"`
}

func (e *env) createSource(t *testing.T, id, callback string) createdSource {
	t.Helper()
	body := fmt.Sprintf(`{"id":%q,"name":%q,"callback_url":%q}`, id, id, callback)
	req, _ := http.NewRequest("POST", e.BaseURL+"/api/v1/sources", bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+e.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c createdSource
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || c.Token == "" || c.CallbackSecret == "" {
		t.Fatalf("create source: %s %v %+v", resp.Status, err, c)
	}
	return c
}

// TestWebhooks: with webhooks on, a PSA change arrives within a second;
// a forged or altered callout is rejected; a callout missed while we were
// down is recovered by the poller after restart.
func TestWebhooks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sim := autotask.Simulator(autotasksim.New(autotasksim.Options{WebhookRetries: 1, WebhookRetryDelay: 20 * time.Millisecond}))
	simSrv := httptest.NewServer(sim)
	defer simSrv.Close()
	defer sim.Close()
	simURL := simSrv.URL
	e := start(t, "", func(o *demo.Options) { o.DataDir, o.Sim, o.SimURL, o.SkipApply = dir, sim, simURL, true })
	withHooks := statusSettings(false, "  webhooks: true\n  public_url: "+e.BaseURL+"\n")
	if _, err := e.Apply(context.Background(), withHooks); err != nil {
		t.Fatal(err)
	}
	e.send(testAlert{ID: "w1", Type: "Too Many Downloads", Email: "jane@acme.example"})
	e.send(testAlert{ID: "w2", Type: "Too Many Uploads", Email: "jane@acme.example"})
	l1, _ := e.ticketOf("w1")
	id1, _ := strconv.Atoi(l1.PSATicketID)
	e.closeTicket(id1)
	eventually(t, time.Second, "webhook resolves the alert within a second", func() bool {
		return e.alertStatus("w1").Alert.Status == alert.StatusResolved
	})

	forged := fmt.Sprintf(`{"Action":"Update","Guid":"x","EntityType":"Ticket","Id":%d,"Fields":{"Status":5},"SequenceNumber":99}`, id1)
	for name, sig := range map[string]string{"no signature": "", "forged": "sha1=AAAAAAAAAAAAAAAAAAAAAAAAAAA="} {
		req, _ := http.NewRequest("POST", e.BaseURL+"/hooks/e2e", strings.NewReader(forged))
		if sig != "" {
			req.Header.Set("X-Hook-Signature", sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s callout: %s (%s), want 401 as problem+json", name, resp.Status, resp.Header.Get("Content-Type"))
		}
	}

	// A flood of forged callouts: past the burst they are refused unread,
	// and the connection is closed rather than drained.
	big := strings.Repeat("x", 128<<10) // under the 256 KiB the server would drain
	refusedUnread := false
	for range 40 {
		req, _ := http.NewRequest("POST", e.BaseURL+"/hooks/e2e", strings.NewReader(big))
		req.Header.Set("X-Hook-Signature", "sha1=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue // the server may close before the client wrote it all
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			refusedUnread = true
			if !resp.Close {
				t.Error("a forged callout refused unread keeps its connection open")
			}
			break
		}
	}
	if !refusedUnread {
		t.Error("40 forged callouts in a row were all checked; want the excess refused unread")
	}

	// We go down; the PSA's callout for w2's ticket finds nobody.
	token := e.Token
	l2, _ := e.ticketOf("w2")
	e.Close()
	if err := e.CloseTicket(context.Background(), l2.PSATicketID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	e2 := restart(t, dir, sim, simURL, token)
	eventually(t, 7*time.Second, "poller recovers the missed callout", func() bool {
		return e2.alertStatus("w2").Alert.Status == alert.StatusResolved
	})
}

// TestPollCursorSurvivesRestart: a restart between two polls loses no
// change (one made while we were down arrives) and repeats none (a change
// handled before the restart is not handled again).
func TestPollCursorSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sim := autotask.Simulator(autotasksim.New(autotasksim.Options{}))
	simSrv := httptest.NewServer(sim)
	defer simSrv.Close()
	simURL := simSrv.URL
	e := start(t, statusSettings(false, ""), func(o *demo.Options) { o.DataDir, o.Sim, o.SimURL = dir, sim, simURL })
	e.send(testAlert{ID: "c1", Type: "Too Many Downloads", Email: "jane@acme.example"},
		testAlert{ID: "c2", Type: "Too Many Uploads", Email: "jane@acme.example"})
	l1, _ := e.ticketOf("c1")
	l2, _ := e.ticketOf("c2")
	e.CloseTicket(context.Background(), l1.PSATicketID)
	eventually(t, 7*time.Second, "first change handled", func() bool {
		return e.alertStatus("c1").Alert.Status == alert.StatusResolved
	})
	token := e.Token
	e.Close()
	id2, _ := strconv.Atoi(l2.PSATicketID)
	e.setTicketStatus(id2, statusInProgress) // while we are down
	e2 := restart(t, dir, sim, simURL, token)
	eventually(t, 7*time.Second, "change made while down arrives", func() bool {
		return e2.alertStatus("c2").Alert.Status == alert.StatusInProgress
	})
	time.Sleep(500 * time.Millisecond)
	tl, err := e2.App.Store.Timeline(context.Background(), e2.alertStatus("c1").Seq)
	if err != nil {
		t.Fatal(err)
	}
	synced := 0
	for _, en := range tl {
		if en.Event == "status_synced" {
			synced++
		}
	}
	if synced != 1 {
		t.Errorf("c1 status synced %d times across the restart, want 1", synced)
	}
}
