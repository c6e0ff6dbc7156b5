package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestTenantRoutesWho: who may call the tenant routes. Without an
// operator token configured there is no operator: the routes answer 401
// to anything that is not a known token, and 404 to a tenant's token.
func TestTenantRoutesWho(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const operator = "tbo_operator"
	with := f.handler(httpapi.Config{OperatorTokenHash: ingest.HashToken(operator)})
	without := f.handler(httpapi.Config{})
	tests := []struct {
		name   string
		h      http.Handler
		method string
		path   string
		token  string
		want   int
	}{
		{"no operator configured: its token is nobody", without, "GET", "/api/v1/tenants", operator, http.StatusUnauthorized},
		{"no operator configured: no token", without, "GET", "/api/v1/tenants", "", http.StatusUnauthorized},
		{"tenant admin on tenant list", with, "GET", "/api/v1/tenants", adminToken, http.StatusNotFound},
		{"tenant admin on one tenant", with, "GET", "/api/v1/tenants/" + otherTenant, adminToken, http.StatusNotFound},
		{"source token on tenant list", with, "GET", "/api/v1/tenants", tokenA, http.StatusNotFound},
		{"operator lists tenants", with, "GET", "/api/v1/tenants", operator, http.StatusOK},
		{"operator reads the default tenant", with, "GET", "/api/v1/tenants/default", operator, http.StatusOK},
		{"operator on a tenant's objects", with, "GET", "/api/v1/integrations", operator, http.StatusForbidden},
		{"operator on tokens of no tenant", with, "GET", "/api/v1/tokens", operator, http.StatusForbidden},
		{"tenant admin lists own tokens", with, "GET", "/api/v1/tokens", adminToken, http.StatusOK},
		{"source token on tokens", with, "GET", "/api/v1/tokens", tokenA, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if w := do(tc.h, tc.method, tc.path, tc.token, ""); w.Code != tc.want {
				t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, w.Code, tc.want, w.Body)
			}
		})
	}
}

// TestStoredOperatorRole: a stored token with the operator role is the
// operator, not a tenant admin.
func TestStoredOperatorRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	must(t, f.st.CreateAPIToken(t.Context(), store.APIToken{TenantID: "", Name: "ops", TokenHash: ingest.HashToken("tbo_stored"), Role: store.RoleOperator}))
	h := f.handler(httpapi.Config{})
	if w := do(h, "GET", "/api/v1/tenants", "tbo_stored", ""); w.Code != http.StatusOK {
		t.Errorf("stored operator on tenants: %d %s", w.Code, w.Body)
	}
	if w := do(h, "GET", "/api/v1/alerts", "tbo_stored", ""); w.Code != http.StatusForbidden {
		t.Errorf("stored operator on alerts: %d %s", w.Code, w.Body)
	}
}
