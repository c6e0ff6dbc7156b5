package connectwisesim_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

// client speaks to a simulator as one API member, with plain net/http.
type client struct {
	t        testing.TB
	site     string // http://host
	root     string // http://host/v4_6_release/apis/3.0/
	member   connectwisesim.Member
	clientID string
	hdr      map[string]string // extra headers
}

// start serves a new simulator on loopback and returns a client for its
// first member.
func start(t testing.TB, opts connectwisesim.Options) (*connectwisesim.Sim, *client) {
	t.Helper()
	sim := connectwisesim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(sim.Close)
	t.Cleanup(srv.Close)
	return sim, &client{t: t, site: srv.URL, root: srv.URL + "/v4_6_release/apis/3.0/", member: sim.Members()[0], clientID: sim.ClientID()}
}

// as returns a copy of c acting as m.
func (c *client) as(m connectwisesim.Member) *client {
	cp := *c
	cp.member = m
	return &cp
}

func basic(company, public, private string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(company+"+"+public+":"+private))
}

// do sends a request. path is relative to apis/3.0/ unless absolute; body
// is marshalled unless it is a string (sent verbatim).
func (c *client) do(method, path string, body any) (int, []byte, http.Header) {
	c.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = c.root + path
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
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Authorization", basic(c.member.CompanyID, c.member.PublicKey, c.member.PrivateKey))
	req.Header.Set("clientId", c.clientID)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/vnd.connectwise.com+json; version=2025.1, application/json")
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
func (c *client) call(method, path string, body any, want int) any {
	c.t.Helper()
	status, out, _ := c.do(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, status, want, out)
	}
	var v any
	if len(out) > 0 {
		if err := json.Unmarshal(out, &v); err != nil {
			c.t.Fatalf("%s %s: decode %q: %v", method, path, out, err)
		}
	}
	return v
}

// object calls and requires a JSON object answer.
func (c *client) object(method, path string, body any, want int) map[string]any {
	c.t.Helper()
	m, ok := c.call(method, path, body, want).(map[string]any)
	if !ok {
		c.t.Fatalf("%s %s: answer is not an object", method, path)
	}
	return m
}

// list GETs a collection and requires a bare JSON array of objects.
func (c *client) list(path string) []map[string]any {
	c.t.Helper()
	arr, ok := c.call(http.MethodGet, path, nil, http.StatusOK).([]any)
	if !ok {
		c.t.Fatalf("GET %s: answer is not an array", path)
	}
	out := make([]map[string]any, len(arr))
	for i, e := range arr {
		out[i] = e.(map[string]any)
	}
	return out
}

// apiErr is ConnectWise's error body.
type apiErr struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Errors  []struct {
		Code, Message, Resource, Field string
	} `json:"errors"`
}

// failure sends a request that must fail with status and returns its body.
func (c *client) failure(method, path string, body any, status int) apiErr {
	c.t.Helper()
	got, out, _ := c.do(method, path, body)
	if got != status {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, got, status, out)
	}
	var e apiErr
	if err := json.Unmarshal(out, &e); err != nil || e.Code == "" || e.Message == "" {
		c.t.Fatalf("%s %s: error body %s is not {code,message}: %v", method, path, out, err)
	}
	return e
}

// ids returns the id of each object.
func ids(rows []map[string]any) []int {
	out := []int{}
	for _, r := range rows {
		out = append(out, int(r["id"].(float64)))
	}
	return out
}

// ticket is a valid minimal ticket body for Acme Corp on the Security board.
func ticket(summary string) map[string]any {
	return map[string]any{
		"summary": summary, "company": map[string]any{"id": 251},
		"board": map[string]any{"id": 1}, "status": map[string]any{"id": 11},
	}
}

// create posts a ticket and returns its id.
func (c *client) create(body map[string]any) int {
	c.t.Helper()
	return int(c.object(http.MethodPost, "service/tickets", body, http.StatusCreated)["id"].(float64))
}

func ref(id int) map[string]any { return map[string]any{"id": id} }

func replace(path string, v any) []map[string]any {
	return []map[string]any{{"op": "replace", "path": path, "value": v}}
}

// get reads a nested field of a decoded object, "status/name" style.
func get(m map[string]any, path string) any {
	var cur any = m
	for _, seg := range strings.Split(path, "/") {
		o, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = o[seg]
	}
	return cur
}

// fakeClock is a settable clock for the simulator.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)}
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

// urlq escapes a query parameter value.
func urlq(s string) string { return url.QueryEscape(s) }
