package syncro

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/syncro/syncrosim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// recorder counts and keeps the requests that reach the simulator.
type recorder struct {
	mu   sync.Mutex
	reqs []string // "METHOD path?query"
}

func (r *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.reqs = append(r.reqs, req.Method+" "+req.URL.RequestURI())
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	})
}

func (r *recorder) count(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.reqs {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// fixture is a connector and a technician against one simulator.
type fixture struct {
	sim  *syncrosim.Sim
	conn *Connector
	tech *Connector
	rec  *recorder
	clk  *clock
}

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

func newFixture(t *testing.T, o syncrosim.Options) *fixture {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	o.Now = clk.now
	sim := syncrosim.New(o)
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(sim))
	t.Cleanup(func() { srv.Close(); sim.Close() })
	mk := func(token string) *Connector {
		c, err := New(Config{URL: srv.URL, APIToken: secret.New(token), HTTPClient: srv.Client(), RetryBackoff: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return &fixture{sim: sim, conn: mk(syncrosim.APIToken), tech: mk(syncrosim.TechToken), rec: rec, clk: clk}
}
