package connectwise

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// Credentials of the fake; the private key and clientId hold characters
// that survive no careless formatting.
const (
	fakeCompany  = "acme"
	fakePublic   = "pub1"
	fakePrivate  = "Pr1v$~*#@-key"
	fakeClientID = "0c1d-CLIENT-9f2e"
	fakeCodebase = "v2025_1/"
	apiPrefix    = "/v2025_1/apis/3.0/"
)

// seen is one request as it reached the fake.
type seen struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   string
}

// fake is an httptest server with ServeMux routes that records every
// request. Routes are registered by each test.
type fake struct {
	mux *http.ServeMux
	srv *httptest.Server

	mu   sync.Mutex
	reqs []seen
}

// newBareFake starts a fake without routes.
func newBareFake(t *testing.T) *fake {
	t.Helper()
	f := &fake{mux: http.NewServeMux()}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// newFake starts a fake whose companyinfo advertises fakeCodebase.
func newFake(t *testing.T) *fake {
	t.Helper()
	f := newBareFake(t)
	f.handle("GET /login/companyinfo/{company}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("company") != fakeCompany {
			io.WriteString(w, "null")
			return
		}
		io.WriteString(w, `{"CompanyName":"Acme MSP","Codebase":"`+fakeCodebase+`","VersionCode":"v2025.1","CompanyID":"acme","IsCloud":true}`)
	})
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: string(body)})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	f.mux.ServeHTTP(w, r)
}

// handle registers a route; API routes are written relative to apiPrefix
// by api.
func (f *fake) handle(pattern string, h http.HandlerFunc) { f.mux.HandleFunc(pattern, h) }

// api registers method on an API path ("service/tickets/{id}").
func (f *fake) api(method, path string, h http.HandlerFunc) {
	f.handle(method+" "+apiPrefix+path, h)
}

// answer answers every request with status and body.
func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// requests returns the recorded requests whose path is path ("" = all).
func (f *fake) requests(path string) []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []seen
	for _, r := range f.reqs {
		if path == "" || r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// connector builds a connector for the fake with fast retries.
func (f *fake) connector(t *testing.T, mod ...func(*Config)) *Connector {
	t.Helper()
	cfg := Config{
		Site:         f.srv.URL,
		CompanyID:    fakeCompany,
		PublicKey:    fakePublic,
		PrivateKey:   secret.New(fakePrivate),
		ClientID:     secret.New(fakeClientID),
		HTTPClient:   f.srv.Client(),
		MaxAttempts:  2,
		RetryBackoff: time.Millisecond,
		Logger:       slog.New(slog.DiscardHandler),
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}
