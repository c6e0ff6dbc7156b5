package superops

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/superops/superopssim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

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

// recorded is one request the connector sent.
type recorded struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// fixture is the simulator on httptest, recording every request, and a
// connector on it as the integration's API user.
type fixture struct {
	sim  *superopssim.Sim
	srv  *httptest.Server
	clk  *clock
	conn *Connector

	mu   sync.Mutex
	reqs []recorded
}

func newFixture(t *testing.T, o superopssim.Options) *fixture {
	t.Helper()
	f := &fixture{clk: &clock{t: time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)}}
	if o.Now == nil {
		o.Now = f.clk.Now
	}
	f.sim = superopssim.New(o)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		f.mu.Unlock()
		f.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	f.conn = f.connect(t, f.sim.Users()[0].Token, superopssim.SeedSubdomain)
	return f
}

func (f *fixture) connect(t *testing.T, token, subdomain string) *Connector {
	t.Helper()
	c, err := New(Config{URL: f.srv.URL, Subdomain: subdomain, APIToken: secret.New(token), HTTPClient: f.srv.Client(),
		Now: f.clk.Now, RetryBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fixture) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

// company finds a seed company by name.
func (f *fixture) company(t *testing.T, name string) psa.Company {
	t.Helper()
	all, err := f.conn.Companies(context.Background(), psa.CompanyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no company %q", name)
	return psa.Company{}
}

// newTicket creates a ticket for Acme Corp with ref.
func (f *fixture) newTicket(t *testing.T, ref string) psa.Ticket {
	t.Helper()
	ctx := context.Background()
	acme := f.company(t, "Acme Corp")
	jane, err := f.conn.ContactByEmail(ctx, acme.ID, "jane@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	picks, err := f.conn.Picklists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := picks.Lookup(psa.FieldQueue, "Security", "")
	tk, err := f.conn.CreateTicket(ctx, psa.NewTicket{CompanyID: acme.ID, ContactID: jane.ID, Title: "Too many downloads: jane",
		Description: "412 files", Status: "New", Priority: "High", Queue: q.ID, IssueType: "Data Loss",
		SubIssueType: "Excessive Download", ExternalRef: ref})
	if err != nil {
		t.Fatalf("CreateTicket: %v", err)
	}
	return tk
}
