package connectwise_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

// raw sends one request to the simulator as member m, outside the
// connector: for what the connector does not do (time entries, contact
// notes, checking stored records). It requires status want and returns
// the decoded answer.
func raw(t *testing.T, srv *httptest.Server, sim *connectwisesim.Sim, m connectwisesim.Member, method, path string, body any, want int) any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.URL+"/v4_6_release/apis/3.0/"+path, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	auth := base64.StdEncoding.EncodeToString([]byte(m.CompanyID + "+" + m.PublicKey + ":" + m.PrivateKey))
	req.Header.Set("Authorization", "Basic "+auth)
	req.Header.Set("clientId", sim.ClientID())
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, out)
	}
	var v any
	if len(out) > 0 {
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return v
}

// field reads a nested field of a decoded object, "status/id" style.
func field(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// clock is a settable clock for the simulator.
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
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newClockedSim starts a simulator on a settable clock.
func newClockedSim(t *testing.T, opts connectwisesim.Options) (*connectwisesim.Sim, *httptest.Server, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	opts.Now = clk.Now
	sim := connectwisesim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		sim.Close()
	})
	return sim, srv, clk
}

func itoa(n int) string { return strconv.Itoa(n) }

func mustInt(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("not an integer: %q", s)
	}
	return n
}
