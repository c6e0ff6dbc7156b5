package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Tokens the fake API issues: no page may show them but the one that
// shows each once.
const (
	newSourceToken = "tbs_fake-created-token-0123456789"
	rotatedToken   = "tbs_fake-rotated-token-9876543210"
	callbackSecret = "cbs_fake-callback-secret-000111"
)

// daily answers the routes of the daily views (tickets, backlog,
// sources, explain, bulk retry); false leaves the request to the rest of
// the fake.
func (f *fakeAPI) daily(w http.ResponseWriter, r *http.Request, body map[string]any) bool {
	answer := func(status int, js string) bool {
		if status >= 400 {
			w.Header().Set("Content-Type", "application/problem+json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, js)
		return true
	}
	path := r.URL.Path
	switch {
	case f.revoked.Load():
		return false
	case r.Method == "GET" && path == "/api/v1/deliveries/backlog":
		return answer(200, `{"integrations":[{"integration":"main","pending":4,"failed":2,"oldest_pending_at":"2026-12-01T08:30:00Z"}]}`)
	case r.Method == "GET" && path == "/api/v1/tickets":
		if r.URL.Query().Get("integration") != "main" {
			return answer(404, `{"title":"Not found","status":404,"detail":"no such integration"}`)
		}
		return answer(200, `{"tickets":[{"id":9,"integration":"main","psa_ticket_id":"7001","ticket_number":"T20261201.0007","company_id":"0",
			"group_key":"jane","state":"open","psa_status":"New","created_at":"2026-12-01T08:00:00Z","alert_count":2,
			"alerts":[{"seq":12,"source":"edr","id":"a-2","title":"Second malware","status":"open"},{"seq":11,"source":"edr","id":"a-1","title":"First malware","status":"open"}]}],
			"next_cursor":"9"}`)
	case r.Method == "GET" && path == "/api/v1/sources":
		return answer(200, `{"sources":[{"id":"edr","name":"EDR","format":"canonical","created_at":"2026-12-01T08:00:00Z","revoked":false},
			{"id":"old","name":"old","format":"sentinelone","created_at":"2026-11-01T08:00:00Z","revoked":true}]}`)
	case r.Method == "GET" && path == "/api/v1/formats":
		return answer(200, `{"formats":[{"name":"canonical","title":"The canonical alert"},{"name":"sentinelone","title":"SentinelOne"}]}`)
	case r.Method == "POST" && path == "/api/v1/sources":
		if body["id"] == "taken" {
			return answer(409, `{"title":"Source exists","status":409,"detail":"a source with id \"taken\" already exists"}`)
		}
		return answer(201, `{"id":"`+body["id"].(string)+`","name":"x","token":"`+newSourceToken+`","callback_secret":"`+callbackSecret+`"}`)
	case r.Method == "POST" && strings.HasSuffix(path, "/rotate"):
		return answer(200, `{"id":"edr","token":"`+rotatedToken+`"}`)
	case r.Method == "POST" && strings.HasSuffix(path, "/revoke"):
		return answer(204, ``)
	case r.Method == "POST" && path == "/api/v1/deliveries/retry":
		return answer(200, `{"matched":3,"retried":3}`)
	case r.Method == "POST" && path == "/api/v1/explain":
		if a, _ := body["alert"].(map[string]any); a["id"] == "bad" {
			return answer(400, `{"title":"Invalid request","status":400,"detail":"the alert is not valid","errors":[{"field":"alert.severity","reason":"must be one of critical, high, medium, low, info"}]}`)
		}
		return answer(200, `{"source":"edr","explanations":[
			{"integration":"main","excluded":false,"company_id":"0","company_name":"Acme Corp","contact":"Jane Doe","contact_source":"email",
			 "queue":"Security","priority":"High","group_key":"jane","new_ticket":true,"lines":["company Acme Corp: mapped organization org-42"]},
			{"integration":"quiet","excluded":true,"skip_code":"excluded_type","skip_reason":"excluded by type: Malware","new_ticket":false,"lines":[]},
			{"integration":"down","excluded":false,"new_ticket":false,"lines":["could not decide: PSA unreachable"],"error":"PSA unreachable: connection refused"}]}`)
	}
	return false
}

// signedInHarness is a harness whose browser has signed in.
func signedInHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	if got := h.signIn(adminToken); got != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", got)
	}
	return h
}

