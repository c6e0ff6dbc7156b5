package superopssim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a simulator on httptest with the seed tenant's tokens.
type env struct {
	t     *testing.T
	sim   *Sim
	srv   *httptest.Server
	clk   *clock
	api   string // the integration's token
	tech  string
	ro    string
	other string // a token of the other tenant
}

func newEnv(t *testing.T, o Options) *env {
	t.Helper()
	clk := newClock()
	if o.Now == nil {
		o.Now = clk.Now
	}
	sim := New(o)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	us := sim.Users()
	return &env{t: t, sim: sim, srv: srv, clk: clk, api: us[0].Token, tech: us[1].Token, ro: us[2].Token, other: sim.OtherTenantUsers()[0].Token}
}

// answer is a decoded GraphQL answer.
type answer struct {
	Status int
	Header http.Header
	Data   map[string]any
	Errors []map[string]any
	Raw    []byte
}

// code is the first clientError code, "" when none.
func (a answer) code() string {
	for _, e := range a.Errors {
		ext, _ := e["extensions"].(map[string]any)
		ces, _ := ext["clientError"].([]any)
		for _, ce := range ces {
			m, _ := ce.(map[string]any)
			c, _ := m["code"].(string)
			return c
		}
	}
	return ""
}

func (a answer) classification() string {
	for _, e := range a.Errors {
		ext, _ := e["extensions"].(map[string]any)
		c, _ := ext["classification"].(string)
		return c
	}
	return ""
}

// post sends a document as token at subdomain.
func (e *env) post(token, subdomain, query string, vars map[string]any) answer {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+Path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if subdomain != "" {
		req.Header.Set("CustomerSubDomain", subdomain)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	a := answer{Status: resp.StatusCode, Header: resp.Header, Raw: buf.Bytes()}
	var decoded struct {
		Data   map[string]any   `json:"data"`
		Errors []map[string]any `json:"errors"`
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil {
			e.t.Fatalf("answer is not JSON: %v: %s", err, buf.Bytes())
		}
	}
	a.Data, a.Errors = decoded.Data, decoded.Errors
	return a
}

// do is post as the integration at the seed tenant, failing on errors.
func (e *env) do(query string, vars map[string]any) map[string]any {
	e.t.Helper()
	a := e.post(e.api, SeedSubdomain, query, vars)
	if a.Status != http.StatusOK || len(a.Errors) > 0 {
		e.t.Fatalf("%s: HTTP %d %s", query, a.Status, a.Raw)
	}
	return a.Data
}

// path walks decoded JSON by keys and indexes.
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch kk := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[kk]
		case int:
			l, _ := v.([]any)
			if kk >= len(l) {
				return nil
			}
			v = l[kk]
		}
	}
	return v
}

// ids of the seed: a client's accountId by name, a user's by email.
func (e *env) clientID(name string) string {
	e.t.Helper()
	d := e.do(`query($n: JSON) { getClientList(input: {condition: {attribute: "name", operator: "is", value: $n}}) { clients { accountId } } }`, map[string]any{"n": name})
	id, _ := path(d, "getClientList", "clients", 0, "accountId").(string)
	if id == "" {
		e.t.Fatalf("no client %q", name)
	}
	return id
}

func (e *env) userID(clientID, email string) string {
	e.t.Helper()
	d := e.do(`query($c: ID, $e: JSON) { getClientUserList(input: {clientId: $c, listInfo: {condition: {attribute: "email", operator: "is", value: $e}}}) { userList { userId } } }`,
		map[string]any{"c": clientID, "e": email})
	id, _ := path(d, "getClientUserList", "userList", 0, "userId").(string)
	if id == "" {
		e.t.Fatalf("no user %q", email)
	}
	return id
}

const createDoc = `mutation($in: CreateTicketInput!) { createTicket(input: $in) { ticketId displayId subject status priority category subcategory client requester techGroup customFields createdTime updatedTime } }`

// create makes a ticket for Acme Corp and returns its object.
func (e *env) create(extra map[string]any) map[string]any {
	e.t.Helper()
	acme := e.clientID("Acme Corp")
	in := map[string]any{"subject": "Too many downloads", "client": map[string]any{"accountId": acme}, "source": "INTEGRATION", "status": "New"}
	for k, v := range extra {
		in[k] = v
	}
	d := e.do(createDoc, map[string]any{"in": in})
	tk, _ := d["createTicket"].(map[string]any)
	return tk
}
