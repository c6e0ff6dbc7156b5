// Package demo runs ticketbridge end to end in one process: a PSA's
// simulator on loopback, the app on a SQLite file in a temporary folder,
// the example settings applied, and the SaaS Alerts "User+Alert" sequence
// sent over HTTP (including a technician closing a ticket). It prints what
// landed in the PSA and every alert's timeline.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/config"
	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
	"github.com/ticketbridge/ticketbridge/internal/secret"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// DefaultSettings is the demo settings YAML of the Env's PSA.
func (e *Env) DefaultSettings() string { return e.settings }

// SimBase is the simulator's base URL (scheme and host).
func (e *Env) SimBase() string { return e.simBase }

// IntegrationName is the name of the demo's integration.
func (e *Env) IntegrationName() string { return e.name }

// Env is a running demo: the simulator, the app and a source token. The
// end-to-end tests reuse it.
type Env struct {
	App     *app.App
	BaseURL string // ticketbridge
	SimURL  string // the simulator's API address as the settings name it
	PSA     string
	Driver  driver.Driver
	Sim     driver.Simulator
	// played are the ids of the alerts the story sent, in order.
	played     []string
	Tech       psa.Connector // the PSA as a technician sees it
	Token      string        // source token of source "saas-alerts"
	AdminToken string
	SourceID   string
	DataDir    string
	client     *http.Client
	stop       func()
	settings   string            // the driver's demo settings
	env        map[string]string // what their secret references read
	name       string            // the integration's name in them
	simBase    string
}

// Options tune Start.
type Options struct {
	// Driver is the PSA to run against; default the first of Drivers.
	Driver driver.Driver
	// PSA names the driver among Drivers when Driver is not set.
	PSA string
	// Drivers are the PSAs to choose from; default drivers.All().
	Drivers   driver.List
	DataDir   string // default: a new temporary folder, removed by Close
	Settings  string // YAML; default the PSA's demo settings
	SimOpts   driver.SimOptions
	AppOpts   app.Options
	SkipApply bool
	// Sim and SimURL reuse a simulator that outlives this Env (restart
	// tests, or one built with options of its own PSA); SimURL is the
	// simulator's base URL (scheme and host).
	Sim    driver.Simulator
	SimURL string
	// SourceToken reuses a source token (restart tests); the source is
	// created only when it does not exist yet.
	SourceToken string
	// Retention is the app's config.Retention: 0 (the default here) keeps
	// every alert.
	Retention time.Duration
	// DegradedAfter is the app's config.DegradedAfter (0: its default).
	DegradedAfter time.Duration
	// UnreadyAfter is the app's config.UnreadyAfter (0: never unready).
	UnreadyAfter time.Duration
}

// pickDriver returns the driver opts name.
func pickDriver(opts Options) (driver.Driver, error) {
	if opts.Driver.Simulate != nil {
		return opts.Driver, nil
	}
	all := opts.Drivers
	if all == nil {
		all = drivers.All()
	}
	if opts.PSA == "" {
		return all[0], nil
	}
	d, err := all.Find(opts.PSA)
	if err != nil {
		return d, fmt.Errorf("demo: %w", err)
	}
	return d, nil
}

// Start brings up the simulator and the app and applies the settings.
func Start(ctx context.Context, opts Options) (*Env, error) {
	e := &Env{SourceID: "saas-alerts", client: &http.Client{Timeout: 10 * time.Second}}
	var cleanups []func()
	e.stop = func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
		cleanups = nil
	}
	fail := func(err error) (*Env, error) { e.stop(); return nil, err }

	var err error
	if e.Driver, err = pickDriver(opts); err != nil {
		return nil, err
	}
	e.PSA = e.Driver.Name()
	e.Sim, e.simBase = opts.Sim, strings.TrimSuffix(opts.SimURL, "/")
	if e.Sim == nil {
		e.Sim = e.Driver.Simulate(opts.SimOpts)
		cleanups = append(cleanups, e.Sim.Close)
	}
	if opts.SimURL == "" {
		simLn, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fail(fmt.Errorf("listen for simulator: %w", err))
		}
		simSrv := &http.Server{Handler: e.Sim, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = simSrv.Serve(simLn) }()
		cleanups = append(cleanups, func() { _ = simSrv.Close() })
		e.simBase = "http://" + simLn.Addr().String()
	}
	e.settings, e.env = e.Sim.Settings(driver.DemoSettings, driver.SettingsParams{Base: e.simBase})
	if ds, err := integration.Decode(strings.NewReader(e.settings)); err == nil {
		e.name = ds[0].Name
		e.SimURL = ds[0].Connection.URL
	}
	if e.Tech, err = e.Sim.Technician(e.simBase); err != nil {
		return fail(fmt.Errorf("technician connector: %w", err))
	}

	e.DataDir = opts.DataDir
	if e.DataDir == "" {
		if e.DataDir, err = os.MkdirTemp("", "ticketbridge-demo-"); err != nil {
			return fail(fmt.Errorf("create data dir: %w", err))
		}
		dir := e.DataDir
		cleanups = append(cleanups, func() { _ = os.RemoveAll(dir) })
	}
	e.AdminToken = randomToken("tba_")
	cfg := config.Config{DataDir: e.DataDir, MaxBodyBytes: 1 << 20, AdminToken: secret.New(e.AdminToken), Retention: opts.Retention, DegradedAfter: opts.DegradedAfter, UnreadyAfter: opts.UnreadyAfter}
	appOpts := opts.AppOpts
	if appOpts.Drivers == nil {
		all := opts.Drivers
		if all == nil {
			all = drivers.All()
		}
		appOpts.Drivers = all.With(e.Driver)
	}
	if appOpts.Rescan == 0 {
		appOpts.Rescan = 250 * time.Millisecond
	}
	if appOpts.RetryBase == 0 {
		appOpts.RetryBase = 100 * time.Millisecond
	}
	if e.App, err = app.New(ctx, cfg, appOpts); err != nil {
		return fail(err)
	}
	cleanups = append(cleanups, func() { _ = e.App.Close() })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(fmt.Errorf("listen: %w", err))
	}
	e.BaseURL = "http://" + ln.Addr().String()
	serveCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.App.Serve(serveCtx, ln) }()
	cleanups = append(cleanups, func() { cancel(); <-done })

	e.Token = opts.SourceToken
	if e.Token == "" {
		e.Token = randomToken("tbs_")
	}
	if err := e.App.Store.CreateSource(ctx, store.Source{
		TenantID: store.DefaultTenant, ID: e.SourceID, Name: "SaaS Alerts", TokenHash: ingest.HashToken(e.Token), CreatedAt: time.Now(),
	}); err != nil && !(opts.SourceToken != "" && errors.Is(err, store.ErrConflict)) {
		return fail(fmt.Errorf("create source: %w", err))
	}
	if !opts.SkipApply {
		yaml := opts.Settings
		if yaml == "" {
			yaml = e.settings
		}
		if _, err := e.Apply(ctx, yaml); err != nil {
			return fail(err)
		}
	}
	return e, nil
}