// page GETs path and wants 200.
func (h *harness) page(path string) string {
	h.t.Helper()
	resp, body := h.do("GET", path, nil)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, body)
	}
	return body
}

func wantIn(t *testing.T, page string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(page, p) {
			t.Errorf("page lacks %q", p)
		}
	}
}

func TestOverviewShowsBudgetAndBacklog(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) {
		c.Budget = func(tenant, name string) (Budget, bool) {
			if tenant != "default" || name != "main" {
				return Budget{}, false
			}
			return Budget{Used: 120, Remaining: 9880, Limit: 10000, Window: time.Hour}, true
		}
	})
	h.signIn(adminToken)
	page := h.page("/integrations")
	wantIn(t, page, "120 / 9880", "of 10000 per 1h", `<td class="pending">4</td>`, "<td>30m</td>", `<a href="/deliveries">2</a>`,
		`href="/integrations/main/tickets"`)
	for _, c := range h.api.recorded() {
		if strings.HasPrefix(c.Path, "/api/v1/deliveries?") {
			t.Errorf("the overview listed deliveries to count them: %s", c.Path)
		}
	}
}

func TestTicketsPage(t *testing.T) {
	t.Parallel()
	h := signedInHarness(t)
	page := h.page("/integrations/main/tickets?state=open")
	wantIn(t, page, "T20261201.0007", "id 7001", `<span class="count">2</span>`, `href="/alerts/12"`, `href="/alerts/11"`,
		"Second malware", `<option value="open" selected>`, `href="/integrations/main/tickets?cursor=9&amp;state=open"`)
	calls := h.api.recorded()
	if last := calls[len(calls)-1]; last.Path != "/api/v1/tickets?integration=main&state=open" {
		t.Errorf("API call %s", last.Path)
	}
	resp, body := h.do("GET", "/integrations/nope/tickets", nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "no such integration") {
		t.Errorf("unknown integration: %d\n%s", resp.StatusCode, body)
	}
	// One integration: the nav's Tickets goes straight to its tickets.
	resp, _ = h.do("GET", "/tickets", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/integrations/main/tickets" {
		t.Errorf("GET /tickets: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestRetryAll(t *testing.T) {
	t.Parallel()
	h := signedInHarness(t)
	page := h.page("/deliveries")
	resp, _ := h.do("POST", "/deliveries/retry", url.Values{"csrf": {h.csrfOf(page)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/deliveries?retried_all=3" {
		t.Fatalf("retry all: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	wantIn(t, h.page("/deliveries?retried_all=3"), "3 deliveries are queued again")
	calls := h.api.recorded()
	var bulk int
	for _, c := range calls {
		if c.Method == "POST" && c.Path == "/api/v1/deliveries/retry" {
			bulk++
		}
	}
	if bulk != 1 {
		t.Errorf("bulk retry called %d times, want once", bulk)
	}
	resp, _ = h.do("POST", "/deliveries/retry", url.Values{"csrf": {"forged"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("retry all without the CSRF token: %d", resp.StatusCode)
	}
}

func TestSourceTokenShownOnce(t *testing.T) {
	t.Parallel()
	h := signedInHarness(t)
	list := h.page("/sources")
	wantIn(t, list, "edr", "canonical", "sentinelone", `<span class="bad">revoked</span>`, `href="/sources/edr/revoke"`)
	csrf := h.csrfOf(list)
	resp, _ := h.do("POST", "/sources", url.Values{"csrf": {csrf}, "id": {"edr2"}, "name": {"EDR 2"}, "format": {"sentinelone"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sources/edr2/token" {
		t.Fatalf("create: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	calls := h.api.recorded()
	if c := calls[len(calls)-1]; c.Body["id"] != "edr2" || c.Body["name"] != "EDR 2" || c.Body["format"] != "sentinelone" {
		t.Errorf("create body %+v", c.Body)
	}
	wantIn(t, h.page("/sources/edr2/token"), newSourceToken, callbackSecret, "shown this once")
	again := h.page("/sources/edr2/token")
	wantIn(t, again, `id="gone"`)
	for _, p := range []string{again, h.page("/sources"), h.page("/integrations")} {
		if strings.Contains(p, newSourceToken) || strings.Contains(p, callbackSecret) {
			t.Errorf("a page after the one showing it shows the token:\n%s", p)
		}
	}

	resp, _ = h.do("POST", "/sources/edr/rotate", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sources/edr/token" {
		t.Fatalf("rotate: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Another source's token page never shows it.
	wantIn(t, h.page("/sources/other/token"), `id="gone"`)
	wantIn(t, h.page("/sources/edr/token"), rotatedToken, "the old one no longer works")
	if strings.Contains(h.page("/sources/edr/token"), rotatedToken) {
		t.Error("the rotated token is shown twice")
	}
}

func TestCreateSourceProblemKeepsTheForm(t *testing.T) {
	t.Parallel()
	h := signedInHarness(t)
	resp, body := h.do("POST", "/sources", url.Values{"csrf": {h.csrfOf(h.page("/sources"))}, "id": {"taken"}, "name": {"Taken one"}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("create taken: %d", resp.StatusCode)
	}
	wantIn(t, body, `role="alert"`, "already exists", `value="Taken one"`)
}

func TestRevokeNeedsConfirmation(t *testing.T) {
	t.Parallel()
	h := signedInHarness(t)
	confirm := h.page("/sources/edr/revoke")
	wantIn(t, confirm, "Revoke the token of edr?", `name="confirm" value="yes"`)
	csrf := h.csrfOf(confirm)
	revokes := func() int {
		n := 0
		for _, c := range h.api.recorded() {
			if c.Method == "POST" && strings.HasSuffix(c.Path, "/revoke") {
				n++
			}
		}
		return n
	}
	resp, _ := h.do("POST", "/sources/edr/revoke", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sources/edr/revoke" || revokes() != 0 {
		t.Fatalf("revoke without confirming: %d to %q, %d API revokes", resp.StatusCode, resp.Header.Get("Location"), revokes())
	}
	resp, _ = h.do("POST", "/sources/edr/revoke", url.Values{"csrf": {csrf}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sources?revoked=edr" || revokes() != 1 {
		t.Fatalf("revoke: %d to %q, %d API revokes", resp.StatusCode, resp.Header.Get("Location"), revokes())
	}
	wantIn(t, h.page("/sources?revoked=edr"), "The token of source edr is revoked")
}

func TestExplainPage(t *testing.T) {
	t.Parallel()
	h := signedInHarness(t)
	form := h.page("/explain")
	wantIn(t, form, `<label for="explain-alert">`, `<option value="edr">`)
	csrf := h.csrfOf(form)
	alertJSON := `{"id":"a-1","organization":{"id":"org-42"},"type":"Malware","severity":"high","title":"t","occurred_at":"2026-12-01T08:00:00Z"}`
	resp, body := h.do("POST", "/explain", url.Values{"csrf": {csrf}, "source": {"edr"}, "alert": {alertJSON}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("explain: %d\n%s", resp.StatusCode, body)
	}
	wantIn(t, body, "Acme Corp", "Jane Doe", "Security", "High", "group jane: a new ticket", "Excluded: no ticket. excluded by type: Malware",
		`<option value="edr" selected>`, "Could not decide: PSA unreachable: connection refused")
	calls := h.api.recorded()
	c := calls[len(calls)-2] // the explain, then the sources for the form
	if a, _ := c.Body["alert"].(map[string]any); c.Path != "/api/v1/explain" || c.Body["source"] != "edr" || a["id"] != "a-1" {
		t.Errorf("explain call %+v", c)
	}

	tests := []struct {
		name, alert, want string
	}{
		{"not_json", "id: a-1", "The alert is not JSON"},
		{"api_refuses", `{"id":"bad"}`, "alert.severity: must be one of"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := h.do("POST", "/explain", url.Values{"csrf": {csrf}, "alert": {tc.alert}})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("status %d", resp.StatusCode)
			}
			wantIn(t, body, `role="alert"`, tc.want)
		})
	}
}

func TestNavigation(t *testing.T) {
	t.Parallel()
	h := signedInHarness(t)
	wantIn(t, h.page("/integrations"), `<nav aria-label="Main">`, `href="/tickets"`, `href="/sources"`, `href="/explain"`)
}
