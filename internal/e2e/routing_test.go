package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// acmeMapping is org-42's mapping in every PSA's demo settings.
const acmeMapping = "    - organization: org-42\n      company: Acme Corp\n      contact: helpdesk@acme.example\n"

// Two integrations of one tenant with disjoint organizations, on every
// PSA: each gets only its own alerts, the one that takes unmapped
// organizations gets those, and every skip says which integration took
// the alert instead.
func TestRoutingAcrossIntegrations(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			routingAcrossIntegrations(t, p)
		})
	}
}

func routingAcrossIntegrations(t *testing.T, p string) {
	ctx := context.Background()
	e := start(t, "", func(o *demo.Options) { o.PSA, o.SkipApply = p, true })
	named := func(name, routing string) string {
		s := psaSettings(e.DefaultSettings(), "none")
		return strings.Replace(s, "name: "+e.IntegrationName()+"\n", "name: "+name+"\n", 1) + "routing:\n  organizations: " + routing + "\n"
	}
	// psa-a: Acme only (mapped only; auto-match would find Globex by name,
	// but psa-b maps it). psa-b: Globex, and the catch-all.
	a := named("psa-a", "mapped")
	b := strings.Replace(named("psa-b", "all"), acmeMapping, "    - organization: org-55\n      company: Globex Corporation\n", 1)
	if !strings.Contains(a, acmeMapping) || strings.Contains(b, acmeMapping) {
		t.Fatalf("the demo settings of %s do not map org-42 as the test expects:\n%s", p, a)
	}
	for _, s := range []string{a, b} {
		if _, err := e.Apply(ctx, s); err != nil {
			t.Fatalf("apply: %v", err)
		}
	}
	e.send(
		testAlert{ID: "r1", Type: "X", Email: "jane@acme.example"},
		testAlert{ID: "r2", Org: "org-55", OrgName: "Globex Corporation", Type: "X", Email: "hank@globex.example"},
		testAlert{ID: "r3", Org: "org-77", OrgName: "Contoso", Type: "X", Email: "a@b.c"},
	)
	its, err := e.App.Store.Integrations(ctx, store.DefaultTenant)
	if err != nil || len(its) != 2 {
		t.Fatalf("integrations: %v %v", its, err)
	}
	names := map[int64]string{}
	for _, it := range its {
		names[it.ID] = it.Name
	}
	want := map[string]string{"r1": "psa-a", "r2": "psa-b", "r3": "psa-b"}
	for id, taker := range want {
		routes, err := e.App.Store.Routes(ctx, e.storedAlert(id).Seq)
		if err != nil || len(routes) != 2 {
			t.Fatalf("routes of %s: %v %v", id, routes, err)
		}
		for _, r := range routes {
			queued := r.Outcome == store.RouteQueued
			if queued != (names[r.IntegrationID] == taker) {
				t.Errorf("%s on %s: %s (%s), want only %s to queue it", id, names[r.IntegrationID], r.Outcome, r.Reason, taker)
			}
		}
	}
	if tl := e.timelineText("r1"); !strings.Contains(tl, "not routed here: integration psa-a maps it") {
		t.Errorf("r1's timeline does not say psa-a took it:\n%s", tl)
	}
	if tl := e.timelineText("r3"); !strings.Contains(tl, "not routed here: neither mapped nor auto-matched, and routing.organizations is mapped") {
		t.Errorf("r3's timeline does not say why psa-a left it:\n%s", tl)
	}
	ts := e.psaTickets()
	if len(ts) != 3 {
		t.Fatalf("the PSA holds %d tickets, want 3: one per alert, none twice", len(ts))
	}
	companies := map[string]int{}
	for _, v := range ts {
		companies[v.Company]++
	}
	if companies["Acme Corp"] != 1 || companies["Globex Corporation"] != 1 {
		t.Errorf("tickets by company = %v, want one for Acme Corp (psa-a) and one for Globex Corporation (psa-b)", companies)
	}

	// A third integration with a routing section that also catches
	// unmapped organizations, and maps psa-a's organization, would give
	// them two tickets: apply refuses it, saying what to set.
	_, err = e.Apply(ctx, named("psa-c", "all"))
	for _, want := range []string{`integration "psa-b" also takes organizations it has not mapped`, `organization org-42 is also mapped in integration "psa-a"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("apply of a third integration: err = %v, want it to say %q", err, want)
		}
	}
	// Without a routing section an integration takes every alert, as
	// before routing existed: apply lets it be.
	d := strings.Replace(psaSettings(e.DefaultSettings(), "none"), "name: "+e.IntegrationName()+"\n", "name: psa-d\n", 1)
	if _, err := e.Apply(ctx, d); err != nil {
		t.Errorf("apply of an integration without a routing section: %v", err)
	}
}
