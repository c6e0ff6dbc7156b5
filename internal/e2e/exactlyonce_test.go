package e2e

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

func itoa(i int) string { return strconv.Itoa(i) }

// TestCrashAfterPSACreate: the PSA creates the ticket, then ticketbridge
// dies before storing its id. After a restart on the same database the
// alert is delivered onto that same ticket: one ticket, never two.
func TestCrashAfterPSACreate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sim := autotask.Simulator(autotasksim.New(autotasksim.Options{}))
	srv := httptest.NewServer(sim)
	defer srv.Close()
	simURL := srv.URL
	var crashes atomic.Int32
	crashing := func(o *demo.Options) {
		o.DataDir = dir
		o.Sim, o.SimURL = sim, simURL
		// The process "dies" right after the PSA answered: the worker hangs
		// here until the app is torn down, so its id is never stored.
		o.AppOpts.AfterCreate = func(ctx context.Context, _ psa.Ticket) error {
			crashes.Add(1)
			<-ctx.Done()
			return engine.ErrSimulatedCrash
		}
	}
	e1 := start(t, settings("user"), crashing)
	e1.send0(testAlert{ID: "crash-1", Type: "Too Many Downloads", Email: "jane@acme.example"})
	deadline := time.Now().Add(10 * time.Second)
	for crashes.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if crashes.Load() == 0 {
		t.Fatal("the create never reached the PSA")
	}
	before := e1.tickets()
	e1.Close() // the "crash": the process is gone, the ticket is in the PSA, its id is not stored
	if len(before) != 1 {
		t.Fatalf("PSA holds %d tickets before restart, want 1", len(before))
	}
	e2 := restart(t, dir, sim, simURL, e1.Token)
	if err := e2.WaitIdle(context.Background(), 15*time.Second); err != nil {
		t.Fatal(err)
	}
	after := e2.tickets()
	if len(after) != 1 {
		t.Fatalf("PSA holds %d tickets after restart, want 1", len(after))
	}
	l, ok := e2.ticketOf("crash-1")
	if !ok || l.PSATicketID != itoa(after[0].ID) {
		t.Fatalf("alert linked to %q, want the recovered ticket %d", l.PSATicketID, after[0].ID)
	}
	if crashes.Load() != 1 {
		t.Errorf("create reached the PSA %d times, want 1 (the restart must find, not create)", crashes.Load())
	}
	a, err := e2.App.Store.AlertBySourceID(context.Background(), "default", e2.SourceID, "crash-1")
	if err != nil {
		t.Fatal(err)
	}
	tl, err := e2.App.Store.Timeline(context.Background(), a.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if last := tl[len(tl)-1]; last.Event != "ticket_created" || !strings.Contains(last.Detail, "recovered") {
		t.Errorf("last timeline entry = %s %q, want the ticket recovered by external reference", last.Event, last.Detail)
	}
}

// restart opens a new app on the same data dir against the same running
// simulator, as a process restarted after kill -9 would.
func restart(t *testing.T, dir string, sim driver.Simulator, simURL, token string) *env {
	t.Helper()
	return start(t, "", func(o *demo.Options) {
		o.DataDir = dir
		o.SkipApply = true
		o.Sim, o.SimURL = sim, simURL
		o.SourceToken = token
	})
}

// send0 posts alerts without waiting for delivery.
func (e *env) send0(alerts ...testAlert) {
	e.t.Helper()
	parts := make([]string, len(alerts))
	for i, a := range alerts {
		parts[i] = a.json()
	}
	code, body, err := e.Send(context.Background(), "["+strings.Join(parts, ",")+"]")
	if err != nil || code != http.StatusAccepted {
		e.t.Fatalf("send: %d %s %v", code, body, err)
	}
}

// TestNoPlaintextCredentials: the PSA secret and integration code never
// appear in the database file, the logs, export or any API answer.
func TestNoPlaintextCredentials(t *testing.T) {
	t.Parallel()
	e := start(t, settings("user"))
	e.send(testAlert{ID: "p1", Type: "Too Many Downloads", Email: "jane@acme.example"})
	at := e.autotaskSim()
	secrets := []string{at.Users()[0].Secret, at.IntegrationCode()}

	var files []string
	_ = filepath.Walk(e.DataDir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	haystacks := map[string]string{"logs": e.logs.String()}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		haystacks[f] = string(b)
	}
	exported, err := e.App.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	haystacks["export"] = string(exported)
	if !strings.Contains(string(exported), "env: DEMO_AUTOTASK_SECRET") {
		t.Errorf("export lost the secret reference:\n%s", exported)
	}
	for _, path := range []string{"/api/v1/integrations", "/api/v1/integrations/e2e", "/api/v1/alerts/p1?source=saas-alerts", "/api/v1/deliveries", "/api/v1/sources"} {
		haystacks[path] = e.adminGet(path)
	}
	if len(files) < 2 {
		t.Fatalf("found %d files in the data dir, want the database and its key files", len(files))
	}
	for where, text := range haystacks {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("credential found in plaintext in %s", where)
			}
		}
	}
}

