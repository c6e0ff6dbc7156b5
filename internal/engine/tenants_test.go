package engine

import (
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/secret"
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
