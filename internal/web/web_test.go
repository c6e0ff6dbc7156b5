package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

const adminToken = "tba_test-admin-token-0123456789"

// fakeTokens knows one admin token.
type fakeTokens struct{}

func (fakeTokens) APITokenByHash(_ context.Context, hash string) (store.APIToken, error) {
	if hash == ingest.HashToken(adminToken) {
		return store.APIToken{TenantID: "default", Name: "admin", TokenHash: hash}, nil
	}
	return store.APIToken{}, store.ErrNotFound
}

// apiCall is one request the console made to the API.
type apiCall struct {
	Method, Path, Auth string
	Body               map[string]any
}

// fakeAPI answers the routes the console calls with canned JSON and
// records each call.
type fakeAPI struct {
	mu    sync.Mutex
	calls []apiCall
	// revoked answers 401 to everything, as the API does once the
	// token is gone.
	revoked atomic.Bool
	// extraOrgs adds that many organizations to the three the
	// customer routes list, for paging.
	extraOrgs int
	// putProblem, when set, is the problem+json body a write (and its
	// dry run) answers with 422.
	putProblem atomic.Pointer[string]
	// noPicklists makes the picklists route fail as an unreachable PSA.
	noPicklists atomic.Bool
	// statusPicklists, when set, answers the picklists route instead of
	// fakePicklists: statuses on boards, for the status step.
	statusPicklists atomic.Bool
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := apiCall{Method: r.Method, Path: r.URL.RequestURI(), Auth: r.Header.Get("Authorization")}
	_ = json.NewDecoder(r.Body).Decode(&c.Body)
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case f.revoked.Load():
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"title":"Unauthorized","status":401,"detail":"the token is not valid"}`)
	case f.serveCustomers(w, r, c.Body):
	case f.daily(w, r, c.Body):
		// answered by the daily views' routes (daily_test.go)
	case r.URL.Path == "/api/v1/integrations":
		_, _ = io.WriteString(w, `{"integrations":[{"name":"main","psa":"autotask","version":1,"settings":{}}]}`)
	case r.URL.Path == "/api/v1/deliveries":
		_, _ = io.WriteString(w, `{"deliveries":[{"id":7,"integration":"main","alert_seq":3,"kind":"create","state":"failed","attempts":5,"last_error":"PSA said no"}]}`)
	case r.URL.Path == "/api/v1/integrations/main" && r.Method == "GET":
		_, _ = io.WriteString(w, storedMain)
	case r.URL.Path == "/api/v1/alerts":
		_, _ = io.WriteString(w, `{"alerts":[{"seq":2,"type":"Too Many Uploads"},{"seq":1,"type":"Too Many Downloads"},{"seq":0,"type":"Too Many Uploads"}]}`)
	case r.URL.Path == "/api/v1/billing/preview":
		_, _ = io.WriteString(w, `{"integrations":[{"integration":"other","lines":[]},{"integration":"main","lines":[{"organization":"org-42","contract":"Acme Managed Services","current_units":3,"reported_count":5,"change":2,"action":"adjust","effective_date":"2026-12-05"}]}]}`)
	case strings.HasSuffix(r.URL.Path, "/picklists") && r.Method == "POST":
		if f.noPicklists.Load() {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, `{"title":"PSA unreachable","status":502,"detail":"the PSA did not answer"}`)
			return
		}
		if !f.statusPicklists.Load() {
			_, _ = io.WriteString(w, fakePicklists)
			return
		}
		_, _ = io.WriteString(w, `{"integration":"main","picklists":{"status":[{"id":"1","label":"New","active":true},{"id":"5","label":"Complete","active":true},{"id":"8","label":"In Progress","active":true},{"id":"9","label":"Waiting Customer","active":true},{"id":"12","label":"Retired","active":false},{"id":"20","label":"Quoted","active":true,"parent":"b2"}],"queue":[{"id":"b1","label":"Security","active":true},{"id":"b2","label":"Sales","active":true}]}}`)
	case r.Method == "PUT" && f.putProblem.Load() != nil:
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = io.WriteString(w, *f.putProblem.Load())
	case strings.HasSuffix(r.URL.Path, "/test"):
		_, _ = io.WriteString(w, `{"ok":true}`)
	case r.Method == "PUT":
		_, _ = io.WriteString(w, `{"name":"main","created":true,"changes":["+ integration main"],"effects":[],"warnings":[]}`)
	case strings.HasSuffix(r.URL.Path, "/retry"):
		_, _ = io.WriteString(w, `{}`)
	default:
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"title":"Not found","status":404,"detail":"no such thing"}`)
	}
}

