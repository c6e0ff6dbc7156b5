package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/store"
	"github.com/ticketbridge/ticketbridge/internal/store/sqlite"
)

const (
	adminToken  = "tba_admin-token-for-tests"
	otherAdmin  = "tba_admin-of-other-tenant"
	tokenA      = "tbs_token-of-source-a"
	tokenB      = "tbs_token-of-source-b"
	otherTenant = "other"
	// fakeCiphertext stands for an encrypted credential; it must never
	// appear in an answer.
	fakeCiphertext = "v1:k1:FAKE-ENCRYPTED-CREDENTIAL-c2VjcmV0"
)

var testNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// fixture is a real SQLite store with two tenants' tokens and one alert of
// src-a that was routed to an open ticket and has a failed note delivery.
type fixture struct {
	st          *sqlite.Store
	integration store.Integration
	alert       store.StoredAlert
	otherSeq    int64 // an alert of the other tenant
	link        store.TicketLink
	delivery    store.Delivery
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ticketbridge.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st}
	must(t, st.CreateAPIToken(ctx, store.APIToken{TenantID: store.DefaultTenant, Name: "admin", TokenHash: ingest.HashToken(adminToken)}))
	must(t, st.CreateAPIToken(ctx, store.APIToken{TenantID: otherTenant, Name: "other-admin", TokenHash: ingest.HashToken(otherAdmin)}))
	for _, s := range []store.Source{
		{TenantID: store.DefaultTenant, ID: "src-a", Name: "Source A", TokenHash: ingest.HashToken(tokenA)},
		{TenantID: store.DefaultTenant, ID: "src-b", Name: "Source B", TokenHash: ingest.HashToken(tokenB)},
		{TenantID: otherTenant, ID: "src-o", Name: "Other", TokenHash: ingest.HashToken("tbs_other")},
	} {
		must(t, st.CreateSource(ctx, s))
	}
	f.integration = f.putIntegration(t)
	f.alert = f.putAlert(t, store.DefaultTenant, "src-a", "sa-1")
	f.otherSeq = f.putAlert(t, otherTenant, "src-o", "sa-1").Seq
	f.putHistory(t)
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// putIntegration stores settings whose raw JSON carries a secret value
// (which the schema never encodes) and an encrypted credential.
func (f *fixture) putIntegration(t *testing.T) store.Integration {
	t.Helper()
	settings := integration.Settings{Name: "autotask-main", PSA: "autotask"}
	settings.Connection.Username = "api@acme.example"
	settings.Connection.Secret = integration.SecretRef{Env: "AUTOTASK_SECRET"}
	raw, err := json.Marshal(settings)
	must(t, err)
	raw = bytes.Replace(raw, []byte(`"env":"AUTOTASK_SECRET"`), []byte(`"env":"AUTOTASK_SECRET","value":"hunter2-plaintext"`), 1)
	it, err := f.st.PutIntegration(context.Background(), store.Integration{
		TenantID: store.DefaultTenant, Name: "autotask-main", PSA: "autotask", Settings: raw,
		Credentials: map[string]string{"secret": fakeCiphertext, "integration_code": fakeCiphertext},
	})
	must(t, err)
	return it
}

func (f *fixture) putAlert(t *testing.T, tenant, source, id string) store.StoredAlert {
	t.Helper()
	a := alert.Alert{
		ID: id, Organization: alert.Organization{ID: "org-42", Name: "Acme"}, Type: "Malware",
		Severity: alert.SeverityHigh, Title: "Malware found", OccurredAt: testNow.Add(-time.Hour),
	}
	a.Normalize()
	res, err := f.st.UpsertAlert(context.Background(), store.StoredAlert{
		TenantID: tenant, SourceID: source, Alert: a, ReceivedAt: testNow, UpdatedAt: testNow,
	})
	must(t, err)
	stored, err := f.st.AlertBySeq(context.Background(), res.Seq)
	must(t, err)
	return stored
}

