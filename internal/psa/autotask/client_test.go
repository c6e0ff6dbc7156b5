package autotask

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/psa/psahttp"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// probe wraps the simulator and records what reaches it.
type probe struct {
	next http.Handler
	// delay holds each request a moment so concurrency is observable.
	delay time.Duration

	mu          sync.Mutex
	zoneCalls   int
	apiCalls    int
	headers     []http.Header // of authenticated calls
	inFlight    int
	maxInFlight int
}

func (p *probe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if strings.Contains(strings.ToLower(r.URL.Path), "zoneinformation") {
		p.zoneCalls++
	} else {
		p.apiCalls++
		p.headers = append(p.headers, r.Header.Clone())
	}
	p.inFlight++
	p.maxInFlight = max(p.maxInFlight, p.inFlight)
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.inFlight--
		p.mu.Unlock()
	}()
	if p.delay > 0 {
		time.Sleep(p.delay)
	}
	p.next.ServeHTTP(w, r)
}

func (p *probe) counts() (zone, api, maxInFlight int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.zoneCalls, p.apiCalls, p.maxInFlight
}

// simEnv is a simulator behind a probe and the connector config for its
// API user.
type simEnv struct {
	sim   *autotasksim.Sim
	probe *probe
	srv   *httptest.Server
	cfg   Config
}

func newSimEnv(t *testing.T, delay time.Duration) *simEnv {
	t.Helper()
	sim := autotasksim.New(autotasksim.Options{})
	p := &probe{next: sim, delay: delay}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	u := sim.Users()[0]
	return &simEnv{sim: sim, probe: p, srv: srv, cfg: Config{
		BaseURL:         srv.URL + "/atservicesrest/",
		Username:        u.UserName,
		Secret:          secret.New(u.Secret),
		IntegrationCode: secret.New(sim.IntegrationCode()),
		HTTPClient:      srv.Client(),
		RetryBackoff:    time.Millisecond,
	}}
}

func mustNew(t *testing.T, cfg Config) *Connector {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestZoneDiscoveredOnceForManyCalls(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 0)
	c := mustNew(t, env.cfg)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := c.Test(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, err := c.Companies(t.Context(), psa.CompanyFilter{}); err != nil {
		t.Fatal(err)
	}
	zone, api, _ := env.probe.counts()
	if zone != 1 || api != 9 {
		t.Errorf("zone calls %d, API calls %d; want 1 and 9", zone, api)
	}
}

func TestZoneURLSkipsDiscovery(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 0)
	cfg := env.cfg
	cfg.BaseURL = "http://127.0.0.1:1/unreachable/"
	cfg.ZoneURL = env.srv.URL + "/ATServicesRest/"
	if err := mustNew(t, cfg).Test(t.Context()); err != nil {
		t.Fatal(err)
	}
	if zone, api, _ := env.probe.counts(); zone != 0 || api != 1 {
		t.Errorf("zone calls %d, API calls %d; want 0 and 1", zone, api)
	}
}

func TestCredentialHeadersOnEveryCall(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 0)
	c := mustNew(t, env.cfg)
	if _, err := c.Picklists(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := c.Test(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{env.sim.IntegrationCode(), env.cfg.Username, env.sim.Users()[0].Secret}
	env.probe.mu.Lock()
	defer env.probe.mu.Unlock()
	if len(env.probe.headers) != 4 {
		t.Fatalf("saw %d authenticated calls, want 4", len(env.probe.headers))
	}
	for i, h := range env.probe.headers {
		got := []string{h.Get("ApiIntegrationCode"), h.Get("UserName"), h.Get("Secret")}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("call %d headers (-want +got):\n%s", i, diff)
		}
	}
}

