package e2e

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/app"
	"github.com/ticketbridge/ticketbridge/internal/config"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
	"github.com/ticketbridge/ticketbridge/internal/secret"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestTenantIsolation runs two tenants, each with its own PSA simulator,
// integration, source and delivered alerts, on one installation; then
// calls every route of the served OpenAPI document with tenant A's tokens
// and tenant B's ids, names and tokens-in-paths: B's objects are 404 (or
// absent from lists), B's data is unchanged, and no answer to A carries
// anything only B holds. A route the document lists and this test does
// not call fails the test, so a new route cannot escape it. SQLite
// always; PostgreSQL when TICKETBRIDGE_TEST_DATABASE_URL is set.
func TestTenantIsolation(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { runTenantIsolation(t, "") })
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("TICKETBRIDGE_TEST_DATABASE_URL")
		if base == "" {
			t.Skip("set TICKETBRIDGE_TEST_DATABASE_URL=postgres://... to run on PostgreSQL")
		}
		runTenantIsolation(t, pgSchema(t, base))
	})
}

// tenantSide is one tenant as the test set it up.
type tenantSide struct {
	id          string
	admin       string // the admin token the operator's create returned
	integration string
	source      string
	sourceToken string
	sim         driver.Simulator
	simURL      string
	seq         int64 // a delivered alert
	delivery    int64
	title       string // only this tenant's alerts carry it
}

type tenantWorld struct {
	t        *testing.T
	base     string
	operator string
	app      *app.App
	betaCI   string // a second admin token of tenant-b
}

