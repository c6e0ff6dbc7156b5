package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/config"
)

// TestConsoleShadowsNoRoute: the console is mounted under /, and the
// probes, metrics, API and webhooks still answer as before.
func TestConsoleShadowsNoRoute(t *testing.T) {
	t.Parallel()
	a, err := app.New(t.Context(), config.Config{DataDir: t.TempDir(), MaxBodyBytes: 1 << 20}, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := a.Handler()
	tests := []struct {
		method, path string
		wantStatus   int
		wantType     string // Content-Type prefix
	}{
		{"GET", "/healthz", http.StatusOK, "text/plain"},
		{"GET", "/metrics", http.StatusOK, "text/plain"},
		{"GET", "/api/v1/integrations", http.StatusUnauthorized, "application/problem+json"},
		{"GET", "/api/v1/no-such-route", http.StatusUnauthorized, "application/problem+json"},
		{"POST", "/api/v1/alerts", http.StatusUnauthorized, ""},
		{"POST", "/hooks/nowhere", http.StatusNotFound, ""},
		{"GET", "/", http.StatusSeeOther, ""},
		{"GET", "/signin", http.StatusOK, "text/html"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader("[]")))
		if rec.Code != tt.wantStatus || !strings.HasPrefix(rec.Header().Get("Content-Type"), tt.wantType) {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.wantStatus, tt.wantType)
		}
		isConsole := rec.Header().Get("Content-Security-Policy") != ""
		if wantConsole := tt.path == "/" || tt.path == "/signin"; isConsole != wantConsole {
			t.Errorf("%s %s: answered by the console: %v, want %v", tt.method, tt.path, isConsole, wantConsole)
		}
	}
}
