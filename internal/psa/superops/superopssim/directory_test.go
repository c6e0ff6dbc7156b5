package superopssim

import "testing"

func TestUniqueness(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	acme := e.clientID("Acme Corp")
	const client = `mutation($n: String!) { createClient(input: {name: $n, stage: "Customer"}) { accountId stage status } }`
	const user = `mutation($e: String!, $c: ID!) { createClientUser(input: {firstName: "New", email: $e, role: {roleId: "3"}, addAssociations: [{client: {accountId: $c}, site: {id: "1"}}]}) { userId client } }`
	d := e.do(client, map[string]any{"n": "Hooli"})
	if path(d, "createClient", "status") != "Active" {
		t.Errorf("createClient %v", d)
	}
	tests := []struct {
		name, doc string
		vars      map[string]any
		code      string
	}{
		{"client name taken, any case", client, map[string]any{"n": "ACME CORP"}, CodeUnique},
		{"requester email taken", user, map[string]any{"e": "Jane@acme.example", "c": acme}, CodeUnique},
		{"requester of an unknown client", user, map[string]any{"e": "new@acme.example", "c": "1"}, CodeReferredValue},
		{"malformed email", user, map[string]any{"e": "not-an-email", "c": acme}, "value_pattern_validation_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a := e.post(e.api, SeedSubdomain, tt.doc, tt.vars); a.code() != tt.code {
				t.Errorf("%s; want %s", a.Raw, tt.code)
			}
		})
	}
	// A deleted requester's email may be used again.
	d = e.do(user, map[string]any{"e": "former@acme.example", "c": acme})
	if path(d, "createClientUser", "client", "accountId") != acme {
		t.Errorf("createClientUser %v", d)
	}
}

func TestBulkReportsIndex(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	const q = `mutation($in: [CreateCategoryInput!]!) { createCategories(input: $in) { name } }`
	a := e.post(e.api, SeedSubdomain, q, map[string]any{"in": []any{
		map[string]any{"name": "Backup"}, map[string]any{"name": "Network"}, map[string]any{"name": "hardware"},
	}})
	if len(a.Errors) == 0 {
		t.Fatalf("%s; want an error", a.Raw)
	}
	ce := path(a.Errors[0], "extensions", "clientError", 0)
	if a.code() != CodeUnique || path(ce, "param", "index") != float64(2) {
		t.Fatalf("%s; want unique_validation_failed at index 2", a.Raw)
	}
	d := e.do(`{ getCategoryList { name } }`, nil)
	for _, c := range path(d, "getCategoryList").([]any) {
		if path(c, "name") == "Backup" {
			t.Errorf("a refused bulk create added %v", c)
		}
	}
}