func (f *fakeAPI) recorded() []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiCall(nil), f.calls...)
}

// clock is a settable now.
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

type harness struct {
	t     *testing.T
	srv   *httptest.Server
	api   *fakeAPI
	clock *clock
	// client follows no redirect, so tests see each answer.
	client *http.Client
}

func newHarness(t *testing.T, opts ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, api: &fakeAPI{}, clock: &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}}
	cfg := Config{API: h.api, Tokens: fakeTokens{}, PSAs: []string{"autotask", "syncro"}, Profiles: testProfiles, Now: h.clock.now, SessionTTL: time.Hour}
	for _, o := range opts {
		o(&cfg)
	}
	c := New(cfg)
	h.srv = httptest.NewServer(c)
	t.Cleanup(h.srv.Close)
	h.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	h.client.Jar = newJar(t)
	return h
}

func newJar(t *testing.T) http.CookieJar {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return jar
}

// do sends a request and returns the answer with its body read.
func (h *harness) do(method, path string, form url.Values) (*http.Response, string) {
	h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, h.srv.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp, string(b)
}

// inlineCode finds what a strict CSP blocks: inline style, event
// handler attributes, and the htmx attributes that would need eval
// (hx-on, a js: value). Script elements are checked apart: only a file's
// may be there.
var inlineCode = regexp.MustCompile(`<style|\sstyle=|\son[a-z]+=|\shx-on|\sjs:|"js:|\shx-vars`)

// scriptTag finds every script element; scriptFile is the one shape
// allowed, an empty element loading a file of the console's own.
var (
	scriptTag  = regexp.MustCompile(`<script[^>]*>[^<]*`)
	scriptFile = regexp.MustCompile(`^<script src="\{\{asset "[a-z.]+\.js"\}\}" defer>$`)
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf finds the CSRF token in a page.
func (h *harness) csrfOf(page string) string {
	h.t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		h.t.Fatalf("no csrf field in page:\n%s", page)
	}
	return m[1]
}

// signIn signs in with token and returns the status of the answer.
func (h *harness) signIn(token string) int {
	h.t.Helper()
	_, page := h.do("GET", "/signin", nil)
	resp, _ := h.do("POST", "/signin", url.Values{"csrf": {h.csrfOf(page)}, "token": {token}})
	return resp.StatusCode
}