// putHistory records what the engine would: a received entry, an open
// ticket link with its route, and a failed note delivery.
func (f *fixture) putHistory(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	seq, itID := f.alert.Seq, f.integration.ID
	must(t, f.st.AppendTimeline(ctx, store.TimelineEntry{TenantID: store.DefaultTenant, AlertSeq: seq, At: testNow, Event: "received", Detail: "from source src-a"}))
	link, err := f.st.CreateTicketLink(ctx, store.TicketLink{
		TenantID: store.DefaultTenant, IntegrationID: itID, CompanyID: "0", GroupKey: "jane", ExternalRef: "tb-1",
	})
	must(t, err)
	link.State, link.PSATicketID, link.TicketNumber, link.PSAStatus = store.LinkOpen, "7001", "T20261121.0001", "New"
	must(t, f.st.UpdateTicketLink(ctx, link))
	f.link = link
	must(t, f.st.InsertRoute(ctx, store.Route{
		TenantID: store.DefaultTenant, AlertSeq: seq, IntegrationID: itID, Outcome: store.RouteQueued, TicketLinkID: link.ID,
	}))
	d, err := f.st.InsertDelivery(ctx, store.Delivery{
		TenantID: store.DefaultTenant, IntegrationID: itID, TicketLinkID: link.ID, AlertSeq: seq,
		Kind: store.DeliveryAddNote, State: store.DeliveryFailed, Attempts: 20, NextAttemptAt: testNow.Add(-time.Minute),
		LastError: "autotask: 500 internal server error",
	})
	must(t, err)
	f.delivery = d
	must(t, f.st.AppendTimeline(ctx, store.TimelineEntry{TenantID: store.DefaultTenant, AlertSeq: seq, IntegrationID: itID, At: testNow, Event: "failed", Detail: "gave up after 20 attempts"}))
}

func (f *fixture) handler(cfg httpapi.Config) http.Handler {
	if cfg.Store == nil {
		cfg.Store = f.st
	}
	cfg.Now = func() time.Time { return testNow }
	return httpapi.New(cfg)
}

func do(h http.Handler, method, target, token, body string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder, status int) T {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	return v
}

type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

func assertProblem(t *testing.T, w *httptest.ResponseRecorder, status int) problem {
	t.Helper()
	p := decode[problem](t, w, status)
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	if p.Status != status || p.Title == "" || !strings.HasPrefix(p.Type, "https://ticketbridge.dev/problems/") {
		t.Errorf("problem %+v", p)
	}
	return p
}

func TestAuthAndRouting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handler(httpapi.Config{})
	tests := []struct {
		name, method, target, token string
		status                      int
	}{
		{"no token", "GET", "/api/v1/integrations", "", http.StatusUnauthorized},
		{"bad token", "GET", "/api/v1/integrations", "tba_wrong", http.StatusUnauthorized},
		{"no token on alert", "GET", "/api/v1/alerts/1", "", http.StatusUnauthorized},
		{"no token on unknown route", "GET", "/api/v1/nope", "", http.StatusUnauthorized},
		{"source token on management route", "GET", "/api/v1/integrations", tokenA, http.StatusForbidden},
		{"source token creating a source", "POST", "/api/v1/sources", tokenA, http.StatusForbidden},
		{"source token on retry", "POST", "/api/v1/deliveries/1/retry", tokenA, http.StatusForbidden},
		{"unknown route", "GET", "/api/v1/nope", adminToken, http.StatusNotFound},
		{"wrong method", "DELETE", "/api/v1/sources", adminToken, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := do(h, tt.method, tt.target, tt.token, "")
			assertProblem(t, w, tt.status)
			if tt.status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("WWW-Authenticate %q", w.Header().Get("WWW-Authenticate"))
			}
			if tt.status == http.StatusMethodNotAllowed && !strings.Contains(w.Header().Get("Allow"), "POST") {
				t.Errorf("Allow %q, want GET and POST", w.Header().Get("Allow"))
			}
		})
	}
}

