package autotasksim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

// client speaks to a simulator as one API user, with plain net/http.
type client struct {
	t    testing.TB
	root string // http://host/atservicesrest/V1.0/
	user autotasksim.User
	code string
	hdr  map[string]string // extra headers
}

// start serves a new simulator on loopback and returns a client for its
// first user.
func start(t testing.TB, opts autotasksim.Options) (*autotasksim.Sim, *client) {
	t.Helper()
	sim := autotasksim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, &client{t: t, root: srv.URL + "/atservicesrest/V1.0/", user: sim.Users()[0], code: sim.IntegrationCode()}
}

// as returns a copy of c acting as u.
func (c *client) as(u autotasksim.User) *client {
	cp := *c
	cp.user = u
	return &cp
}

// do sends a request. path is relative to V1.0/ unless it is absolute.
// body is marshalled unless it is a string (sent verbatim).
func (c *client) do(method, path string, body any) (int, []byte, http.Header) {
	c.t.Helper()
	url := path
	if !strings.HasPrefix(path, "http") {
		url = c.root + path
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("marshal body: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	req.Header.Set("ApiIntegrationCode", c.code)
	req.Header.Set("UserName", c.user.UserName)
	req.Header.Set("Secret", c.user.Secret)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read body: %v", err)
	}
	return resp.StatusCode, out, resp.Header
}

// call sends a request, requires status want and decodes the JSON answer.
func (c *client) call(method, path string, body any, want int) map[string]any {
	c.t.Helper()
	status, out, _ := c.do(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, status, want, out)
	}
	var m map[string]any
	if len(out) > 0 {
		if err := json.Unmarshal(out, &m); err != nil {
			c.t.Fatalf("%s %s: decode %q: %v", method, path, out, err)
		}
	}
	return m
}

// wantError requires status and an errors array whose first message
// contains substr.
func (c *client) wantError(method, path string, body any, status int, substr string) {
	c.t.Helper()
	m := c.call(method, path, body, status)
	errs, _ := m["errors"].([]any)
	if len(errs) == 0 {
		c.t.Fatalf("%s %s: no errors array in %v", method, path, m)
	}
	if msg, _ := errs[0].(string); !strings.Contains(msg, substr) {
		c.t.Fatalf("%s %s: error %q does not contain %q", method, path, msg, substr)
	}
}

// create posts body to path and returns the new itemId.
func (c *client) create(path string, body any) int {
	c.t.Helper()
	m := c.call(http.MethodPost, path, body, http.StatusOK)
	id, ok := m["itemId"].(float64)
	if !ok || id <= 0 {
		c.t.Fatalf("POST %s: itemId missing in %v", path, m)
	}
	return int(id)
}

// item fetches {"item":{...}}.
func (c *client) item(path string) map[string]any {
	c.t.Helper()
	item, ok := c.call(http.MethodGet, path, nil, http.StatusOK)["item"].(map[string]any)
	if !ok {
		c.t.Fatalf("GET %s: no item", path)
	}
	return item
}

// ids returns the id of each item of a query answer.
func ids(m map[string]any) []int {
	var out []int
	items, _ := m["items"].([]any)
	for _, it := range items {
		out = append(out, int(it.(map[string]any)["id"].(float64)))
	}
	return out
}

// ticket is a valid minimal ticket body for Acme Corp.
func ticket(title string) map[string]any {
	return map[string]any{
		"companyID": 175, "title": title, "status": 1, "priority": 2,
		"dueDateTime": "2026-12-01T17:00:00Z",
	}
}

// fakeClock is a settable clock for the simulator.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 21, 10, 15, 0, 123_000_000, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func itoa(n int) string { return strconv.Itoa(n) }

// allRows is the "every row" query idiom.
var allRows = map[string]any{"filter": []any{map[string]any{"op": "gte", "field": "id", "value": 0}}}
