package syncrosim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// clock is a settable simulator clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is a simulator on httptest with a clock.
type harness struct {
	t   *testing.T
	sim *Sim
	srv *httptest.Server
	clk *clock
}

func newHarness(t *testing.T, o Options) *harness {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	if o.Now == nil {
		o.Now = clk.now
	}
	sim := New(o)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() { srv.Close(); sim.Close() })
	return &harness{t: t, sim: sim, srv: srv, clk: clk}
}

// answer is a response with its decoded JSON body.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// do sends a request with the API token as a Bearer header.
func (h *harness) do(method, path string, in any) answer {
	h.t.Helper()
	return h.doAuth(method, path, in, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+APIToken) })
}

func (h *harness) doAuth(method, path string, in any, auth func(*http.Request)) answer {
	h.t.Helper()
	var rd *bytes.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != nil {
		auth(req)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: buf.Bytes()}
	_ = json.Unmarshal(a.raw, &a.body)
	return a
}

// create makes a valid ticket for Acme and returns its JSON.
func (h *harness) create(extra map[string]any) map[string]any {
	h.t.Helper()
	in := map[string]any{"customer_id": AcmeID, "subject": "Suspicious sign-in", "status": "New",
		"problem_type": "Security Incident", "priority": "2 Normal", "contact_id": 202, "ticket_type_id": 11,
		"comments_attributes": []map[string]any{{"subject": "Initial Issue", "body": "details", "hidden": true, "do_not_email": true}}}
	for k, v := range extra {
		in[k] = v
	}
	a := h.do("POST", "/api/v1/tickets", in)
	if a.status != http.StatusOK {
		h.t.Fatalf("create: %d %s", a.status, a.raw)
	}
	return a.body["ticket"].(map[string]any)
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

func jsonDecode(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }

func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