func runTenantIsolation(t *testing.T, databaseURL string) {
	w := startTenantWorld(t, databaseURL)
	a := w.tenant("tenant-a", "alpha")
	b := w.tenant("tenant-b", "beta")
	for _, s := range []*tenantSide{a, b} {
		w.waitDelivered(s)
	}
	// Alerts land in their source's tenant and nowhere else.
	for _, s := range []*tenantSide{a, b} {
		var list struct {
			Alerts []struct{ Source, Title string }
		}
		w.call(s.admin, "GET", "/api/v1/alerts", nil, &list, http.StatusOK)
		if len(list.Alerts) != 1 || list.Alerts[0].Source != s.source || list.Alerts[0].Title != s.title {
			t.Fatalf("%s lists %+v, want its one alert", s.id, list.Alerts)
		}
	}

	// Each tenant's integration has series of its own, named
	// tenant/integration: two tenants may use one integration name.
	metrics := w.raw("", "GET", "/metrics", "", http.StatusOK)
	for _, s := range []*tenantSide{a, b} {
		for _, m := range []string{"ticketbridge_psa_budget_remaining", "ticketbridge_psa_calls_total"} {
			if want := fmt.Sprintf(`%s{integration="%s/%s"`, m, s.id, s.integration); !strings.Contains(metrics, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	}

	probes := isolationProbes(w, a, b)
	doc := openAPIOperations(t, w.base)
	for _, op := range doc {
		p, ok := probes[op]
		if !ok {
			t.Errorf("route %s is in the OpenAPI document but the isolation test does not call it: add a probe", op)
			continue
		}
		t.Run(strings.ReplaceAll(op, "/", "_"), func(t *testing.T) {
			body := p(t)
			for _, secret := range []string{b.title, b.simURL, b.sourceToken, b.admin, b.id} {
				if secret != "" && strings.Contains(body, secret) {
					t.Errorf("%s answered tenant A with tenant B's %q:\n%s", op, secret, body)
				}
			}
		})
	}
	for op := range probes {
		if !slices.Contains(doc, op) {
			t.Errorf("probe %s names no route of the OpenAPI document", op)
		}
	}
	// Whatever A did, B's alert, delivery, integration and source are whole.
	var view struct {
		Alert  struct{ Title string }
		Routes []struct{ Integration string }
	}
	w.call(b.admin, "GET", "/api/v1/alerts/"+i64(b.seq), nil, &view, http.StatusOK)
	if view.Alert.Title != b.title || len(view.Routes) != 1 || view.Routes[0].Integration != b.integration {
		t.Errorf("tenant B's alert after the probes: %+v", view)
	}
	w.call(b.admin, "GET", "/api/v1/integrations/"+b.integration, nil, nil, http.StatusOK)
	w.call(b.admin, "GET", "/api/v1/sources", nil, nil, http.StatusOK)

	t.Run("operator", func(t *testing.T) { w.operatorChecks(a) })
	t.Run("revoked", func(t *testing.T) { w.revokedChecks(b) })
	t.Run("delete_tenant", func(t *testing.T) { w.deleteChecks() })
}

// isolationProbes holds, for every route, a call with tenant A's token
// aimed at tenant B's objects and what it must answer; each returns the
// body for the leak check.
func isolationProbes(w *tenantWorld, a, b *tenantSide) map[string]func(t *testing.T) string {
	alert := func(id, title string) string {
		return `{"id":"` + id + `","organization":{"id":"org-42","name":"Acme Corp"},"type":"Malware","severity":"high","title":"` +
			title + `","occurred_at":"` + time.Now().Add(-time.Minute).UTC().Format(time.RFC3339) + `"}`
	}
	bAlertID := "shared-1" // both tenants' sources sent an alert of this id
	get := func(path string, want int) func(t *testing.T) string {
		return func(t *testing.T) string { return w.raw(a.admin, "GET", path, "", want) }
	}
	return map[string]func(t *testing.T) string{
		"POST /api/v1/alerts": func(t *testing.T) string {
			// A's source re-sends B's alert id: it is A's own alert, B's is untouched.
			return w.raw(a.sourceToken, "POST", "/api/v1/alerts", alert(bAlertID, "from alpha again"), http.StatusAccepted)
		},
		"POST /api/v1/alerts/{id}": func(t *testing.T) string {
			return w.raw("", "POST", "/api/v1/alerts/"+a.sourceToken, alert(bAlertID, "from alpha by path"), http.StatusAccepted)
		},
		"GET /api/v1/alerts": func(t *testing.T) string {
			body := get("/api/v1/alerts?source="+b.source, http.StatusOK)(t)
			wantEmptyList(t, body, "alerts")
			return body + get("/api/v1/alerts", http.StatusOK)(t)
		},
		"GET /api/v1/alerts/{id}": func(t *testing.T) string {
			return get("/api/v1/alerts/"+i64(b.seq), http.StatusNotFound)(t) +
				get("/api/v1/alerts/"+bAlertID+"?source="+b.source, http.StatusNotFound)(t)
		},
		"GET /api/v1/integrations": func(t *testing.T) string {
			body := get("/api/v1/integrations", http.StatusOK)(t)
			if strings.Contains(body, b.integration) {
				t.Errorf("A's integration list names B's: %s", body)
			}
			return body
		},
		"GET /api/v1/integrations/{name}": get("/api/v1/integrations/"+b.integration, http.StatusNotFound),
		"PUT /api/v1/integrations/{name}": func(t *testing.T) string {
			// For A the name is free: the dry run plans a create.
			settings, creds := w.settingsJSON(a, b.integration)
			var plan struct{ Created, Applied bool }
			body := w.raw(a.admin, "PUT", "/api/v1/integrations/"+b.integration+"?dry_run=1",
				mustJSON(t, map[string]any{"settings": settings, "credentials": creds}), http.StatusOK)
			if err := json.Unmarshal([]byte(body), &plan); err != nil || !plan.Created || plan.Applied {
				t.Errorf("dry run of B's name for A: %s", body)
			}
			return body
		},
		"PATCH /api/v1/integrations/{name}": func(t *testing.T) string {
			return w.raw(a.admin, "PATCH", "/api/v1/integrations/"+b.integration, `{"settings":{"notes":{"title":"x"}}}`, http.StatusNotFound)
		},
		"POST /api/v1/integrations/{name}/test": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/integrations/"+b.integration+"/test", "", http.StatusNotFound)
		},
		"GET /api/v1/integrations/{name}/picklists": get("/api/v1/integrations/"+b.integration+"/picklists", http.StatusNotFound),
		"POST /api/v1/integrations/{name}/picklists": func(t *testing.T) string {
			// A draft under B's name keeps no secret of B's: without
			// credentials it has none to connect with.
			settings, _ := w.settingsJSON(a, b.integration)
			return w.raw(a.admin, "POST", "/api/v1/integrations/"+b.integration+"/picklists", "", http.StatusNotFound) +
				w.raw(a.admin, "POST", "/api/v1/integrations/"+b.integration+"/picklists",
					mustJSON(t, map[string]any{"settings": settings}), http.StatusBadRequest)
		},
		"POST /api/v1/integrations/{name}/companies": func(t *testing.T) string {
			// With A's own draft under B's name, A reads its own PSA.
			settings, creds := w.settingsJSON(a, b.integration)
			return w.raw(a.admin, "POST", "/api/v1/integrations/"+b.integration+"/companies", "", http.StatusNotFound) +
				w.raw(a.admin, "POST", "/api/v1/integrations/"+b.integration+"/companies?search=acme",
					mustJSON(t, map[string]any{"settings": settings, "credentials": creds}), http.StatusOK)
		},
		"GET /api/v1/deliveries": func(t *testing.T) string {
			body := get("/api/v1/deliveries", http.StatusOK)(t)
			if strings.Contains(body, `"id":`+i64(b.delivery)+`,`) {
				t.Errorf("A's deliveries list B's delivery %d: %s", b.delivery, body)
			}
			return body + get("/api/v1/deliveries?integration="+b.integration, http.StatusNotFound)(t)
		},
		"POST /api/v1/deliveries/{id}/retry": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/deliveries/"+i64(b.delivery)+"/retry", "", http.StatusNotFound)
		},
		"POST /api/v1/deliveries/retry": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/deliveries/retry?integration="+b.integration, "", http.StatusNotFound)
		},
		"GET /api/v1/sources": func(t *testing.T) string {
			body := get("/api/v1/sources", http.StatusOK)(t)
			if strings.Contains(body, `"`+b.source+`"`) {
				t.Errorf("A's sources list B's: %s", body)
			}
			return body
		},
		"POST /api/v1/sources": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/sources", `{"id":"alpha-extra"}`, http.StatusCreated)
		},
		"PUT /api/v1/sources/{id}/format": func(t *testing.T) string {
			return w.raw(a.admin, "PUT", "/api/v1/sources/"+b.source+"/format", `{"format":"canonical"}`, http.StatusNotFound)
		},
		"POST /api/v1/sources/{id}/replay": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/sources/"+b.source+"/replay", "", http.StatusNotFound)
		},
		"POST /api/v1/sources/{id}/rotate": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/sources/"+b.source+"/rotate", "", http.StatusNotFound)
		},
		"POST /api/v1/sources/{id}/revoke": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/sources/"+b.source+"/revoke", "", http.StatusNotFound)
		},
		"GET /api/v1/organizations": func(t *testing.T) string {
			body := get("/api/v1/organizations", http.StatusOK)(t)
			if strings.Contains(body, b.source) {
				t.Errorf("A's organizations name B's source: %s", body)
			}
			// A filter naming an integration A does not have is bad input, as for any unknown name.
			return body + get("/api/v1/organizations?integration="+b.integration, http.StatusBadRequest)(t)
		},
		"POST /api/v1/integrations/{name}/auto-match": func(t *testing.T) string {
			// A draft under B's name reads A's PSA with A's credentials, for A's organizations.
			settings, creds := w.settingsJSON(a, b.integration)
			return w.raw(a.admin, "POST", "/api/v1/integrations/"+b.integration+"/auto-match", "", http.StatusNotFound) +
				w.raw(a.admin, "POST", "/api/v1/integrations/"+b.integration+"/auto-match",
					mustJSON(t, map[string]any{"settings": settings, "credentials": creds}), http.StatusOK)
		},
		"PUT /api/v1/integrations/{name}/organizations/{org}": func(t *testing.T) string {
			return w.raw(a.admin, "PUT", "/api/v1/integrations/"+b.integration+"/organizations/org-42", `{"company":"Acme Corp"}`, http.StatusNotFound)
		},
		"DELETE /api/v1/integrations/{name}/organizations/{org}": func(t *testing.T) string {
			return w.raw(a.admin, "DELETE", "/api/v1/integrations/"+b.integration+"/organizations/org-42", "", http.StatusNotFound)
		},
		"POST /api/v1/integrations/{name}/organizations": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/integrations/"+b.integration+"/organizations", `{"company":"Acme Corp"}`, http.StatusNotFound)
		},
		"DELETE /api/v1/integrations/{name}": func(t *testing.T) string {
			return w.raw(a.admin, "DELETE", "/api/v1/integrations/"+b.integration+"?dry_run=1", "", http.StatusNotFound) +
				w.raw(a.admin, "DELETE", "/api/v1/integrations/"+b.integration, "", http.StatusNotFound)
		},
		"GET /api/v1/formats": get("/api/v1/formats", http.StatusOK),
		"POST /api/v1/formats/test": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/formats/test", `{"format":"canonical","sample":`+alert("x", "probe")+`}`, http.StatusOK)
		},
		"GET /api/v1/mail/unmatched": func(t *testing.T) string {
			body := get("/api/v1/mail/unmatched", http.StatusOK)(t)
			if strings.Contains(body, b.source) {
				t.Errorf("A's unmatched mail names B's source: %s", body)
			}
			return body
		},
		"PUT /api/v1/organizations/{id}/billable-users": func(t *testing.T) string {
			// A's source reports org-42, which B's also reported: B's count stays.
			body := w.raw(a.sourceToken, "PUT", "/api/v1/organizations/org-42/billable-users", `{"count":99}`, http.StatusOK)
			counts, err := w.app.Store.BillableCounts(context.Background(), b.id)
			if err != nil || len(counts) != 1 || counts[0].Count != 7 {
				t.Errorf("B's billable counts after A's report: %+v %v", counts, err)
			}
			return body
		},
		"GET /api/v1/billing/preview": func(t *testing.T) string {
			body := get("/api/v1/billing/preview", http.StatusOK)(t)
			if strings.Contains(body, b.integration) {
				t.Errorf("A's billing preview names B's integration: %s", body)
			}
			return body
		},
		"GET /api/v1/billing/audit": func(t *testing.T) string {
			body := get("/api/v1/billing/audit", http.StatusOK)(t)
			if strings.Contains(body, b.integration) {
				t.Errorf("A's billing audit names B's integration: %s", body)
			}
			return body
		},
		"POST /api/v1/reconcile": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/reconcile?integration="+b.integration, "", http.StatusNotFound)
		},
		"GET /api/v1/tickets": func(t *testing.T) string {
			own := get("/api/v1/tickets?integration="+a.integration, http.StatusOK)(t)
			if strings.Contains(own, b.integration) || strings.Contains(own, `"seq":`+i64(b.seq)+`,`) {
				t.Errorf("A's tickets name B's integration or alert: %s", own)
			}
			return own + get("/api/v1/tickets?integration="+b.integration, http.StatusNotFound)(t)
		},
		"GET /api/v1/deliveries/backlog": func(t *testing.T) string {
			body := get("/api/v1/deliveries/backlog", http.StatusOK)(t)
			if strings.Contains(body, `"`+b.integration+`"`) {
				t.Errorf("A's backlog names B's integration: %s", body)
			}
			return body
		},
		"POST /api/v1/explain": func(t *testing.T) string {
			// B's source is no source of A's; A's own explanation names
			// A's integrations only.
			foreign := w.raw(a.admin, "POST", "/api/v1/explain", `{"source":"`+b.source+`","alert":`+alert("x", "probe")+`}`, http.StatusBadRequest)
			own := w.raw(a.admin, "POST", "/api/v1/explain", `{"source":"`+a.source+`","alert":`+alert("x", "probe")+`}`, http.StatusOK)
			if strings.Contains(own, `"`+b.integration+`"`) || !strings.Contains(own, `"`+a.integration+`"`) {
				t.Errorf("A's explanation: %s", own)
			}
			return foreign + own
		},
		"GET /api/v1/drift": func(t *testing.T) string {
			body := get("/api/v1/drift", http.StatusOK)(t)
			if strings.Contains(body, b.integration) {
				t.Errorf("A's drift names B's integration: %s", body)
			}
			return body
		},
		// B's integration name in the default tenant's hook path is nothing.
		"POST /hooks/{integration}": func(t *testing.T) string {
			return w.raw("", "POST", "/hooks/"+b.integration, "{}", http.StatusNotFound)
		},
		// B's integration name under A's tenant is nothing either.
		"POST /hooks/t/{tenant}/{integration}": func(t *testing.T) string {
			return w.raw("", "POST", "/hooks/t/"+a.id+"/"+b.integration, "{}", http.StatusNotFound)
		},
		"GET /healthz":             func(t *testing.T) string { w.raw("", "GET", "/healthz", "", http.StatusOK); return "" },
		"GET /readyz":              func(t *testing.T) string { w.raw("", "GET", "/readyz", "", http.StatusOK); return "" },
		"GET /metrics":             func(t *testing.T) string { w.raw("", "GET", "/metrics", "", http.StatusOK); return "" },
		"GET /api/v1/openapi.json": func(t *testing.T) string { w.raw("", "GET", "/api/v1/openapi.json", "", http.StatusOK); return "" },
		"POST /api/v1/tenants": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/tenants", `{"id":"sneaky"}`, http.StatusNotFound)
		},
		"GET /api/v1/tenants":      get("/api/v1/tenants", http.StatusNotFound),
		"GET /api/v1/tenants/{id}": get("/api/v1/tenants/"+b.id, http.StatusNotFound),
		"DELETE /api/v1/tenants/{id}": func(t *testing.T) string {
			return w.raw(a.admin, "DELETE", "/api/v1/tenants/"+b.id+"?force=1", "", http.StatusNotFound)
		},
		"POST /api/v1/tenants/{id}/tokens": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/tenants/"+b.id+"/tokens", `{"name":"mine"}`, http.StatusNotFound)
		},
		"GET /api/v1/tenants/{id}/tokens": get("/api/v1/tenants/"+b.id+"/tokens", http.StatusNotFound),
		"DELETE /api/v1/tenants/{id}/tokens/{name}": func(t *testing.T) string {
			return w.raw(a.admin, "DELETE", "/api/v1/tenants/"+b.id+"/tokens/admin", "", http.StatusNotFound)
		},
		"POST /api/v1/tokens": func(t *testing.T) string {
			return w.raw(a.admin, "POST", "/api/v1/tokens", `{"name":"alpha-ci"}`, http.StatusCreated)
		},
		"GET /api/v1/tokens": func(t *testing.T) string {
			body := get("/api/v1/tokens", http.StatusOK)(t)
			if strings.Contains(body, "beta-ci") {
				t.Errorf("A's tokens list B's: %s", body)
			}
			return body
		},
		"DELETE /api/v1/tokens/{name}": func(t *testing.T) string {
			body := w.raw(a.admin, "DELETE", "/api/v1/tokens/beta-ci", "", http.StatusNotFound)
			w.raw(w.betaCI, "GET", "/api/v1/tokens", "", http.StatusOK) // B's token still works
			return body
		},
	}
}