func TestConcurrencyCap(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 10*time.Millisecond)
	c := mustNew(t, env.cfg)
	if err := c.Test(t.Context()); err != nil { // discover the zone first
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if err := c.Test(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, api, maxIn := env.probe.counts(); maxIn > DefaultMaxConcurrent || api != 11 {
		t.Errorf("max in flight %d over %d calls; want at most %d over 11", maxIn, api, DefaultMaxConcurrent)
	}
}

func TestBudgetRefusesWithoutSending(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 0)
	cfg := env.cfg
	cfg.Budget = psahttp.NewBudget(3, time.Hour, nil) // zone + 2 calls
	c := mustNew(t, cfg)
	for range 2 {
		if err := c.Test(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	err := c.Test(t.Context())
	if psa.ClassOf(err) != psa.RateLimited || psa.RetryAfterOf(err) <= 0 {
		t.Fatalf("err = %v, want rate limited with a wait", err)
	}
	if zone, api, _ := env.probe.counts(); zone+api != 3 {
		t.Errorf("server saw %d requests, want 3", zone+api)
	}
	if c.Budget().Remaining() != 0 {
		t.Errorf("Remaining = %d, want 0", c.Budget().Remaining())
	}
}

func TestCredentialFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		mutate  func(*Config)
		status  int
		message string
	}{
		{name: "unknown user", mutate: func(c *Config) { c.Username = "nobody@msp.example" },
			status: 500, message: "Zone information could not be determined"},
		{name: "wrong secret", mutate: func(c *Config) { c.Secret = secret.New("wrong-secret-value") },
			status: 401},
		{name: "wrong integration code", mutate: func(c *Config) { c.IntegrationCode = secret.New("WRONGCODE000000000000000000") },
			status: 500, message: "IntegrationCode is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newSimEnv(t, 0)
			cfg := env.cfg
			tt.mutate(&cfg)
			err := mustNew(t, cfg).Test(t.Context())
			var pe *psa.Error
			if !errors.As(err, &pe) || pe.Class != psa.Permanent || pe.Status != tt.status {
				t.Fatalf("err = %v, want permanent HTTP %d", err, tt.status)
			}
			if tt.message != "" && pe.Message != tt.message {
				t.Errorf("message = %q, want the PSA's %q", pe.Message, tt.message)
			}
		})
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 0)
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	secrets := []string{env.sim.Users()[0].Secret, env.sim.IntegrationCode()}
	var errs []error
	run := func(cfg Config) {
		cfg.Logger = log
		c := mustNew(t, cfg)
		errs = append(errs, c.Test(t.Context()))
		_, err := c.CreateTicket(t.Context(), psa.NewTicket{CompanyID: "175", Title: secrets[0], Priority: "999999"})
		errs = append(errs, err)
		_, err = c.Ticket(t.Context(), "424242")
		errs = append(errs, err)
	}
	run(env.cfg)
	bad := env.cfg
	bad.Secret = secret.New(secrets[0] + "x")
	run(bad)
	badCode := env.cfg
	badCode.IntegrationCode = secret.New(secrets[1] + "X")
	run(badCode)
	if !strings.Contains(buf.String(), "psa request") {
		t.Fatalf("no request log lines at debug: %q", buf.String())
	}
	for _, s := range secrets {
		if strings.Contains(buf.String(), s) {
			t.Errorf("log holds a credential")
		}
		for i, err := range errs {
			if err != nil && strings.Contains(err.Error(), s) {
				t.Errorf("error %d holds a credential: %v", i, err)
			}
		}
	}
	if fmtd := (Config{Secret: secret.New(secrets[0])}).Secret.String(); strings.Contains(fmtd, secrets[0]) {
		t.Errorf("secret prints as %q", fmtd)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestPagingPostsBodyAgain(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string // method path body
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+string(b))
		mu.Unlock()
		switch r.URL.Path {
		case "/atservicesrest/V1.0/Companies/query":
			io.WriteString(w, `{"items":[{"id":1,"companyName":"One","companyType":1,"isActive":true}],
				"pageDetails":{"count":1,"nextPageUrl":"`+srv.URL+`/atservicesrest/V1.0/Companies/query/next?paging=%7B%22pageSize%22%3A1%7D"}}`)
		case "/atservicesrest/V1.0/Companies/query/next":
			if r.URL.Query().Get("paging") == "" {
				t.Error("next page lost its paging parameter")
			}
			io.WriteString(w, `{"items":[{"id":"2","companyName":"Two","companyType":null,"isActive":true}],
				"pageDetails":{"count":1,"nextPageUrl":null}}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	env := newSimEnv(t, 0)
	cfg := env.cfg
	cfg.ZoneURL = srv.URL + "/atservicesrest/"
	got, err := mustNew(t, cfg).Companies(t.Context(), psa.CompanyFilter{Types: []string{"1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []psa.Company{{ID: "1", Name: "One", Type: "1", Active: true}, {ID: "2", Name: "Two", Active: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("companies (-want +got):\n%s", diff)
	}
	body := `{"filter":[{"op":"eq","field":"isActive","value":true},{"op":"in","field":"companyType","value":[1]}]}`
	wantSeen := []string{
		"POST /atservicesrest/V1.0/Companies/query " + body,
		"POST /atservicesrest/V1.0/Companies/query/next " + body,
	}
	if diff := cmp.Diff(wantSeen, seen); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestPagingRefusesForeignNextPage(t *testing.T) {
	t.Parallel()
	var foreignHits atomic.Int64
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignHits.Add(1)
	}))
	defer foreign.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"items":[],"pageDetails":{"nextPageUrl":"`+foreign.URL+`/atservicesrest/V1.0/Companies/query/next"}}`)
	}))
	defer srv.Close()
	env := newSimEnv(t, 0)
	cfg := env.cfg
	cfg.ZoneURL = srv.URL + "/atservicesrest/"
	_, err := mustNew(t, cfg).Companies(t.Context(), psa.CompanyFilter{})
	if psa.ClassOf(err) != psa.Permanent {
		t.Fatalf("err = %v, want permanent refusal", err)
	}
	if foreignHits.Load() != 0 {
		t.Error("credentials were sent to a host outside the zone")
	}
}