// Getenv is the environment the demo settings' secret references read.
func (e *Env) Getenv(k string) string { return e.env[k] }

// Close stops everything Start started.
func (e *Env) Close() { e.stop() }

// Apply applies settings YAML against the simulator, filling in its URL
// and credentials, and returns the plan lines it printed.
func (e *Env) Apply(ctx context.Context, yaml string) ([]string, error) {
	docs, err := integration.Decode(strings.NewReader(yaml))
	if err != nil {
		return nil, fmt.Errorf("decode settings: %w", err)
	}
	for i := range docs {
		docs[i].Connection.URL = e.SimURL
	}
	plans, err := e.App.PlanApply(ctx, docs, func(k string) string { return e.env[k] })
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, p := range plans {
		for _, c := range p.Changes {
			lines = append(lines, c.String())
		}
	}
	return lines, e.App.ApplyPlans(ctx, plans)
}

// Send posts a JSON body to the ingest endpoint and returns the status.
func (e *Env) Send(ctx context.Context, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.BaseURL+"/api/v1/alerts", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+e.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("send alerts: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// WaitIdle waits until every alert is routed and no delivery is pending.
func (e *Env) WaitIdle(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	e.App.Engine.Nudge()
	newest, err := e.App.Store.ListAlerts(ctx, store.AlertFilter{TenantID: store.DefaultTenant, Limit: 1})
	if err != nil {
		return fmt.Errorf("wait for idle: read the newest alert: %w", err)
	}
	w := idleWait{routedBelow: map[int64]int64{}}
	if len(newest) > 0 {
		w.accepted = newest[0].Seq
	}
	for {
		idle, err := e.idle(ctx, &w)
		if err != nil {
			return err
		}
		if idle {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New("deliveries still pending after " + timeout.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// idleWait is what one WaitIdle learned between polls.
type idleWait struct {
	// accepted is the newest alert's seq when the wait began: the alerts
	// it waits for were accepted (stored) by then.
	accepted int64
	// routedBelow holds, by integration, a seq below which every alert
	// was seen routed. A route is never taken back, so the next poll need
	// not walk them again: listing from 0 each time read every routed
	// alert per poll, a fifth of the process's CPU in W3 and, beside a
	// million stored alerts, a reader's whole core.
	routedBelow map[int64]int64
}

// idle reads the pipeline in its own order, earliest stage first: an
// alert moves from unrouted (or a pending status change) to a pending
// delivery in one transaction, so reading deliveries last cannot miss work
// that was handed on between the reads.
func (e *Env) idle(ctx context.Context, w *idleWait) (bool, error) {
	st := e.App.Store
	its, err := st.Integrations(ctx, store.DefaultTenant)
	if err != nil {
		return false, err
	}
	for _, it := range its {
		un, err := st.UnroutedAlerts(ctx, store.DefaultTenant, it.ID, w.routedBelow[it.ID], 1)
		if err != nil {
			return false, err
		}
		if len(un) > 0 {
			w.routedBelow[it.ID] = un[0].Seq - 1
			return false, nil
		}
		// None unrouted: every alert the wait is for is routed.
		w.routedBelow[it.ID] = max(w.routedBelow[it.ID], w.accepted)
		changed, err := st.StatusChanges(ctx, it.ID, 1)
		if err != nil || len(changed) > 0 {
			return false, err
		}
	}
	n, err := st.CountDeliveries(ctx, store.DefaultTenant, store.DeliveryPending)
	return n == 0, err
}

func randomToken(prefix string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