// operatorChecks: the operator manages tenants and reads no tenant's
// objects; a tenant's token cannot reach tenant routes (the probes).
func (w *tenantWorld) operatorChecks(a *tenantSide) {
	var list struct{ Tenants []struct{ ID string } }
	w.call(w.operator, "GET", "/api/v1/tenants", nil, &list, http.StatusOK)
	var ids []string
	for _, t := range list.Tenants {
		ids = append(ids, t.ID)
	}
	if !slices.Equal(ids, []string{store.DefaultTenant, "tenant-a", "tenant-b"}) {
		w.t.Errorf("tenants = %v", ids)
	}
	w.raw(w.operator, "GET", "/api/v1/alerts", "", http.StatusForbidden)
	w.raw(w.operator, "GET", "/api/v1/integrations/"+a.integration, "", http.StatusForbidden)
	w.raw(a.sourceToken, "GET", "/api/v1/tenants", "", http.StatusNotFound)
	w.raw("not-a-token", "GET", "/api/v1/tenants", "", http.StatusUnauthorized)
	w.raw(w.operator, "POST", "/api/v1/tenants", `{"id":"Bad Id"}`, http.StatusBadRequest)
	w.raw(w.operator, "POST", "/api/v1/tenants", `{"id":"tenant-a"}`, http.StatusConflict)
}

