package servicenow

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa/servicenow/servicenowsim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// recorder counts and keeps the requests that reach the simulator.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(req.Context()))
	r.mu.Unlock()
	r.next.ServeHTTP(w, req)
}

// count returns how many requests went to path.
func (r *recorder) count(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.reqs {
		if q.URL.Path == path {
			n++
		}
	}
	return n
}

// simEnv is a simulator on httptest behind a recorder.
type simEnv struct {
	sim *servicenowsim.Sim
	rec *recorder
	srv *httptest.Server
}

func newSimEnv(t *testing.T, opt servicenowsim.Options) *simEnv {
	t.Helper()
	sim := servicenowsim.New(opt)
	rec := &recorder{next: sim}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return &simEnv{sim: sim, rec: rec, srv: srv}
}

// basic is a connector of the integration user with Basic authentication.
func (e *simEnv) basic(t *testing.T, mod ...func(*Config)) *Connector {
	t.Helper()
	u := e.sim.User(servicenowsim.APIUserName)
	cfg := Config{Instance: e.srv.URL, Username: u.UserName, Password: secret.New(u.Password), HTTPClient: e.srv.Client()}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
