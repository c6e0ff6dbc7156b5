package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// badCall is one malformed request to a write route, and the field the
// answer must name ("" for a path naming nothing there: a 404).
type badCall struct {
	token  func(a *tenantSide, w *tenantWorld) string
	method string
	path   func(a *tenantSide) string
	body   string
	field  string
}

// TestBadInputOnEveryWriteRoute sends every write route of the served
// OpenAPI document a malformed request (a value of the wrong type, an
// unknown or missing field, a bad query value): each answers a 4xx
// problem+json that names the field, and nothing the tenant held before
// (its integration's settings, sources, alerts, tokens, organizations)
// has changed. A write route the document lists and this test does not
// call fails the test.
func TestBadInputOnEveryWriteRoute(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { runBadInput(t, "") })
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("TICKETBRIDGE_TEST_DATABASE_URL")
		if base == "" {
			t.Skip("set TICKETBRIDGE_TEST_DATABASE_URL=postgres://... to run on PostgreSQL")
		}
		runBadInput(t, pgSchema(t, base))
	})
}

func runBadInput(t *testing.T, databaseURL string) {
	w := startTenantWorld(t, databaseURL)
	a := w.tenant("tenant-a", "alpha")
	w.waitDelivered(a)
	admin := func(a *tenantSide, _ *tenantWorld) string { return a.admin }
	source := func(a *tenantSide, _ *tenantWorld) string { return a.sourceToken }
	itPath := func(rest string) func(*tenantSide) string {
		return func(a *tenantSide) string { return "/api/v1/integrations/" + a.integration + rest }
	}
	operator := func(_ *tenantSide, w *tenantWorld) string { return w.operator }
	fixed := func(p string) func(*tenantSide) string { return func(*tenantSide) string { return p } }
	srcPath := func(rest string) func(*tenantSide) string {
		return func(a *tenantSide) string { return "/api/v1/sources/" + a.source + rest }
	}
	none := func(*tenantSide, *tenantWorld) string { return "" }
	calls := map[string]badCall{
		"POST /api/v1/alerts":                                    {source, "POST", fixed("/api/v1/alerts"), `{"id":42,"type":"X"}`, "id"},
		"POST /api/v1/alerts/{id}":                               {none, "POST", func(a *tenantSide) string { return "/api/v1/alerts/" + a.sourceToken }, `{"id":"x","severity":"apocalyptic"}`, "severity"},
		"PUT /api/v1/integrations/{name}":                        {admin, "PUT", itPath(""), `{"settings":{"ticket":{"group_by":"by_moon_phase"}}}`, "settings.ticket.group_by"},
		"PATCH /api/v1/integrations/{name}":                      {admin, "PATCH", itPath(""), `{"settings":{"ticket":{"group_by":"by_moon_phase"}}}`, "settings.ticket.group_by"},
		"DELETE /api/v1/integrations/{name}":                     {admin, "DELETE", itPath("?dry_run=perhaps"), "", "dry_run"},
		"POST /api/v1/deliveries/{id}/retry":                     {admin, "POST", fixed("/api/v1/deliveries/999999/retry"), "", ""},
		"POST /api/v1/deliveries/retry":                          {admin, "POST", fixed("/api/v1/deliveries/retry?dry_run=perhaps"), "", "dry_run"},
		"POST /api/v1/sources":                                   {admin, "POST", fixed("/api/v1/sources"), `{"id":"Not A Valid Id!"}`, "id"},
		"POST /api/v1/integrations/{name}/test":                  {admin, "POST", itPath("/test"), `{"credentials":{"secret":42}}`, "credentials"},
		"PUT /api/v1/organizations/{id}/billable-users":          {source, "PUT", fixed("/api/v1/organizations/org-42/billable-users"), `{"count":"many"}`, "count"},
		"POST /hooks/{integration}":                              {none, "POST", fixed("/hooks/no-such-integration"), `{}`, ""},
		"PUT /api/v1/sources/{id}/format":                        {admin, "PUT", srcPath("/format"), `{"format":"no-such-format"}`, "format"},
		"POST /api/v1/sources/{id}/replay":                       {admin, "POST", fixed("/api/v1/sources/no-such-source/replay"), "", ""},
		"POST /api/v1/integrations/{name}/auto-match":            {admin, "POST", itPath("/auto-match"), `{"accept":[{"organization":17}]}`, "accept.organization"},
		"POST /api/v1/integrations/{name}/picklists":             {admin, "POST", itPath("/picklists"), `{"credential":{"secret":"x"}}`, "credential"},
		"POST /api/v1/integrations/{name}/companies":             {admin, "POST", itPath("/companies?limit=0"), "", "limit"},
		"POST /api/v1/integrations/{name}/organizations":         {admin, "POST", itPath("/organizations"), `{"company":""}`, "company"},
		"PUT /api/v1/integrations/{name}/organizations/{org}":    {admin, "PUT", itPath("/organizations/org-42"), `{"company":"No Such Company Anywhere"}`, "company"},
		"DELETE /api/v1/integrations/{name}/organizations/{org}": {admin, "DELETE", itPath("/organizations/org-42?dry_run=perhaps"), "", "dry_run"},
		"POST /api/v1/sources/{id}/rotate":                       {admin, "POST", fixed("/api/v1/sources/no-such-source/rotate"), "", ""},
		"POST /api/v1/sources/{id}/revoke":                       {admin, "POST", fixed("/api/v1/sources/no-such-source/revoke"), "", ""},
		"POST /api/v1/formats/test":                              {admin, "POST", fixed("/api/v1/formats/test"), `{"format":"canonical","sample":17}`, "sample"},
		"POST /api/v1/tenants":                                   {operator, "POST", fixed("/api/v1/tenants"), `{"id":"Bad Id"}`, "id"},
		"DELETE /api/v1/tenants/{id}":                            {operator, "DELETE", fixed("/api/v1/tenants/tenant-a?force=perhaps"), "", "force"},
		"POST /api/v1/tenants/{id}/tokens":                       {operator, "POST", fixed("/api/v1/tenants/tenant-a/tokens"), `{"name":""}`, "name"},
		"DELETE /api/v1/tenants/{id}/tokens/{name}":              {operator, "DELETE", fixed("/api/v1/tenants/tenant-a/tokens/no-such-token"), "", ""},
		"POST /api/v1/tokens":                                    {admin, "POST", fixed("/api/v1/tokens"), `{"name":42}`, "name"},
		"DELETE /api/v1/tokens/{name}":                           {admin, "DELETE", fixed("/api/v1/tokens/no-such-token"), "", ""},
		"POST /api/v1/reconcile":                                 {admin, "POST", fixed("/api/v1/reconcile?integration=no-such-integration"), "", ""},
		"POST /api/v1/explain":                                   {admin, "POST", fixed("/api/v1/explain"), `{"alert":{"id":42,"type":"X"}}`, "alert"},
		"POST /hooks/t/{tenant}/{integration}":                   {none, "POST", func(a *tenantSide) string { return "/hooks/t/" + a.id + "/no-such-integration" }, `{}`, ""},
	}
	before := w.snapshot(a)
	for _, op := range openAPIOperations(t, w.base) {
		method, _, _ := strings.Cut(op, " ")
		if method == "GET" {
			continue
		}
		c, ok := calls[op]
		if !ok {
			t.Errorf("write route %s is in the OpenAPI document but the bad-input test does not call it: add a case", op)
			continue
		}
		t.Run(strings.ReplaceAll(op, "/", "_"), func(t *testing.T) {
			status, ctype, body := w.send(c.token(a, w), c.method, c.path(a), c.body)
			t.Logf("%s %s → %d %s", c.method, c.path(a), status, body)
			if !strings.HasPrefix(ctype, "application/problem+json") {
				t.Errorf("%s: Content-Type %q, want application/problem+json", op, ctype)
			}
			if c.field == "" {
				if status != http.StatusNotFound {
					t.Errorf("%s: %d, want 404: %s", op, status, body)
				}
				return
			}
			var p struct {
				Status int
				Errors []struct{ Field string }
			}
			_ = json.Unmarshal([]byte(body), &p)
			named := false
			for _, e := range p.Errors {
				named = named || e.Field == c.field || strings.HasPrefix(e.Field, c.field+".") || strings.HasPrefix(e.Field, c.field+"[")
			}
			if (status != http.StatusBadRequest && status != http.StatusUnprocessableEntity) || !named {
				t.Errorf("%s: %d naming %+v, want 400 or 422 naming %q: %s", op, status, p.Errors, c.field, body)
			}
		})
	}
	t.Run("explain", func(t *testing.T) { explainBadInput(t, w, a) })
	if after := w.snapshot(a); after != before {
		t.Errorf("bad input changed what the tenant holds:\nbefore %s\nafter  %s", before, after)
	}
}

