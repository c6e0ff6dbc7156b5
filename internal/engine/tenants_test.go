package engine

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/secret"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestWebhookOfAnotherTenant: an integration of a tenant other than
// default registers its webhook under a path naming the tenant, signed
// with a key of its own, so two tenants' integrations of one name neither
// share a URL nor a key; the default tenant keeps the path it had.
func TestWebhookOfAnotherTenant(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ tenant, wantURL, wantKey string }{
		{"default", "https://tb.example/hooks/it", "it"},
		{"acme", "https://tb.example/hooks/t/acme/it", "acme/it"},
	} {
		t.Run(tc.tenant, func(t *testing.T) {
			t.Parallel()
			var urls, keys []string
			h := newHarness(t, hookSettings(), func(clock func() time.Time) psa.Connector {
				return hookPSA{newFakePSA(clock), &urls}
			}, func(c *Config) {
				c.WebhookKey = func(name string) secret.Secret { keys = append(keys, name); return secret.New("k") }
			})
			h.w.tenant = tc.tenant
			h.w.status.registerWebhook(h.ctx)
			if len(urls) != 1 || urls[0] != tc.wantURL || len(keys) != 1 || keys[0] != tc.wantKey {
				t.Errorf("registered %q with key %q, want %q with key %q", urls, keys, tc.wantURL, tc.wantKey)
			}
		})
	}
}

// TestWebhookFindsTheTenantsIntegration: a callout names its integration
// within a tenant (the path's, or default): the same name in another
// tenant is not found, and a tenant's integration worked elsewhere asks
// the PSA to try again.
func TestWebhookFindsTheTenantsIntegration(t *testing.T) {
	t.Parallel()
	h := newHarness(t, hookSettings(), fake(new(*fakePSA)))
	if _, err := h.st.PutIntegration(h.ctx, store.Integration{TenantID: "acme", Name: "acme-psa", PSA: "autotask", Settings: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	e := New(Config{Store: h.st}) // no worker here: every integration is "elsewhere"
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/{integration}", e.WebhookHandler())
	mux.Handle("POST /hooks/t/{tenant}/{integration}", e.WebhookHandler())
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/hooks/t/acme/acme-psa", http.StatusServiceUnavailable},
		{"/hooks/acme-psa", http.StatusNotFound},               // not the default tenant's
		{"/hooks/t/acme/" + h.it.Name, http.StatusNotFound},    // the default tenant's name
		{"/hooks/" + h.it.Name, http.StatusServiceUnavailable}, // the default tenant's, as before
		{"/hooks/t/nobody/acme-psa", http.StatusNotFound},
	} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("POST", tc.path, strings.NewReader("{}")))
		if w.Code != tc.want {
			t.Errorf("POST %s: %d, want %d: %s", tc.path, w.Code, tc.want, w.Body)
		}
	}
}
