package halopsa

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/halopsa/halopsasim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// simClock is a settable clock shared by a simulator and a connector.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// counting serves the simulator and counts requests by path.
type counting struct {
	next http.Handler
	mu   sync.Mutex
	n    map[string]int
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.n[strings.ToLower(r.URL.Path)]++
	c.mu.Unlock()
	c.next.ServeHTTP(w, r)
}

func (c *counting) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

type fixture struct {
	sim  *halopsasim.Sim
	srv  *httptest.Server
	reqs *counting
	clk  *simClock
}

func newFixture(t *testing.T, o halopsasim.Options) *fixture {
	t.Helper()
	clk := &simClock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	o.Now = clk.Now
	sim := halopsasim.New(o)
	reqs := &counting{next: sim, n: map[string]int{}}
	srv := httptest.NewServer(reqs)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	return &fixture{sim: sim, srv: srv, reqs: reqs, clk: clk}
}

func (f *fixture) connector(t *testing.T, mod func(*Config)) *Connector {
	t.Helper()
	cfg := Config{URL: f.srv.URL, ClientID: secret.New(halopsasim.IntegrationClientID),
		ClientSecret: secret.New(halopsasim.IntegrationClientSecret), Now: f.clk.Now, RetryBackoff: time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOneTokenFetchUnderConcurrency(t *testing.T) {
	f := newFixture(t, halopsasim.Options{})
	c := f.connector(t, func(cfg *Config) { cfg.MaxConcurrent = 8 })
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Ticket(context.Background(), "424242"); !errors.Is(err, psa.ErrNotFound) {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d calls did not get ErrNotFound", failed.Load())
	}
	if n, a := f.reqs.count("/auth/token"), f.reqs.count("/api/authinfo"); n != 1 || a != 1 {
		t.Errorf("20 concurrent first calls fetched %d tokens after %d authinfo calls, want 1 and 1", n, a)
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	f := newFixture(t, halopsasim.Options{TokenLifetime: 10 * time.Minute})
	c := f.connector(t, nil)
	ctx := context.Background()
	if err := c.Test(ctx); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(8 * time.Minute)
	if err := c.Test(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.reqs.count("/auth/token"); n != 1 {
		t.Errorf("%d token fetches while the first token had minutes left, want 1", n)
	}
	// Within refreshAhead of the expiry the token is replaced before use,
	// so no request is refused on the way.
	f.clk.Advance(time.Minute + 30*time.Second)
	if err := c.Test(ctx); err != nil {
		t.Fatal(err)
	}
	if n, refused := f.reqs.count("/auth/token"), f.reqs.count("/api/agent/me"); n != 2 || refused != 3 {
		t.Errorf("token fetches %d, Agent/me calls %d; want 2 and 3 (no 401 and resend)", n, refused)
	}
}

func TestRevokedTokenIsReplacedOnce(t *testing.T) {
	f := newFixture(t, halopsasim.Options{TokenLifetime: time.Hour})
	c := f.connector(t, nil)
	ctx := context.Background()
	if err := c.Test(ctx); err != nil {
		t.Fatal(err)
	}
	// A second simulator forgets the token: the instance restarted.
	other := halopsasim.New(halopsasim.Options{Now: f.clk.Now})
	defer other.Close()
	f.reqs.next = other
	if err := c.Test(ctx); err != nil {
		t.Fatalf("Test after the token was revoked: %v", err)
	}
	if n := f.reqs.count("/auth/token"); n != 2 {
		t.Errorf("%d token fetches, want 2 (the first, and one after the 401)", n)
	}
}

func TestBadClientIsPermanentAndKeepsTheSecretOut(t *testing.T) {
	f := newFixture(t, halopsasim.Options{})
	c := f.connector(t, func(cfg *Config) { cfg.ClientSecret = secret.New("wrong-secret-value") })
	err := c.Test(context.Background())
	if psa.ClassOf(err) != psa.Permanent || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("Test with a bad secret = %v, want permanent invalid_client", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") || strings.Contains(err.Error(), halopsasim.IntegrationClientID) {
		t.Errorf("error %q shows a credential", err)
	}
	if n := f.reqs.count("/auth/token"); n != 1 {
		t.Errorf("%d token requests for one refusal, want 1 (no auth-style probing, no retry)", n)
	}
}

func TestTenantGoesToTheTokenRequest(t *testing.T) {
	f := newFixture(t, halopsasim.Options{Tenant: "acme-msp"})
	if err := f.connector(t, nil).Test(context.Background()); err == nil {
		t.Error("Test without the tenant succeeded against an instance that needs one")
	}
	if err := f.connector(t, func(cfg *Config) { cfg.Tenant = "acme-msp" }).Test(context.Background()); err != nil {
		t.Errorf("Test with the tenant: %v", err)
	}
}

func TestRateLimitedTokenCall(t *testing.T) {
	f := newFixture(t, halopsasim.Options{RateLimit: 1, RetryAfter: true})
	err := f.connector(t, nil).Test(context.Background())
	if psa.ClassOf(err) != psa.RateLimited || psa.RetryAfterOf(err) <= 0 {
		t.Fatalf("Test past the limit = %v, want rate limited with the Retry-After", err)
	}
	if !strings.Contains(err.Error(), "Rate Limit Reached") {
		t.Errorf("error %q lacks Halo's text", err)
	}
}

func TestAuthInfoMissingFallsBackToAuthToken(t *testing.T) {
	f := newFixture(t, halopsasim.Options{})
	mux := http.NewServeMux()
	mux.HandleFunc("/api/authinfo", http.NotFound)
	mux.Handle("/", f.sim)
	f.reqs.next = mux
	if err := f.connector(t, nil).Test(context.Background()); err != nil {
		t.Errorf("Test without authinfo: %v", err)
	}
}

func TestInstanceURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://acme.halopsa.com", "https://acme.halopsa.com"},
		{"https://acme.halopsa.com/", "https://acme.halopsa.com"},
		{"https://acme.halopsa.com/api", "https://acme.halopsa.com"},
		{"https://acme.halopsa.com/API/", "https://acme.halopsa.com"},
		{"https://halo.example/helpdesk/auth", "https://halo.example/helpdesk"},
		{"acme.halopsa.com", ""},
	}
	for _, tt := range tests {
		got, err := instance(tt.in)
		if (err != nil) != (tt.want == "") || got != tt.want {
			t.Errorf("instance(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"error":"invalid_client"}`, "invalid_client"},
		{`{"error":"invalid_request","error_description":"unknown tenant"}`, "unknown tenant"},
		{`{"resultCode":1,"errorMessage":"Ticket locked"}`, "Ticket locked"},
		{`{"ClassName":"System.Exception","Message":"Please enter a Summary"}`, "Please enter a Summary"},
		{`"Priority 7 is not valid"`, "Priority 7 is not valid"},
		{`Rate Limit Reached - 300 Requests per rolling 5 minute window`, "Rate Limit Reached - 300 Requests per rolling 5 minute window"},
		{`<html>gateway</html>`, "Bad Gateway"},
		{``, "Bad Gateway"},
	}
	for _, tt := range tests {
		if got := errorText([]byte(tt.body), "Bad Gateway"); got != tt.want {
			t.Errorf("errorText(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

// capped answers unpaged ticket lists with at most two rows, as an
// instance with a cap on unpaged lists might.
type capped struct{ next http.Handler }

func (c capped) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if strings.EqualFold(r.URL.Path, "/api/tickets") && q.Get("pageinate") == "" && q.Get("count") != "" {
		q.Set("count", "2")
		r.URL.RawQuery = q.Encode()
	}
	c.next.ServeHTTP(w, r)
}

func TestTicketsByIDPagesWhenUnpagedListsAreCapped(t *testing.T) {
	f := newFixture(t, halopsasim.Options{})
	f.reqs.next = capped{f.sim}
	c := f.connector(t, nil)
	ctx := context.Background()
	var ids []string
	for range 5 {
		tk, err := c.CreateTicket(ctx, psa.NewTicket{CompanyID: "2", Title: "t", Type: "1", ExternalRef: "r"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.ID)
	}
	got, err := c.TicketsByID(ctx, ids)
	if err != nil || len(got) != 5 {
		t.Fatalf("TicketsByID of 5 under a cap of 2 = %d tickets, %v; want all 5", len(got), err)
	}
}