func TestSignInRequired(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, path := range []string{"/", "/integrations", "/alerts", "/alerts/1", "/deliveries", "/integrations/new", "/tickets", "/integrations/main/tickets", "/sources", "/sources/edr/token", "/sources/edr/revoke", "/explain"} {
		resp, _ := h.do("GET", path, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
			t.Errorf("GET %s: %d to %q, want 303 to /signin", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, _ := h.do("POST", "/deliveries/7/retry", url.Values{"csrf": {"x"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without a session: %d, want 403", resp.StatusCode)
	}
	if n := len(h.api.recorded()); n != 0 {
		t.Errorf("the API was called %d times without a session", n)
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"admin token", adminToken, http.StatusSeeOther},
		{"wrong token", "tba_not-a-token", http.StatusUnauthorized},
		{"empty token", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			if got := h.signIn(tt.token); got != tt.want {
				t.Fatalf("sign-in: %d, want %d", got, tt.want)
			}
			resp, _ := h.do("GET", "/integrations", nil)
			signedIn := resp.StatusCode == http.StatusOK
			if signedIn != (tt.want == http.StatusSeeOther) {
				t.Errorf("GET /integrations after sign-in: %d", resp.StatusCode)
			}
		})
	}
}

func TestSignInNeedsItsCSRFCookie(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	resp, _ := h.do("POST", "/signin", url.Values{"csrf": {"made-up"}, "token": {adminToken}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-in without the form's cookie: %d, want 403", resp.StatusCode)
	}
}

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, page := h.do("GET", "/signin", nil)
	resp, _ := h.do("POST", "/signin", url.Values{"csrf": {h.csrfOf(page)}, "token": {adminToken}})
	var found bool
	for _, ck := range resp.Cookies() {
		if ck.Name != sessionCookie {
			continue
		}
		found = true
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
			t.Errorf("session cookie over plain HTTP: HttpOnly=%v SameSite=%v Secure=%v, want true, Lax, false", ck.HttpOnly, ck.SameSite, ck.Secure)
		}
		if strings.Contains(ck.Value, adminToken) {
			t.Error("the session cookie carries the token")
		}
	}
	if !found {
		t.Fatal("no session cookie set")
	}
}

func TestSecureCookieOverTLS(t *testing.T) {
	t.Parallel()
	c := New(Config{API: &fakeAPI{}, Tokens: fakeTokens{}})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "https://console.example/signin", nil)
	c.ServeHTTP(rec, req)
	cks := rec.Result().Cookies()
	if len(cks) == 0 || !cks[0].Secure {
		t.Fatalf("cookies over TLS: %+v, want Secure", cks)
	}
}

func TestSecureCookieBehindATLSProxy(t *testing.T) {
	t.Parallel()
	for _, secure := range []bool{false, true} {
		c := New(Config{API: &fakeAPI{}, Tokens: fakeTokens{}, SecureCookies: secure})
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, httptest.NewRequest("GET", "http://10.0.0.5:8080/signin", nil))
		cks := rec.Result().Cookies()
		if len(cks) == 0 || cks[0].Secure != secure {
			t.Errorf("SecureCookies %v over plain HTTP: %+v", secure, cks)
		}
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		csrf func(real string) string
		want int
	}{
		{"missing", func(string) string { return "" }, http.StatusForbidden},
		{"mismatched", func(string) string { return "not-the-token" }, http.StatusForbidden},
		{"the session's", func(real string) string { return real }, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.signIn(adminToken)
			_, page := h.do("GET", "/deliveries", nil)
			resp, _ := h.do("POST", "/deliveries/7/retry", url.Values{"csrf": {tt.csrf(h.csrfOf(page))}})
			if resp.StatusCode != tt.want {
				t.Fatalf("retry: %d, want %d", resp.StatusCode, tt.want)
			}
			retried := false
			for _, c := range h.api.recorded() {
				if c.Method == "POST" && c.Path == "/api/v1/deliveries/7/retry" {
					retried = true
					if c.Auth != "Bearer "+adminToken {
						t.Errorf("API call authorized as %q", c.Auth)
					}
				}
			}
			if retried != (tt.want == http.StatusSeeOther) {
				t.Errorf("API retry called: %v, want %v", retried, tt.want == http.StatusSeeOther)
			}
		})
	}
}