type alertDetail struct {
	Seq        int64       `json:"seq"`
	Source     string      `json:"source"`
	Alert      alert.Alert `json:"alert"`
	Status     string      `json:"status"`
	ReceivedAt time.Time   `json:"received_at"`
	Routes     []struct {
		Integration, Outcome, Code, Reason string
	} `json:"routes"`
	Tickets []struct {
		Integration  string `json:"integration"`
		PSATicketID  string `json:"psa_ticket_id"`
		TicketNumber string `json:"ticket_number"`
		State        string `json:"state"`
		PSAStatus    string `json:"psa_status"`
	} `json:"tickets"`
	Deliveries []struct {
		ID        int64  `json:"id"`
		Kind      string `json:"kind"`
		State     string `json:"state"`
		Attempts  int    `json:"attempts"`
		LastError string `json:"last_error"`
	} `json:"deliveries"`
	Timeline []struct {
		Event       string `json:"event"`
		Detail      string `json:"detail"`
		Integration string `json:"integration"`
	} `json:"timeline"`
}

func TestGetAlert(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handler(httpapi.Config{})
	seq := itoa(f.alert.Seq)
	found := []struct{ name, target, token string }{
		{"admin by seq", "/api/v1/alerts/" + seq, adminToken},
		{"admin by source and id", "/api/v1/alerts/sa-1?source=src-a", adminToken},
		{"source token by its id", "/api/v1/alerts/sa-1", tokenA},
	}
	for _, tt := range found {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := decode[alertDetail](t, do(h, "GET", tt.target, tt.token, ""), http.StatusOK)
			if got.Seq != f.alert.Seq || got.Source != "src-a" || got.Alert.ID != "sa-1" || got.Status != "open" || !got.ReceivedAt.Equal(testNow) {
				t.Errorf("alert %+v", got)
			}
			if len(got.Routes) != 1 || got.Routes[0].Integration != "autotask-main" || got.Routes[0].Outcome != "queued" {
				t.Errorf("routes %+v", got.Routes)
			}
			if len(got.Tickets) != 1 || got.Tickets[0].Integration != "autotask-main" || got.Tickets[0].TicketNumber != "T20261121.0001" ||
				got.Tickets[0].PSATicketID != "7001" || got.Tickets[0].State != "open" || got.Tickets[0].PSAStatus != "New" {
				t.Errorf("tickets %+v", got.Tickets)
			}
			if len(got.Deliveries) != 1 || got.Deliveries[0].ID != f.delivery.ID || got.Deliveries[0].State != "failed" || got.Deliveries[0].Attempts != 20 {
				t.Errorf("deliveries %+v", got.Deliveries)
			}
			events := make([]string, len(got.Timeline))
			for i, e := range got.Timeline {
				events[i] = e.Event + "@" + e.Integration
			}
			if diff := cmp.Diff([]string{"received@", "failed@autotask-main"}, events); diff != "" {
				t.Errorf("timeline (-want +got):\n%s", diff)
			}
		})
	}
	missing := []struct {
		name, target, token string
		status              int
	}{
		{"other source's id with a source token", "/api/v1/alerts/sa-1", tokenB, http.StatusNotFound},
		{"unknown seq", "/api/v1/alerts/999999", adminToken, http.StatusNotFound},
		{"other tenant's seq", "/api/v1/alerts/" + itoa(f.otherSeq), adminToken, http.StatusNotFound},
		{"other tenant's source", "/api/v1/alerts/sa-1?source=src-o", adminToken, http.StatusNotFound},
		{"non-numeric id without source", "/api/v1/alerts/sa-1", adminToken, http.StatusBadRequest},
	}
	for _, tt := range missing {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertProblem(t, do(h, "GET", tt.target, tt.token, ""), tt.status)
		})
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestIntegrationsNeverShowCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handler(httpapi.Config{})
	list := do(h, "GET", "/api/v1/integrations", adminToken, "")
	one := do(h, "GET", "/api/v1/integrations/autotask-main", adminToken, "")
	for name, w := range map[string]*httptest.ResponseRecorder{"list": list, "one": one} {
		body := w.Body.String()
		for _, secret := range []string{fakeCiphertext, "FAKE-ENCRYPTED", "hunter2", "credentials", "integration_code\":\"v1"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s answer contains %q: %s", name, secret, body)
			}
		}
	}
	type view struct {
		Name, PSA string
		Version   int64
		UpdatedAt time.Time `json:"updated_at"`
		Settings  integration.Settings
	}
	got := decode[view](t, one, http.StatusOK)
	if got.Name != "autotask-main" || got.PSA != "autotask" || got.Version != 1 || got.UpdatedAt.IsZero() ||
		got.Settings.Connection.Username != "api@acme.example" || got.Settings.Connection.Secret.Env != "AUTOTASK_SECRET" {
		t.Errorf("integration %+v", got)
	}
	all := decode[struct{ Integrations []view }](t, list, http.StatusOK)
	if len(all.Integrations) != 1 || all.Integrations[0].Name != "autotask-main" {
		t.Errorf("integrations %+v", all)
	}
	assertProblem(t, do(h, "GET", "/api/v1/integrations/nope", adminToken, ""), http.StatusNotFound)
	// Another tenant does not see it.
	other := decode[struct{ Integrations []view }](t, do(h, "GET", "/api/v1/integrations", otherAdmin, ""), http.StatusOK)
	if len(other.Integrations) != 0 {
		t.Errorf("other tenant sees %+v", other.Integrations)
	}
}

