package halopsasim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAuthInfoNamesTheTokenServer(t *testing.T) {
	e := newEnv(t, Options{Tenant: "acme-msp"})
	var info struct {
		AuthURL  string `json:"auth_url"`
		TenantID string `json:"tenant_id"`
	}
	e.ok("GET", "/api/AuthInfo", "", "", &info)
	if info.AuthURL != e.srv.URL+"/auth" || info.TenantID != "acme-msp" {
		t.Errorf("authinfo = %+v, want auth_url %s/auth and the tenant", info, e.srv.URL)
	}
}

func TestTokenGrant(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		name      string
		form      url.Values
		wantCode  int
		wantError string
	}{
		{"good client", url.Values{"grant_type": {"client_credentials"}, "client_id": {IntegrationClientID}, "client_secret": {IntegrationClientSecret}, "scope": {"all"}}, 200, ""},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {IntegrationClientID}, "client_secret": {"nope"}}, 401, "invalid_client"},
		{"unknown client", url.Values{"grant_type": {"client_credentials"}, "client_id": {"who"}, "client_secret": {"x"}}, 401, "invalid_client"},
		{"other grant", url.Values{"grant_type": {"password"}, "client_id": {IntegrationClientID}, "client_secret": {IntegrationClientSecret}}, 400, "unsupported_grant_type"},
		{"scope the app lacks", url.Values{"grant_type": {"client_credentials"}, "client_id": {ReadOnlyClientID}, "client_secret": {ReadOnlyClientSecret}, "scope": {"edit:tickets"}}, 400, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.form("/auth/token", tt.form)
			var got map[string]any
			_ = json.Unmarshal(body, &got)
			if code != tt.wantCode {
				t.Fatalf("status %d %s, want %d", code, body, tt.wantCode)
			}
			if tt.wantError != "" && got["error"] != tt.wantError {
				t.Errorf("error = %v, want %s", got["error"], tt.wantError)
			}
			if tt.wantError == "" && (got["access_token"] == "" || got["token_type"] != "Bearer" || got["expires_in"] != float64(3600)) {
				t.Errorf("token answer %s: want a Bearer token expiring in 3600s", body)
			}
		})
	}
}

func TestTokenNeedsTheTenantWhenSet(t *testing.T) {
	e := newEnv(t, Options{Tenant: "acme-msp"})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {IntegrationClientID}, "client_secret": {IntegrationClientSecret}}
	if code, _ := e.form("/auth/token", form); code != http.StatusBadRequest {
		t.Errorf("token without ?tenant= answered %d, want 400", code)
	}
	if code, body := e.form("/auth/token?tenant=acme-msp", form); code != http.StatusOK {
		t.Errorf("token with the tenant answered %d %s", code, body)
	}
}

func TestBearerChecks(t *testing.T) {
	e := newEnv(t, Options{TokenLifetime: time.Minute})
	tok := e.token()
	if code, _ := e.do("GET", "/api/Status", "", ""); code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", code)
	}
	if code, _ := e.do("GET", "/api/Status", "forged", ""); code != http.StatusUnauthorized {
		t.Errorf("unknown token: %d, want 401", code)
	}
	if code, _ := e.do("GET", "/API/sTaTuS", tok, ""); code != http.StatusOK {
		t.Errorf("mixed-case path: %d, want 200 (Halo's paths are case-insensitive)", code)
	}
	e.clk.Advance(time.Minute)
	if code, _ := e.do("GET", "/api/Status", tok, ""); code != http.StatusUnauthorized {
		t.Errorf("expired token: %d, want 401", code)
	}
}

func TestScopes(t *testing.T) {
	e := newEnv(t, Options{})
	code, body := e.form("/auth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {ReadOnlyClientID}, "client_secret": {ReadOnlyClientSecret}})
	if code != 200 {
		t.Fatalf("read-only token: %d %s", code, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(body, &tok)
	if code, _ := e.do("GET", "/api/Tickets", tok.AccessToken, ""); code != http.StatusOK {
		t.Errorf("read:tickets reading tickets: %d, want 200", code)
	}
	if code, _ := e.do("POST", "/api/Tickets", tok.AccessToken, `[{"summary":"x","client_id":2}]`); code != http.StatusForbidden {
		t.Errorf("read:tickets writing a ticket: %d, want 403", code)
	}
	if code, _ := e.do("GET", "/api/Webhook", tok.AccessToken, ""); code != http.StatusForbidden {
		t.Errorf("read-only app reading webhooks: %d, want 403", code)
	}
}

func TestRateLimitCountsTokenCalls(t *testing.T) {
	e := newEnv(t, Options{RateLimit: 3, Window: 5 * time.Minute})
	tok := e.token() // 1
	e.ok("GET", "/api/Status", tok, "", nil)
	e.ok("GET", "/api/authinfo", "", "", nil) // 3
	code, body := e.form("/auth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {IntegrationClientID}, "client_secret": {IntegrationClientSecret}})
	if code != http.StatusTooManyRequests || !strings.Contains(string(body), "Rate Limit Reached - 3 Requests per rolling 5 minute window") {
		t.Fatalf("fourth call: %d %q, want 429 with Halo's text", code, body)
	}
	e.clk.Advance(5 * time.Minute)
	if code, _ := e.do("GET", "/api/Status", tok, ""); code != http.StatusOK {
		t.Errorf("after the window: %d, want 200", code)
	}
}

func TestRetryAfterOption(t *testing.T) {
	for _, with := range []bool{false, true} {
		e := newEnv(t, Options{RateLimit: 1, RetryAfter: with})
		e.ok("GET", "/api/authinfo", "", "", nil)
		resp, err := http.Get(e.srv.URL + "/api/authinfo")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Retry-After") != ""; resp.StatusCode != 429 || got != with {
			t.Errorf("RetryAfter %v: status %d, header present %v", with, resp.StatusCode, got)
		}
	}
}