func (e *env) adminGet(path string) string {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.DataDir, "admin.token"))
	tok := e.AdminToken
	if err == nil {
		t := strings.TrimSpace(string(b))
		tok = t
	}
	req, _ := http.NewRequest("GET", e.BaseURL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Errorf("GET %s: %s %s", path, resp.Status, b)
	}
	return string(b)
}

// TestBackfill: alerts stored before the integration exists are synced
// when it is created; those older than since are skipped as too old, and
// synced once since moves back.
func TestBackfill(t *testing.T) {
	t.Parallel()
	e := start(t, "", func(o *demo.Options) { o.SkipApply = true })
	e.send0(
		testAlert{ID: "b-new", Type: "Too Many Downloads", Email: "jane@acme.example", At: time.Now().Add(-2 * 24 * time.Hour)},
		testAlert{ID: "b-old", Type: "Too Many Uploads", Email: "jane@acme.example", At: time.Now().Add(-10 * 24 * time.Hour)},
	)
	ctx := context.Background()
	if _, err := e.Apply(ctx, strings.Replace(settings("user_alert"), "since: 30d", "since: 7d", 1)); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitIdle(ctx, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := len(e.tickets()); n != 1 {
		t.Fatalf("after apply since 7d: %d tickets, want 1", n)
	}
	if r := e.route("b-old"); !strings.Contains(r.Reason, "too old") {
		t.Fatalf("b-old route %q, want too old", r.Reason)
	}
	if _, err := e.Apply(ctx, settings("user_alert")); err != nil { // since: 30d
		t.Fatal(err)
	}
	if err := e.WaitIdle(ctx, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := len(e.tickets()); n != 2 {
		t.Fatalf("after moving since back: %d tickets, want 2", n)
	}
}

var _ = errors.New

// batchRefusingStore fails every transaction that routes more than one
// alert, as a conflict with a racing router would.
type batchRefusingStore struct {
	store.Store
	refused atomic.Int32
}

func (s *batchRefusingStore) InTx(ctx context.Context, fn func(q store.Queries) error) error {
	return s.Store.InTx(ctx, func(q store.Queries) error {
		return fn(&routeCounting{Queries: q, s: s})
	})
}

type routeCounting struct {
	store.Queries
	s      *batchRefusingStore
	routes int
}

func (q *routeCounting) InsertRoute(ctx context.Context, r store.Route) error {
	return q.InsertRoutes(ctx, []store.Route{r})
}

func (q *routeCounting) InsertRoutes(ctx context.Context, rs []store.Route) error {
	if q.routes += len(rs); q.routes > 1 {
		q.s.refused.Add(1)
		return store.ErrConflict
	}
	return q.Queries.InsertRoutes(ctx, rs)
}

// TestRoutingFallsBackAlertByAlert: when the transaction routing a batch
// fails, every alert of the batch is still routed, once, in one of its own.
func TestRoutingFallsBackAlertByAlert(t *testing.T) {
	t.Parallel()
	var st *batchRefusingStore
	e := start(t, settings("none"), func(o *demo.Options) {
		o.AppOpts.WrapStore = func(s store.Store) store.Store {
			st = &batchRefusingStore{Store: s}
			return st
		}
	})
	e.send(testAlert{ID: "r1", Type: "A", Email: "jane@acme.example"},
		testAlert{ID: "r2", Type: "B", Email: "jane@acme.example"},
		testAlert{ID: "r3", Type: "C", Email: "jane@acme.example"})
	if st.refused.Load() == 0 {
		t.Fatal("no batch was refused: the test did not reach the fallback")
	}
	if n := len(e.tickets()); n != 3 {
		t.Errorf("%d tickets, want 3", n)
	}
	for _, id := range []string{"r1", "r2", "r3"} {
		if l, ok := e.ticketOf(id); !ok || l.PSATicketID == "" {
			t.Errorf("%s has no ticket", id)
		}
	}
}
