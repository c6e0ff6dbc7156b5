package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Two integrations of one tenant with disjoint organizations: each gets
// only its own alerts, the one that takes unmapped organizations gets
// those, and every skip says which integration took the alert instead.
func TestRoutingAcrossIntegrations(t *testing.T) {
	t.Parallel()
	// psa-a: Acme only (mapped only; auto-match would find Globex by name,
	// but psa-b maps it). psa-b: Globex, and the catch-all.
	a := strings.Replace(settings("none"), "name: e2e", "name: psa-a", 1) + "routing:\n  organizations: mapped\n"
	b := strings.Replace(settings("none"), "name: e2e", "name: psa-b", 1) + "routing:\n  organizations: all\n"
	b = strings.Replace(b, "    - {organization: org-42, company: Acme Corp, contact: helpdesk@acme.example}\n",
		"    - {organization: org-55, company: Globex Corporation}\n", 1)
	e := start(t, a)
	if _, err := e.Apply(context.Background(), b); err != nil {
		t.Fatalf("apply psa-b: %v", err)
	}
	e.send(
		testAlert{ID: "r1", Type: "X", Email: "jane@acme.example"},
		testAlert{ID: "r2", Org: "org-55", OrgName: "Globex Corporation", Type: "X", Email: "hank@globex.example"},
		testAlert{ID: "r3", Org: "org-77", OrgName: "Contoso", Type: "X", Email: "a@b.c"},
	)
	its, err := e.App.Store.Integrations(context.Background(), store.DefaultTenant)
	if err != nil || len(its) != 2 {
		t.Fatalf("integrations: %v %v", its, err)
	}
	names := map[int64]string{}
	for _, it := range its {
		names[it.ID] = it.Name
	}
	want := map[string]string{"r1": "psa-a", "r2": "psa-b", "r3": "psa-b"}
	for id, taker := range want {
		routes, err := e.App.Store.Routes(context.Background(), e.storedAlert(id).Seq)
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
	ts := e.tickets()
	if len(ts) != 3 {
		t.Errorf("the PSA holds %d tickets, want 3: one per alert, none twice", len(ts))
	}

	// A third integration with a routing section that also catches
	// unmapped organizations, and maps psa-a's organization, would give
	// them two tickets: apply refuses it, saying what to set.
	c := strings.Replace(settings("none"), "name: e2e", "name: psa-c", 1) + "routing:\n  organizations: all\n"
	_, err = e.Apply(context.Background(), c)
	for _, want := range []string{`integration "psa-b" also takes organizations it has not mapped`, `organization org-42 is also mapped in integration "psa-a"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("apply of a third integration: err = %v, want it to say %q", err, want)
		}
	}
	// Without a routing section an integration takes every alert, as
	// before routing existed: apply lets it be.
	d := strings.Replace(settings("none"), "name: e2e", "name: psa-d", 1)
	if _, err := e.Apply(context.Background(), d); err != nil {
		t.Errorf("apply of an integration without a routing section: %v", err)
	}
}
