package servicenowsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a simulator on httptest.
type env struct {
	t   *testing.T
	sim *Sim
	srv *httptest.Server
	clk *fakeClock
}

func newEnv(t *testing.T, opt Options) *env {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	if opt.Now == nil {
		opt.Now = clk.Now
	}
	sim := New(opt)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &env{t: t, sim: sim, srv: srv, clk: clk}
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("body %q: %v", a.body, err)
	}
	return m
}

// result returns the "result" object of a single-record answer.
func (a answer) result(t *testing.T) map[string]any {
	t.Helper()
	r, ok := a.json(t)["result"].(map[string]any)
	if !ok {
		t.Fatalf("no result object in %s", a.body)
	}
	return r
}

// results returns the "result" list of a list answer.
func (a answer) results(t *testing.T) []any {
	t.Helper()
	r, ok := a.json(t)["result"].([]any)
	if !ok {
		t.Fatalf("no result list in %s", a.body)
	}
	return r
}

// errorOf returns the envelope's message and detail.
func (a answer) errorOf(t *testing.T) (string, any) {
	t.Helper()
	e, ok := a.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error envelope in %s", a.body)
	}
	return e["message"].(string), e["detail"]
}

// as sends a request as user with JSON headers; body "" sends none.
func (e *env) as(user, method, path, body string, hdr ...string) answer {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		u := e.sim.User(user)
		req.SetBasicAuth(u.UserName, u.Password)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *env) api(method, path, body string, hdr ...string) answer {
	e.t.Helper()
	return e.as(APIUserName, method, path, body, hdr...)
}

// sysID finds the sys_id of a record of table by an encoded query.
func (e *env) sysID(table, query string) string {
	e.t.Helper()
	rows := e.api("GET", "/api/now/table/"+table+"?sysparm_fields=sys_id&sysparm_query="+escape(query), "").results(e.t)
	if len(rows) != 1 {
		e.t.Fatalf("%s %s: %d rows", table, query, len(rows))
	}
	return rows[0].(map[string]any)["sys_id"].(string)
}

func escape(q string) string {
	r := strings.NewReplacer("^", "%5E", "=", "%3D", " ", "%20", "@", "%40", ",", "%2C", ">", "%3E", "<", "%3C")
	return r.Replace(q)
}

// newIncident creates an incident for Jane Doe at Acme Corp.
func (e *env) newIncident(extra string) map[string]any {
	e.t.Helper()
	caller := e.sysID("sys_user", "email=jane@acme.example")
	company := e.sysID("core_company", "name=Acme Corp")
	body := `{"caller_id":"` + caller + `","company":"` + company + `","short_description":"Too many downloads","impact":"2","urgency":"1"` + extra + `}`
	a := e.api("POST", "/api/now/table/incident", body)
	if a.status != http.StatusCreated {
		e.t.Fatalf("create: %d %s", a.status, a.body)
	}
	return a.result(e.t)
}
