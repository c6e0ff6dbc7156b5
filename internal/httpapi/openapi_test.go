package httpapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ticketbridge/ticketbridge/internal/httpapi"
)

// TestOpenAPI keeps the document in step with the routes: every route is
// described, every $ref resolves, and it is served as JSON.
func TestOpenAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := do(f.handler(httpapi.Config{}), "GET", "/api/v1/openapi.json", "", "") // public: no token
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	routes := []struct{ method, path string }{
		{"post", "/api/v1/alerts"},
		{"get", "/api/v1/alerts"},
		{"get", "/api/v1/alerts/{id}"},
		{"get", "/api/v1/integrations"},
		{"get", "/api/v1/integrations/{name}"},
		{"put", "/api/v1/integrations/{name}"},
		{"patch", "/api/v1/integrations/{name}"},
		{"post", "/api/v1/integrations/{name}/test"},
		{"get", "/api/v1/integrations/{name}/picklists"},
		{"post", "/api/v1/integrations/{name}/picklists"},
		{"post", "/api/v1/integrations/{name}/companies"},
		{"get", "/api/v1/deliveries"},
		{"post", "/api/v1/deliveries/{id}/retry"},
		{"post", "/api/v1/deliveries/retry"},
		{"get", "/api/v1/sources"},
		{"post", "/api/v1/sources"},
		{"get", "/api/v1/formats"},
		{"post", "/api/v1/formats/test"},
		{"get", "/api/v1/mail/unmatched"},
		{"post", "/api/v1/alerts/{id}"}, // the source token in the path
		{"put", "/api/v1/sources/{id}/format"},
		{"get", "/api/v1/openapi.json"},
		{"put", "/api/v1/organizations/{id}/billable-users"},
		{"get", "/api/v1/billing/preview"},
		{"get", "/api/v1/billing/audit"},
		{"post", "/hooks/{integration}"},
		{"get", "/healthz"},
		{"get", "/readyz"},
		{"get", "/metrics"},
		{"get", "/api/v1/organizations"},
		{"post", "/api/v1/integrations/{name}/auto-match"},
		{"post", "/api/v1/integrations/{name}/organizations"},
		{"put", "/api/v1/integrations/{name}/organizations/{org}"},
		{"delete", "/api/v1/integrations/{name}/organizations/{org}"},
		{"delete", "/api/v1/integrations/{name}"},
		{"post", "/api/v1/sources/{id}/rotate"},
		{"post", "/api/v1/sources/{id}/revoke"},
		{"get", "/api/v1/tickets"},
		{"get", "/api/v1/deliveries/backlog"},
		{"post", "/api/v1/explain"},
	}
	for _, r := range routes {
		if _, ok := doc.Paths[r.path][r.method]; !ok {
			t.Errorf("%s %s is not described", strings.ToUpper(r.method), r.path)
		}
	}
	var all map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &all); err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`"\$ref":\s*"#/([^"]+)"`).FindAllStringSubmatch(w.Body.String(), -1) {
		var node any = all
		for _, part := range strings.Split(m[1], "/") {
			obj, _ := node.(map[string]any)
			node = obj[part]
		}
		if node == nil {
			t.Errorf("$ref #/%s does not resolve", m[1])
		}
	}
}

// TestOpenAPIValidates: the document passes a real OpenAPI validator, so a
// client generator can use it.
func TestOpenAPIValidates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := do(f.handler(httpapi.Config{}), "GET", "/api/v1/openapi.json", "", "")
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(w.Body.Bytes())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Errorf("validate: %v", err)
	}
}