func TestSessionExpires(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(adminToken)
	h.clock.add(59 * time.Minute)
	if resp, _ := h.do("GET", "/integrations", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("within the TTL: %d, want 200", resp.StatusCode)
	}
	h.clock.add(59 * time.Minute) // each use extends the session
	if resp, _ := h.do("GET", "/integrations", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("within the TTL of the last use: %d, want 200", resp.StatusCode)
	}
	h.clock.add(time.Hour)
	resp, _ := h.do("GET", "/integrations", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
		t.Fatalf("after the TTL: %d to %q, want 303 to /signin", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(adminToken)
	_, page := h.do("GET", "/integrations", nil)
	if resp, _ := h.do("POST", "/signout", url.Values{"csrf": {h.csrfOf(page)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	if resp, _ := h.do("GET", "/integrations", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d, want a redirect to sign in", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(adminToken)
	for _, path := range []string{"/signin", "/integrations", "/deliveries", "/integrations/new", "/nowhere"} {
		resp, _ := h.do("GET", path, nil)
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self';") ||
			strings.Contains(csp, "unsafe-") || strings.Contains(csp, "nonce-") || strings.Contains(csp, "data:") {
			t.Errorf("GET %s: Content-Security-Policy %q, want default-src 'none', script-src 'self' alone and nothing unsafe", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", path)
		}
	}
}

func TestNoInlineScriptOrStyle(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(names) < 2 {
		t.Fatalf("templates: %v %v", names, err)
	}
	for _, name := range names { // the layout too
		b, err := templateFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if m := inlineCode.FindString(string(b)); m != "" {
			t.Errorf("template %s has %q: the CSP would block it", name, m)
		}
		for _, m := range scriptTag.FindAllString(string(b), -1) {
			if !scriptFile.MatchString(m) {
				t.Errorf("template %s has script %q: only <script src=\"{{asset ...}}\" defer> runs under the CSP", name, m)
			}
		}
	}
}

func TestAssetsAreChecksummed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, page := h.do("GET", "/signin", nil)
	m := regexp.MustCompile(`href="(/assets/console\.[0-9a-f]{8}\.css)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no checksummed stylesheet link in:\n%s", page)
	}
	resp, css := h.do("GET", m[1], nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(css, "body") || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("GET %s: %d, Cache-Control %q", m[1], resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp, _ := h.do("GET", "/assets/console.00000000.css", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a stale checksum: %d, want 404", resp.StatusCode)
	}
}

// testProfiles is enough of a PSA profile for the connection form.
var testProfiles = integration.Profiles{{
	Name: "autotask", Title: "Autotask",
	Connection: []integration.ConnectionKey{
		{Path: "connection.username", Required: true, Hint: "set the API user"},
		{Path: "connection.secret", Required: true, Hint: "set the API user's secret"},
	},
}, {
	// A PSA lacking much of what the ticket steps offer.
	Name: "syncro", Title: "Syncro",
	Connection: []integration.ConnectionKey{
		{Path: "connection.api_token", Required: true, Hint: "set the API token"},
	},
	Unsupported: map[string]string{
		"ticket.category": "no", "ticket.type": "no", "ticket.source": "no",
		"ticket.sub_issue_type": "no", "ticket.reopen_within": "no",
		"companies.filter.classifications": "Syncro customers have no classification",
		"contracts.attach_to_tickets":      "Syncro's API cannot set a ticket's contract",
		"contracts.billable_users":         "Syncro keeps billable quantities on invoice schedules",
		"status_sync.webhooks":             "Syncro has no API to register webhooks",
		"status_sync.only_untouched":       "Syncro keeps no record of who changed a status",
	},
	Optional: []string{"notes.type"},
}}

func TestWizardNeverRendersSecrets(t *testing.T) {
	t.Parallel()
	const secretValue = "s3cr3t-value-never-shown"
	h := newHarness(t)
	h.signIn(adminToken)
	_, page := h.do("GET", "/integrations/new?psa=autotask", nil)
	if !strings.Contains(page, `name="cred_secret"`) || !strings.Contains(page, `name="username"`) {
		t.Fatalf("the connection form lacks the profile's fields:\n%s", page)
	}
	form := url.Values{
		"csrf": {h.csrfOf(page)}, "name": {"main"}, "psa": {"autotask"}, "url": {"https://psa.example"},
		"username": {"api@msp.example"}, "cred_secret": {secretValue}, "action": {"test"},
	}
	var pages []string
	resp, page := h.do("POST", "/setup/connect", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Connection works") || !strings.Contains(page, "(entered)") {
		t.Fatalf("test connection: %d\n%s", resp.StatusCode, page)
	}
	pages = append(pages, page)
	// The next step sends no secret: the one entered before is kept.
	form.Del("cred_secret")
	form.Set("action", "next")
	resp, _ = h.do("POST", "/setup/connect", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("next: %d", resp.StatusCode)
	}
	for _, step := range []string{"/setup/connect", "/setup/customers", "/setup/contracts", "/setup/status", "/setup/sync", "/setup/yaml"} {
		_, page = h.do("GET", step, nil)
		pages = append(pages, page)
	}
	resp, page = h.do("GET", "/setup/review", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "integration main</li>") || !strings.Contains(page, `id="save"`) {
		t.Fatalf("review: %d\n%s", resp.StatusCode, page)
	}
	pages = append(pages, page)
	resp, _ = h.do("POST", "/setup/save", url.Values{"csrf": {h.csrfOf(page)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/integrations/main" {
		t.Fatalf("save: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = h.do("GET", "/integrations/new", nil)
	pages = append(pages, page)
	for i, p := range pages {
		if strings.Contains(p, secretValue) {
			t.Errorf("page %d shows the secret", i)
		}
	}
	var writes int
	for _, c := range h.api.recorded() {
		if c.Method != "POST" && c.Method != "PUT" {
			continue
		}
		writes++
		creds, _ := c.Body["credentials"].(map[string]any)
		if creds["secret"] != secretValue {
			t.Errorf("%s %s: credentials %v, want the secret entered in the first step", c.Method, c.Path, creds)
		}
		settings, _ := c.Body["settings"].(map[string]any)
		if strings.Contains(fmt.Sprint(settings), secretValue) {
			t.Errorf("%s %s: the secret is in the settings", c.Method, c.Path)
		}
	}
	if writes != 7 { // test, picklists, companies, auto-match proposals, the status step's draft picklists, dry run, save
		t.Errorf("%d API writes, want 7", writes)
	}
}

func TestSaveNeedsAReview(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(adminToken)
	_, page := h.do("GET", "/integrations/new", nil)
	form := url.Values{"csrf": {h.csrfOf(page)}, "name": {"main"}, "psa": {"autotask"}, "action": {"next"}}
	h.do("POST", "/setup/connect", form)
	resp, _ := h.do("POST", "/setup/save", url.Values{"csrf": {h.csrfOf(page)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/integrations/new" {
		t.Fatalf("save without a review: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A review, then a change: the change needs its own review.
	h.do("GET", "/setup/review", nil)
	h.do("POST", "/setup/yaml", url.Values{"csrf": {h.csrfOf(page)}, "settings": {"sync: {since: 7d}"}, "action": {"next"}})
	resp, _ = h.do("POST", "/setup/save", url.Values{"csrf": {h.csrfOf(page)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/integrations/new" {
		t.Fatalf("save after a change since the review: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, c := range h.api.recorded() {
		if c.Method == "PUT" && !strings.Contains(c.Path, "dry_run=1") {
			t.Errorf("the API was written: %s %s", c.Method, c.Path)
		}
	}
}

func TestWizardStepProblems(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(adminToken)
	_, page := h.do("GET", "/integrations/new", nil)
	csrf := h.csrfOf(page)
	resp, page := h.do("POST", "/setup/connect", url.Values{"csrf": {csrf}, "name": {"main"}, "psa": {"autotask"}, "requests_per_hour": {"many"}, "action": {"next"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "requests per hour: write a whole number") {
		t.Errorf("a bad number: %d\n%s", resp.StatusCode, page)
	}
	resp, page = h.do("POST", "/setup/yaml", url.Values{"csrf": {csrf}, "settings": {"name: other\npsa: autotask\n"}, "action": {"next"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "leave out name, psa and connection") {
		t.Errorf("YAML naming another integration: %d\n%s", resp.StatusCode, page)
	}
	resp, _ = h.do("GET", "/setup/nowhere", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown step: %d, want 404", resp.StatusCode)
	}
}

func TestAPIProblemShown(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(adminToken)
	resp, page := h.do("GET", "/alerts/99", nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "no such thing") {
		t.Fatalf("GET /alerts/99: %d\n%s", resp.StatusCode, page)
	}
}

func TestRevokedTokenEndsTheSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(adminToken)
	h.api.revoked.Store(true)
	resp, _ := h.do("GET", "/integrations", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
		t.Fatalf("with the token revoked: %d to %q, want 303 to /signin", resp.StatusCode, resp.Header.Get("Location"))
	}
	h.api.revoked.Store(false)
	if resp, _ := h.do("GET", "/integrations", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the session outlived its token: %d", resp.StatusCode)
	}
}

func TestExpiredSessionsAreDropped(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	s := newSessions(clk.now, time.Hour)
	s.create("a", "default")
	s.create("b", "default")
	clk.add(2 * time.Hour)
	s.create("c", "default")
	if n := len(s.byID); n != 1 {
		t.Fatalf("%d sessions held, want 1 (the two expired ones dropped)", n)
	}
}