// revokedChecks: a revoked token is refused at the next request.
func (w *tenantWorld) revokedChecks(b *tenantSide) {
	var tok struct{ Token string }
	w.call(w.operator, "POST", "/api/v1/tenants/"+b.id+"/tokens", map[string]string{"name": "short-lived"}, &tok, http.StatusCreated)
	w.raw(tok.Token, "GET", "/api/v1/alerts", "", http.StatusOK)
	w.raw(b.admin, "DELETE", "/api/v1/tokens/short-lived", "", http.StatusNoContent)
	w.raw(tok.Token, "GET", "/api/v1/alerts", "", http.StatusUnauthorized)
	w.raw(b.admin, "DELETE", "/api/v1/tokens/short-lived", "", http.StatusNotFound) // already revoked
	var toks struct {
		Tokens []struct {
			Name      string
			RevokedAt *time.Time `json:"revoked_at"`
		}
	}
	w.call(b.admin, "GET", "/api/v1/tokens", nil, &toks, http.StatusOK)
	revoked := false
	for _, t := range toks.Tokens {
		revoked = revoked || (t.Name == "short-lived" && t.RevokedAt != nil)
	}
	if !revoked {
		w.t.Errorf("the token list does not show the revocation: %+v", toks.Tokens)
	}
	// The operator revokes a tenant's token the same way.
	w.call(w.operator, "POST", "/api/v1/tenants/"+b.id+"/tokens", map[string]string{"name": "by-operator"}, &tok, http.StatusCreated)
	w.raw(w.operator, "DELETE", "/api/v1/tenants/"+b.id+"/tokens/by-operator", "", http.StatusNoContent)
	w.raw(tok.Token, "GET", "/api/v1/alerts", "", http.StatusUnauthorized)
}