func TestThreadThresholdIsRateLimited(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusForbidden} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			io.WriteString(w, `{"errors":["Thread Threshold Exceeded: the thread threshold of 3 threads has been exceeded. Itgenatr005"]}`)
		}))
		env := newSimEnv(t, 0)
		cfg := env.cfg
		cfg.ZoneURL = srv.URL + "/atservicesrest/"
		err := mustNew(t, cfg).Test(t.Context())
		srv.Close()
		if psa.ClassOf(err) != psa.RateLimited || psa.RetryAfterOf(err) != time.Second {
			t.Errorf("HTTP %d: err = %v, want rate limited with RetryAfter 1s", status, err)
		}
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	good := Config{Username: "u@x", Secret: secret.New("s"), IntegrationCode: secret.New("c")}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // substring of the error; "" for success
	}{
		{name: "defaults", mutate: func(*Config) {}},
		{name: "zone url", mutate: func(c *Config) { c.ZoneURL = "https://webservices3.autotask.net/ATServicesRest/" }},
		{name: "no username", mutate: func(c *Config) { c.Username = "" }, want: "username"},
		{name: "no secret", mutate: func(c *Config) { c.Secret = secret.Secret{} }, want: "secret"},
		{name: "no integration code", mutate: func(c *Config) { c.IntegrationCode = secret.Secret{} }, want: "integration code"},
		{name: "zone url without root", mutate: func(c *Config) { c.ZoneURL = "https://webservices3.autotask.net/" }, want: "/atservicesrest/"},
		{name: "relative base url", mutate: func(c *Config) { c.BaseURL = "webservices.autotask.net" }, want: "base URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tt.mutate(&cfg)
			c, err := New(cfg)
			if tt.want == "" {
				if err != nil || c.Budget().Limit() != DefaultRequestsPerHour {
					t.Fatalf("New = %v; want a connector with the default budget", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestSharedBudget(t *testing.T) {
	t.Parallel()
	b := psahttp.NewBudget(10, time.Hour, nil)
	cfg := Config{Username: "u@x", Secret: secret.New("s"), IntegrationCode: secret.New("c"), Budget: b}
	if c := mustNew(t, cfg); c.Budget() != b {
		t.Error("connector does not use the shared budget it was given")
	}
}
