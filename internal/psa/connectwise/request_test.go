package connectwise

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

func TestAuthHeaders(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.api("GET", "system/info", answer(200, `{"version":"v2025.1","isCloud":true}`))
	c := f.connector(t)
	if err := c.Test(context.Background()); err != nil {
		t.Fatalf("Test: %v", err)
	}
	api := f.requests(apiPrefix + "system/info")
	if len(api) != 1 {
		t.Fatalf("system/info requests = %d, want 1", len(api))
	}
	h := api[0].Header
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("acme+pub1:"+fakePrivate))
	if got := h.Get("Authorization"); got != wantAuth {
		t.Errorf("Authorization = %q, want %q", got, wantAuth)
	}
	if got := h.Get("clientId"); got != fakeClientID {
		t.Errorf("clientId = %q, want %q", got, fakeClientID)
	}
	if got := h.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q, want application/json", got)
	}
	info := f.requests("/login/companyinfo/acme")
	if len(info) != 1 {
		t.Fatalf("companyinfo requests = %d, want 1", len(info))
	}
	if info[0].Header.Get("Authorization") != "" || info[0].Header.Get("clientId") != "" {
		t.Errorf("companyinfo got credentials: %v", info[0].Header)
	}
}

func TestDiscoveryIsCachedAndShared(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.api("GET", "system/info", answer(200, `{}`))
	c := f.connector(t)
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if err := c.Test(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(f.requests("/login/companyinfo/acme")); n != 1 {
		t.Errorf("companyinfo requested %d times, want 1", n)
	}
	if n := len(f.requests(apiPrefix + "system/info")); n != 5 {
		t.Errorf("system/info requested %d times, want 5", n)
	}
}

func TestDiscoveryAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		info     string
		wantPath string // API path reached; "" when discovery fails
		wantMsg  string
	}{
		{name: "codebase", info: `{"Codebase":"v2025_1/"}`, wantPath: "/v2025_1/apis/3.0/system/info"},
		{name: "codebase without slash", info: `{"Codebase":"v2024_3"}`, wantPath: "/v2024_3/apis/3.0/system/info"},
		{name: "no codebase uses the stable alias", info: `{"CompanyName":"x"}`, wantPath: "/v4_6_release/apis/3.0/system/info"},
		{name: "unknown company", info: `null`, wantMsg: `company "acme" is unknown`},
		{name: "not JSON", info: `<html>`, wantMsg: "not JSON"},
		{name: "codebase with a path", info: `{"Codebase":"../../evil/"}`, wantMsg: "unusable codebase"},
		{name: "codebase with a host", info: `{"Codebase":"@evil.example/"}`, wantMsg: "unusable codebase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newBareFake(t)
			f.handle("GET /login/companyinfo/{company}", answer(200, tt.info))
			var reached atomic.Value
			f.handle("GET /{codebase}/apis/3.0/system/info", func(w http.ResponseWriter, r *http.Request) {
				reached.Store(r.URL.Path)
				io.WriteString(w, `{}`)
			})
			err := f.connector(t).Test(context.Background())
			if tt.wantPath != "" {
				if err != nil || reached.Load() != tt.wantPath {
					t.Fatalf("Test = %v, reached %v; want success at %s", err, reached.Load(), tt.wantPath)
				}
				return
			}
			if err == nil || psa.ClassOf(err) != psa.Permanent || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("Test = %v, want permanent error with %q", err, tt.wantMsg)
			}
			if reached.Load() != nil {
				t.Errorf("API reached at %v after a failed discovery", reached.Load())
			}
		})
	}
}

func TestConfiguredCodebaseSkipsDiscovery(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.handle("GET /v4_6_release/apis/3.0/system/info", answer(200, `{}`))
	c := f.connector(t, func(cfg *Config) { cfg.Codebase = "v4_6_release" })
	if err := c.Test(context.Background()); err != nil {
		t.Fatalf("Test: %v", err)
	}
	if n := len(f.requests("/login/companyinfo/acme")); n != 0 {
		t.Errorf("companyinfo requested %d times with a configured codebase", n)
	}
}

func TestMovedCodebaseIsDiscoveredAgain(t *testing.T) {
	t.Parallel()
	f := newBareFake(t)
	var infoCalls atomic.Int64
	f.handle("GET /login/companyinfo/{company}", func(w http.ResponseWriter, r *http.Request) {
		if infoCalls.Add(1) == 1 {
			io.WriteString(w, `{"Codebase":"v2024_1/"}`)
			return
		}
		io.WriteString(w, `{"Codebase":"v2025_1/"}`)
	})
	// The old codebase is gone: a bare 404, not ConnectWise's NotFound.
	f.handle("GET /v2024_1/apis/3.0/service/tickets/{id}", answer(404, `<html>not here</html>`))
	f.api("GET", "service/tickets/{id}", answer(200, `{"id":7,"summary":"s","_info":{}}`))
	tk, err := f.connector(t).Ticket(context.Background(), "7")
	if err != nil || tk.ID != "7" {
		t.Fatalf("Ticket = %+v, %v; want ticket 7 after rediscovery", tk, err)
	}
	if infoCalls.Load() != 2 {
		t.Errorf("companyinfo called %d times, want 2", infoCalls.Load())
	}
}

func TestNewReportsEveryMissingSetting(t *testing.T) {
	t.Parallel()
	_, err := New(Config{Site: "ftp://x/y"})
	if err == nil {
		t.Fatal("New accepted an empty config")
	}
	for _, want := range []string{"company id", "public key", "private key", "clientId", "site"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("New error %q does not mention %q", err, want)
		}
	}
}

func TestAPIHost(t *testing.T) {
	t.Parallel()
	tests := []struct{ site, want string }{
		{"https://na.myconnectwise.net", "https://api-na.myconnectwise.net"},
		{"https://EU.myconnectwise.net", "https://api-eu.myconnectwise.net"},
		{"https://api-au.myconnectwise.net", "https://api-au.myconnectwise.net"},
		{"https://staging.connectwisedev.com", "https://api-staging.connectwisedev.com"},
		{"https://cw.msp.example:8443", "https://cw.msp.example:8443"},
		{"http://127.0.0.1:4567", "http://127.0.0.1:4567"},
	}
	for _, tt := range tests {
		if got := apiHost(tt.site); got != tt.want {
			t.Errorf("apiHost(%q) = %q, want %q", tt.site, got, tt.want)
		}
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	other := newFake(t)
	other.handle("GET /steal", answer(200, `{}`))
	f := newFake(t)
	f.api("GET", "system/info", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.srv.URL+"/steal", http.StatusFound)
	})
	err := f.connector(t).Test(context.Background())
	if psa.ClassOf(err) != psa.Permanent {
		t.Fatalf("Test = %v, want a permanent error for a redirect", err)
	}
	if n := len(other.requests("/steal")); n != 0 {
		t.Errorf("redirect followed %d times: credentials would leave the API host", n)
	}
}

func TestSecretsNeverInConfigFormatting(t *testing.T) {
	t.Parallel()
	cfg := Config{PrivateKey: secret.New(fakePrivate), ClientID: secret.New(fakeClientID)}
	s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg)
	if strings.Contains(s, fakePrivate) || strings.Contains(s, fakeClientID) {
		t.Errorf("formatted config holds a secret: %s", s)
	}
}