// deleteChecks: a tenant with data is refused without force and deleted
// whole with it; the default tenant is never deleted.
func (w *tenantWorld) deleteChecks() {
	var created struct {
		AdminToken struct{ Token string } `json:"admin_token"`
	}
	w.call(w.operator, "POST", "/api/v1/tenants", map[string]string{"id": "tenant-c", "name": "Gamma"}, &created, http.StatusCreated)
	c := created.AdminToken.Token
	w.raw(c, "POST", "/api/v1/sources", `{"id":"gamma-src"}`, http.StatusCreated)
	w.raw(w.operator, "DELETE", "/api/v1/tenants/tenant-c", "", http.StatusConflict)
	w.raw(c, "GET", "/api/v1/sources", "", http.StatusOK) // refused: nothing was deleted
	w.raw(w.operator, "DELETE", "/api/v1/tenants/tenant-c?force=1", "", http.StatusNoContent)
	w.raw(c, "GET", "/api/v1/sources", "", http.StatusUnauthorized)
	w.raw(w.operator, "GET", "/api/v1/tenants/tenant-c", "", http.StatusNotFound)
	srcs, err := w.app.Store.Sources(context.Background(), "tenant-c")
	if err != nil || len(srcs) != 0 {
		w.t.Errorf("tenant-c's sources after the delete: %v %v", srcs, err)
	}
	w.raw(w.operator, "DELETE", "/api/v1/tenants/"+store.DefaultTenant, "", http.StatusConflict)
	w.raw(w.operator, "DELETE", "/api/v1/tenants/nope", "", http.StatusNotFound)
}