func TestSources(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handler(httpapi.Config{})
	created := decode[struct{ ID, Name, Token string }](t,
		do(h, "POST", "/api/v1/sources", adminToken, `{"id":"guardz","name":"Guardz","callback_url":"https://guardz.example/hook"}`),
		http.StatusCreated)
	if created.ID != "guardz" || created.Name != "Guardz" || !strings.HasPrefix(created.Token, "tbs_") {
		t.Fatalf("created %+v", created)
	}
	// The token works for ingest and for reading the source's own alert.
	ing := ingest.New(ingest.Config{Store: f.st})
	body := `{"id":"g-1","organization":{"name":"Acme"},"type":"t","severity":"low","title":"x","occurred_at":"2026-11-21T10:15:00Z"}`
	r := httptest.NewRequest("POST", "/api/v1/alerts", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+created.Token)
	w := httptest.NewRecorder()
	ing.ServeHTTP(w, r)
	if w.Code != http.StatusAccepted {
		t.Fatalf("ingest with the new token: %d %s", w.Code, w.Body)
	}
	if got := decode[alertDetail](t, do(h, "GET", "/api/v1/alerts/g-1", created.Token, ""), http.StatusOK); got.Source != "guardz" {
		t.Errorf("alert read by the new token: %+v", got)
	}

	list := do(h, "GET", "/api/v1/sources", adminToken, "")
	for _, secret := range []string{created.Token, ingest.HashToken(created.Token), ingest.HashToken(tokenA), "token"} {
		if strings.Contains(list.Body.String(), secret) {
			t.Errorf("source list contains %q: %s", secret, list.Body)
		}
	}
	type src struct {
		ID, Name    string
		CallbackURL string `json:"callback_url"`
	}
	got := decode[struct{ Sources []src }](t, list, http.StatusOK)
	want := []src{{"guardz", "Guardz", "https://guardz.example/hook"}, {"src-a", "Source A", ""}, {"src-b", "Source B", ""}}
	if diff := cmp.Diff(want, got.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

func TestCreateSourceRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handler(httpapi.Config{})
	tests := []struct {
		name, body string
		status     int
		fields     []string
	}{
		{"existing id", `{"id":"src-a"}`, http.StatusConflict, nil},
		{"missing id", `{"name":"x"}`, http.StatusBadRequest, []string{"id"}},
		{"bad id and url", `{"id":"has space","callback_url":"ftp://x"}`, http.StatusBadRequest, []string{"id", "callback_url"}},
		{"unknown field", `{"id":"x","token":"mine"}`, http.StatusBadRequest, []string{"token"}},
		{"not JSON", `id=x`, http.StatusBadRequest, nil},
		{"empty", ``, http.StatusBadRequest, nil},
		{"unknown format", `{"id":"x","format":"splunk"}`, http.StatusBadRequest, []string{"format"}},
		{"unknown settings key", `{"id":"x","format":"alertmanager","settings":{"default_org":"o"}}`, http.StatusBadRequest, []string{"settings"}},
		{"bad mail rule", `{"id":"x","settings":{"mail":{"rules":[{"name":"r","subject":"("}]}}}`, http.StatusBadRequest, []string{"settings"}},
		{"unknown mail rule set", `{"id":"x","settings":{"mail":{"builtin":"outlook"}}}`, http.StatusBadRequest, []string{"settings"}},
		{"mapping of another name", `{"id":"x","format":"mine","settings":{"mapping":{"name":"other","fields":{"id":{"paths":["id"]}}}}}`, http.StatusBadRequest, []string{"settings"}},
		{"signed without a keyring", `{"id":"x","format":"huntress","settings":{"signature":{"scheme":"svix","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}}`, http.StatusBadRequest, []string{"settings.signature"}},
		{"unknown signature scheme", `{"id":"x","format":"huntress","settings":{"signature":{"scheme":"hmac","secret":"s"}}}`, http.StatusBadRequest, []string{"settings"}},
		{"signing secret not whsec", `{"id":"x","format":"huntress","settings":{"signature":{"scheme":"svix","secret":"!!"}}}`, http.StatusBadRequest, []string{"settings"}},
		{"mapping with a bad field", `{"id":"x","format":"mine","settings":{"mapping":{"name":"mine","fields":{"colour":{"paths":["c"]}}}}}`, http.StatusBadRequest, []string{"settings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := assertProblem(t, do(h, "POST", "/api/v1/sources", adminToken, tt.body), tt.status)
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
			}
			if diff := cmp.Diff(tt.fields, fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

type deliveryJSON struct {
	ID            int64     `json:"id"`
	Integration   string    `json:"integration"`
	AlertSeq      int64     `json:"alert_seq"`
	State         string    `json:"state"`
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastError     string    `json:"last_error"`
}

func TestDeliveryRetry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var retried []int64
	h := f.handler(httpapi.Config{OnRetry: func(id int64) { retried = append(retried, id) }})

	failed := decode[struct{ Deliveries []deliveryJSON }](t,
		do(h, "GET", "/api/v1/deliveries?state=failed&integration=autotask-main&limit=10", adminToken, ""), http.StatusOK)
	if len(failed.Deliveries) != 1 || failed.Deliveries[0].ID != f.delivery.ID || failed.Deliveries[0].Integration != "autotask-main" ||
		failed.Deliveries[0].LastError == "" || failed.Deliveries[0].AlertSeq != f.alert.Seq {
		t.Fatalf("failed deliveries %+v", failed)
	}

	target := "/api/v1/deliveries/" + itoa(f.delivery.ID) + "/retry"
	got := decode[deliveryJSON](t, do(h, "POST", target, adminToken, ""), http.StatusOK)
	if got.State != "pending" || got.Attempts != 20 || !got.NextAttemptAt.Equal(testNow) {
		t.Errorf("retried delivery %+v, want pending, 20 attempts, due now", got)
	}
	if !cmp.Equal(retried, []int64{f.integration.ID}) {
		t.Errorf("OnRetry calls %v", retried)
	}
	stored, err := f.st.Delivery(context.Background(), f.delivery.ID)
	must(t, err)
	if stored.State != store.DeliveryPending || stored.Attempts != 20 || !stored.NextAttemptAt.Equal(testNow) {
		t.Errorf("stored delivery %+v", stored)
	}
	entries, err := f.st.Timeline(context.Background(), f.alert.Seq)
	must(t, err)
	last := entries[len(entries)-1]
	if last.Event != "retry" || !strings.HasPrefix(last.Detail, "retry requested by admin") || last.IntegrationID != f.integration.ID {
		t.Errorf("last timeline entry %+v", last)
	}

	assertProblem(t, do(h, "POST", target, adminToken, ""), http.StatusConflict)
	assertProblem(t, do(h, "POST", target, otherAdmin, ""), http.StatusNotFound)
	assertProblem(t, do(h, "POST", "/api/v1/deliveries/999999/retry", adminToken, ""), http.StatusNotFound)
	assertProblem(t, do(h, "POST", "/api/v1/deliveries/abc/retry", adminToken, ""), http.StatusBadRequest)
	if len(retried) != 1 {
		t.Errorf("OnRetry called %d times, want once", len(retried))
	}
	pending := decode[struct{ Deliveries []deliveryJSON }](t, do(h, "GET", "/api/v1/deliveries?state=pending", adminToken, ""), http.StatusOK)
	if len(pending.Deliveries) != 1 {
		t.Errorf("pending deliveries %+v", pending)
	}
}

func TestListDeliveriesRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handler(httpapi.Config{})
	p := assertProblem(t, do(h, "GET", "/api/v1/deliveries?state=broken&limit=0", adminToken, ""), http.StatusBadRequest)
	if len(p.Errors) != 2 || p.Errors[0].Field != "state" || p.Errors[1].Field != "limit" {
		t.Errorf("errors %+v", p.Errors)
	}
	assertProblem(t, do(h, "GET", "/api/v1/deliveries?integration=nope", adminToken, ""), http.StatusNotFound)
}

func TestExtraRoutes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handler(httpapi.Config{Extra: func(mux *http.ServeMux) {
		mux.HandleFunc("POST /api/v1/apply", func(w http.ResponseWriter, r *http.Request) {
			tenant, _ := httpapi.Tenant(r.Context())
			_, _ = io.WriteString(w, tenant)
		})
	}})
	if w := do(h, "POST", "/api/v1/apply", adminToken, ""); w.Code != http.StatusOK || w.Body.String() != store.DefaultTenant {
		t.Errorf("admin on extra route: %d %q", w.Code, w.Body)
	}
	assertProblem(t, do(h, "POST", "/api/v1/apply", tokenA, ""), http.StatusForbidden)
}

// brokenStore fails every integration listing, as a database gone away.
type brokenStore struct{ *sqlite.Store }

func (brokenStore) Integrations(context.Context, string) ([]store.Integration, error) {
	return nil, errors.New("sqlite: database disk image is malformed at /var/lib/secret-path")
}

func TestInternalErrorsAreLoggedNotShown(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var logs bytes.Buffer
	h := f.handler(httpapi.Config{Store: brokenStore{f.st}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	w := do(h, "GET", "/api/v1/integrations", adminToken, "")
	p := assertProblem(t, w, http.StatusInternalServerError)
	if strings.Contains(w.Body.String(), "malformed") || strings.Contains(w.Body.String(), "secret-path") || p.Detail == "" {
		t.Errorf("internal error shown: %s", w.Body)
	}
	if !strings.Contains(logs.String(), "malformed") {
		t.Errorf("internal error not logged: %s", logs.String())
	}
}

// TestBulkRetry: a dry run counts the failed deliveries without touching
// them; the retry puts every one back, for this tenant only, and nudges
// each integration once.
func TestBulkRetry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var retried []int64
	h := f.handler(httpapi.Config{OnRetry: func(id int64) { retried = append(retried, id) }})

	type answer struct{ Matched, Retried int }
	if got := decode[answer](t, do(h, "POST", "/api/v1/deliveries/retry?integration=autotask-main&dry_run=1", adminToken, ""), http.StatusOK); got.Matched != 1 || got.Retried != 0 {
		t.Errorf("dry run %+v, want 1 matched, 0 retried", got)
	}
	if d, _ := f.st.Delivery(context.Background(), f.delivery.ID); d.State != store.DeliveryFailed {
		t.Fatalf("the dry run changed the delivery: %s", d.State)
	}
	if got := decode[answer](t, do(h, "POST", "/api/v1/deliveries/retry", otherAdmin, ""), http.StatusOK); got.Matched != 0 {
		t.Errorf("another tenant's bulk retry matched %d", got.Matched)
	}
	if got := decode[answer](t, do(h, "POST", "/api/v1/deliveries/retry?integration=autotask-main", adminToken, ""), http.StatusOK); got.Matched != 1 || got.Retried != 1 {
		t.Errorf("retry %+v, want 1 and 1", got)
	}
	if d, _ := f.st.Delivery(context.Background(), f.delivery.ID); d.State != store.DeliveryPending {
		t.Errorf("after the bulk retry the delivery is %s", d.State)
	}
	if !cmp.Equal(retried, []int64{f.integration.ID}) {
		t.Errorf("OnRetry calls %v", retried)
	}
	assertProblem(t, do(h, "POST", "/api/v1/deliveries/retry?integration=nope", adminToken, ""), http.StatusNotFound)
}

// TestListAlerts: the tenant's alerts, newest first, filtered and paged
// by cursor; another tenant's never show, bad parameters are named, and a
// source token may not list.
func TestListAlerts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.handler(httpapi.Config{})
	second := f.putAlert(t, store.DefaultTenant, "src-b", "sb-1")
	type page struct {
		Alerts []struct {
			Seq          int64  `json:"seq"`
			Source       string `json:"source"`
			ID           string `json:"id"`
			Organization string `json:"organization"`
			Status       string `json:"status"`
		} `json:"alerts"`
		NextCursor string `json:"next_cursor"`
	}
	all := decode[page](t, do(h, "GET", "/api/v1/alerts", adminToken, ""), http.StatusOK)
	if len(all.Alerts) != 2 || all.Alerts[0].Seq != second.Seq || all.Alerts[1].Seq != f.alert.Seq || all.NextCursor != "" {
		t.Fatalf("all alerts %+v", all)
	}
	first := decode[page](t, do(h, "GET", "/api/v1/alerts?limit=1", adminToken, ""), http.StatusOK)
	if len(first.Alerts) != 1 || first.Alerts[0].Seq != second.Seq || first.NextCursor == "" {
		t.Fatalf("first page %+v", first)
	}
	next := decode[page](t, do(h, "GET", "/api/v1/alerts?limit=1&cursor="+first.NextCursor, adminToken, ""), http.StatusOK)
	if len(next.Alerts) != 1 || next.Alerts[0].Seq != f.alert.Seq {
		t.Fatalf("second page %+v", next)
	}
	bySource := decode[page](t, do(h, "GET", "/api/v1/alerts?source=src-a&organization=org-42&status=open&type=Malware", adminToken, ""), http.StatusOK)
	if len(bySource.Alerts) != 1 || bySource.Alerts[0].ID != "sa-1" || bySource.Alerts[0].Organization != "org-42" {
		t.Errorf("filtered %+v", bySource)
	}
	if none := decode[page](t, do(h, "GET", "/api/v1/alerts?from=2099-01-01T00:00:00Z", adminToken, ""), http.StatusOK); len(none.Alerts) != 0 {
		t.Errorf("alerts from 2099: %+v", none)
	}
	other := decode[page](t, do(h, "GET", "/api/v1/alerts", otherAdmin, ""), http.StatusOK)
	if len(other.Alerts) != 1 || other.Alerts[0].Seq != f.otherSeq {
		t.Errorf("the other tenant sees %+v", other)
	}
	assertProblem(t, do(h, "GET", "/api/v1/alerts?status=closed&limit=0&from=yesterday&cursor=x", adminToken, ""), http.StatusBadRequest)
	assertProblem(t, do(h, "GET", "/api/v1/alerts", tokenA, ""), http.StatusForbidden)
}
