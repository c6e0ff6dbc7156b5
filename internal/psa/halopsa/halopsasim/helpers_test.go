package halopsasim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable simulator clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a simulator on httptest with a clock.
type env struct {
	t   *testing.T
	sim *Sim
	srv *httptest.Server
	clk *clock
}

func newEnv(t *testing.T, o Options) *env {
	t.Helper()
	clk := newClock()
	if o.Now == nil {
		o.Now = clk.Now
	}
	sim := New(o)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	return &env{t: t, sim: sim, srv: srv, clk: clk}
}

// tokenFor fetches a token for a client, failing the test otherwise.
func (e *env) tokenFor(id, secret string) string {
	e.t.Helper()
	code, body := e.form("/auth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {"all"}})
	if code != http.StatusOK {
		e.t.Fatalf("token: %d %s", code, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		e.t.Fatalf("token answer %s: %v", body, err)
	}
	return tok.AccessToken
}

func (e *env) token() string { return e.tokenFor(IntegrationClientID, IntegrationClientSecret) }

func (e *env) form(path string, v url.Values) (int, []byte) {
	e.t.Helper()
	resp, err := http.Post(e.srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// do sends an API request with a bearer token ("" for none).
func (e *env) do(method, path, tok, body string) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// ok sends a request that must answer 200 and decodes the answer.
func (e *env) ok(method, path, tok, body string, out any) {
	e.t.Helper()
	code, b := e.do(method, path, tok, body)
	if code != http.StatusOK {
		e.t.Fatalf("%s %s: %d %s", method, path, code, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// newTicket creates a ticket for Acme Corp and returns its id.
func (e *env) newTicket(tok string) int {
	e.t.Helper()
	var got struct {
		ID int `json:"id"`
	}
	e.ok("POST", "/api/Tickets", tok, `[{"summary":"phish","details":"d","tickettype_id":21,"client_id":2,"status_id":1,"priority_id":2,"team":"Security"}]`, &got)
	return got.ID
}