func startTenantWorld(t *testing.T, databaseURL string) *tenantWorld {
	t.Helper()
	operator := "tbo_" + rand.Text()
	cfg := config.Config{
		DataDir: t.TempDir(), DatabaseURL: databaseURL, MaxBodyBytes: 1 << 20,
		AdminToken: secret.New("tba_" + rand.Text()), OperatorToken: secret.New(operator),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.New(ctx, cfg, app.Options{
		Logger: slog.New(slog.DiscardHandler), Rescan: 100 * time.Millisecond, RetryBase: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = a.Serve(serveCtx, ln) }()
	t.Cleanup(func() { stop(); <-done; _ = a.Close() })
	return &tenantWorld{t: t, base: "http://" + ln.Addr().String(), operator: operator, app: a}
}

// tenant creates a tenant through the operator, with its own simulator,
// integration and source, and sends it one alert.
func (w *tenantWorld) tenant(id, word string) *tenantSide {
	w.t.Helper()
	var created struct {
		AdminToken struct{ Token string } `json:"admin_token"`
	}
	w.call(w.operator, "POST", "/api/v1/tenants", map[string]string{"id": id, "name": word}, &created, http.StatusCreated)
	s := &tenantSide{id: id, admin: created.AdminToken.Token, integration: word + "-psa", source: word + "-src", title: word + "-only-title"}

	d, err := drivers.All().Find("autotask")
	if err != nil {
		w.t.Fatal(err)
	}
	s.sim = d.Simulate(driver.SimOptions{})
	srv := &http.Server{Handler: s.sim, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		w.t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	w.t.Cleanup(func() { _ = srv.Close(); s.sim.Close() })
	s.simURL = "http://" + ln.Addr().String()

	settings, creds := w.settingsJSON(s, s.integration)
	w.call(s.admin, "PUT", "/api/v1/integrations/"+s.integration, map[string]any{"settings": settings, "credentials": creds}, nil, http.StatusCreated)
	var src struct{ Token string }
	w.call(s.admin, "POST", "/api/v1/sources", map[string]string{"id": s.source}, &src, http.StatusCreated)
	s.sourceToken = src.Token

	var accepted struct{ Accepted []struct{ Seq int64 } }
	body := `{"id":"shared-1","organization":{"id":"org-42","name":"Acme Corp"},"type":"Malware","severity":"high","title":"` +
		s.title + `","occurred_at":"` + time.Now().Add(-time.Minute).UTC().Format(time.RFC3339) + `"}`
	if err := json.Unmarshal([]byte(w.raw(s.sourceToken, "POST", "/api/v1/alerts", body, http.StatusAccepted)), &accepted); err != nil || len(accepted.Accepted) != 1 {
		w.t.Fatalf("ingest for %s: %+v %v", id, accepted, err)
	}
	s.seq = accepted.Accepted[0].Seq
	if id == "tenant-b" {
		w.raw(s.sourceToken, "PUT", "/api/v1/organizations/org-42/billable-users", `{"count":7}`, http.StatusOK)
		var tok struct{ Token string }
		w.call(s.admin, "POST", "/api/v1/tokens", map[string]string{"name": "beta-ci"}, &tok, http.StatusCreated)
		w.betaCI = tok.Token
	}
	return s
}

// settingsJSON is the simulator's demo settings as the API takes them,
// named name, secrets as credentials.
func (w *tenantWorld) settingsJSON(s *tenantSide, name string) (map[string]any, map[string]string) {
	w.t.Helper()
	yaml, env := s.sim.Settings(driver.DemoSettings, driver.SettingsParams{Name: name, Base: s.simURL})
	docs, err := integration.Decode(strings.NewReader(yaml))
	if err != nil {
		w.t.Fatal(err)
	}
	set := docs[0]
	set.Name = name
	creds := map[string]string{}
	for key, ref := range set.Connection.SecretRefs() {
		if ref.Env != "" {
			creds[key] = env[ref.Env]
			*ref = integration.SecretRef{}
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(mustJSON(w.t, set)), &m); err != nil {
		w.t.Fatal(err)
	}
	return m, creds
}

// waitDelivered waits until the tenant's alert is a ticket in its own
// simulator, and records the delivery.
func (w *tenantWorld) waitDelivered(s *tenantSide) {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var list struct {
			Deliveries []struct {
				ID    int64
				State string
			}
		}
		w.call(s.admin, "GET", "/api/v1/deliveries", nil, &list, http.StatusOK)
		if len(list.Deliveries) == 1 && list.Deliveries[0].State == "done" && len(s.sim.State().Tickets) == 1 {
			s.delivery = list.Deliveries[0].ID
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("%s: no ticket in its simulator: deliveries %+v, tickets %d", s.id, list.Deliveries, len(s.sim.State().Tickets))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// raw sends body with token (none when "") and checks the status; it
// returns the answer's body.
func (w *tenantWorld) raw(token, method, path, body string, want int) string {
	w.t.Helper()
	status, _, answer := w.send(token, method, path, body)
	if status != want {
		w.t.Errorf("%s %s: %d, want %d: %s", method, path, status, want, answer)
	}
	return answer
}

// call is raw with a JSON body and answer.
func (w *tenantWorld) call(token, method, path string, in, out any, want int) {
	w.t.Helper()
	body := ""
	if in != nil {
		body = mustJSON(w.t, in)
	}
	got := w.raw(token, method, path, body, want)
	if out != nil {
		if err := json.Unmarshal([]byte(got), out); err != nil {
			w.t.Fatalf("%s %s: decode %q: %v", method, path, got, err)
		}
	}
}

// openAPIOperations lists "METHOD /path" for every operation of the
// served document.
func openAPIOperations(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch":
				ops = append(ops, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(ops)
	if len(ops) < 30 {
		t.Fatalf("the document lists %d operations; is it the whole API?", len(ops))
	}
	return ops
}

func wantEmptyList(t *testing.T, body, key string) {
	t.Helper()
	var m map[string][]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil || len(m[key]) != 0 {
		t.Errorf("want an empty %s list: %s", key, body)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// pgSchema returns base with search_path set to a fresh schema, dropped
// when the test ends; the store creates it on open.
func pgSchema(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TICKETBRIDGE_TEST_DATABASE_URL: %v", err)
	}
	name := "tb_tenants_" + strings.ToLower(rand.Text()[:10])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}