// send makes one request and returns its status, Content-Type and body.
func (w *tenantWorld) send(token, method, path, body string) (int, string, string) {
	w.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, w.base+path, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// snapshot is what a tenant holds, as its admin reads it.
func (w *tenantWorld) snapshot(a *tenantSide) string {
	var parts []string
	for _, p := range []string{"/api/v1/integrations/" + a.integration, "/api/v1/sources", "/api/v1/alerts", "/api/v1/tokens", "/api/v1/organizations"} {
		_, _, body := w.send(a.admin, "GET", p, "")
		var v any
		_ = json.Unmarshal([]byte(body), &v)
		b, _ := json.Marshal(v)
		parts = append(parts, p+"="+string(b))
	}
	_, _, body := w.send(w.operator, "GET", "/api/v1/tenants", "")
	return strings.Join(append(parts, "tenants="+body), "\n")
}

// explainBadInput: each way POST /api/v1/explain can be asked wrongly is
// a 400 naming the field, never a 500 or an explanation.
func explainBadInput(t *testing.T, w *tenantWorld, a *tenantSide) {
	valid := `{"id":"x","organization":{"id":"org-42"},"type":"Malware","severity":"high","title":"t","occurred_at":"2026-11-21T00:00:00Z"}`
	tests := []struct {
		name, body, field string
	}{
		{"no_alert", `{"source":"` + a.source + `"}`, "alert"},
		{"alert_array", `{"alert":[` + valid + `]}`, "alert"},
		{"alert_string", `{"alert":"Malware"}`, "alert"},
		{"alert_invalid", `{"alert":{"id":"x","severity":"apocalyptic"}}`, "alert.severity"},
		{"unknown_source", `{"source":"no-such-source","alert":` + valid + `}`, "source"},
		{"source_wrong_type", `{"source":7,"alert":` + valid + `}`, "source"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := w.send(a.admin, "POST", "/api/v1/explain", tc.body)
			var p struct{ Errors []struct{ Field string } }
			_ = json.Unmarshal([]byte(body), &p)
			named := false
			for _, e := range p.Errors {
				named = named || e.Field == tc.field
			}
			if status != http.StatusBadRequest || !named {
				t.Errorf("%d %s, want 400 naming %q", status, body, tc.field)
			}
		})
	}
}
