package engine

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

// t0 is where the part tests' business clock starts.
var t0 = time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)

// harness is one integration's worker over a real SQLite store in a temp
// dir, with a PSA the test chooses and clocks the test moves. The parts
// under test are the worker's own, loaded by reload from the stored
// settings, so they see the snapshot the engine would hand them.
type harness struct {
	t   testing.TB
	ctx context.Context
	st  store.Store // the store itself, not fenced
	w   *worker
	it  store.Integration
	src store.Source

	mu   sync.Mutex
	now  time.Time // the business clock, Config.Now
	wall time.Time // the wall clock parts pace themselves by
}

// newHarness stores the settings as an integration, takes its lease and
// loads a worker whose connector is conn (made with the harness clock
// when it is a func).
func newHarness(t testing.TB, s integration.Settings, conn func(clock func() time.Time) psa.Connector, mods ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, ctx: t.Context(), now: t0, wall: t0}
	st, err := sqlite.Open(h.ctx, filepath.Join(t.TempDir(), "engine.db"), sqlite.Options{Now: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if _, err := st.Migrate(h.ctx); err != nil {
		t.Fatal(err)
	}
	h.st = st
	h.src = store.Source{TenantID: store.DefaultTenant, ID: "src", Name: "Source", TokenHash: "hash", CreatedAt: t0}
	h.must(st.CreateSource(h.ctx, h.src))
	h.it, err = st.PutIntegration(h.ctx, store.Integration{TenantID: store.DefaultTenant, Name: s.Name, PSA: s.PSA, Settings: h.encode(s)})
	h.must(err)
	lease, err := st.AcquireLease(h.ctx, leaseName(h.it.ID), "test", time.Hour, time.Now())
	h.must(err)
	c := conn(h.clock)
	cfg := Config{
		Store: st, Now: h.clock, RetryBase: time.Second, RetryMax: time.Minute,
		Connectors: func(context.Context, store.Integration, integration.Settings) (psa.Connector, error) { return c, nil },
	}
	for _, m := range mods {
		m(&cfg)
	}
	h.w = newWorker(New(cfg), h.it, lease)
	h.w.wall = h.wallClock
	h.must(h.w.reload(h.ctx))
	return h
}

// fake returns a connector constructor for newHarness that keeps the
// fake it builds in *f.
func fake(f **fakePSA) func(func() time.Time) psa.Connector {
	return func(clock func() time.Time) psa.Connector {
		*f = newFakePSA(clock)
		return *f
	}
}

func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) encode(s integration.Settings) []byte {
	h.t.Helper()
	b, err := json.Marshal(s)
	h.must(err)
	return b
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) wallClock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.wall
}

// advance moves the business clock.
func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

// advanceWall moves the wall clock the parts pace themselves by.
func (h *harness) advanceWall(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.wall = h.wall.Add(d)
}

// apply stores new settings (a new version) and reloads the worker.
func (h *harness) apply(s integration.Settings) {
	h.t.Helper()
	h.it.Settings = h.encode(s)
	var err error
	h.it, err = h.st.PutIntegration(h.ctx, h.it)
	h.must(err)
	h.must(h.w.reload(h.ctx))
}

// send stores an alert as ingest would, received now.
func (h *harness) send(a alert.Alert) store.StoredAlert {
	h.t.Helper()
	sa := store.StoredAlert{TenantID: store.DefaultTenant, SourceID: h.src.ID, Alert: a, ReceivedAt: h.clock(), UpdatedAt: h.clock()}
	res, err := h.st.UpsertAlert(h.ctx, sa)
	h.must(err)
	sa.Seq = res.Seq
	return sa
}

func (h *harness) route(seq int64) (store.Route, bool) {
	h.t.Helper()
	rs, err := h.st.Routes(h.ctx, seq)
	h.must(err)
	for _, r := range rs {
		if r.IntegrationID == h.it.ID {
			return r, true
		}
	}
	return store.Route{}, false
}

// events returns the timeline of an alert as "event: detail" lines.
func (h *harness) events(seq int64) []string {
	h.t.Helper()
	es, err := h.st.Timeline(h.ctx, seq)
	h.must(err)
	var out []string
	for _, e := range es {
		if e.IntegrationID == h.it.ID {
			out = append(out, e.Event+": "+e.Detail)
		}
	}
	return out
}

// testSettings is an integration with resolved ids: org-42 maps to Acme
// Corp (175), org-9 is disabled, anything else goes to the catch-all
// (174); one ticket per user and alert type.
func testSettings() integration.Settings {
	off := false
	return integration.Settings{
		Name: "it", PSA: "autotask",
		Sync: integration.Sync{ExcludeTypes: []string{"Test Alert"}},
		Companies: integration.Companies{
			CatchAll: integration.CatchAll{Company: integration.Pick{Name: "Default Account", ID: "174"}},
			Map: []integration.Mapping{
				{Organization: "org-42", Company: integration.Pick{Name: "Acme Corp", ID: "175"}},
				{Organization: "org-9", Enabled: &off},
			},
		},
		Ticket: integration.Ticket{GroupBy: integration.GroupUserAlert, Status: integration.Pick{Name: "New", ID: "1"}},
	}
}

// newAlert is an open alert of org-42 raised by user (an email).
func newAlert(id, user string, mods ...func(*alert.Alert)) alert.Alert {
	a := alert.Alert{
		ID: id, Kind: alert.KindIssue, Organization: alert.Organization{ID: "org-42", Name: "Acme Corp"},
		Type: "Too Many Downloads", Severity: alert.SeverityHigh, Status: alert.StatusOpen,
		Title: "Too many downloads " + id, User: &alert.User{Email: user}, OccurredAt: t0.Add(-time.Hour),
	}
	for _, m := range mods {
		m(&a)
	}
	return a
}
