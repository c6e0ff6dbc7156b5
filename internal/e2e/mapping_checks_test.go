package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// Apply's mapping checks on every PSA: a mapped company with no contact
// while attach_contacts is on, and an excluded type no source has sent
// (a typo, with the nearest type seen), are warnings in the plan; the
// settings are still taken.
func TestApplyMappingWarningsOnEveryPSA(t *testing.T) {
	t.Parallel()
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			e := startPSA(t, p, "user")
			e.send(testAlert{ID: "m1", Type: "Too Many Downloads", Email: "jane@acme.example"})
			s := psaSettings(e.DefaultSettings(), "user")
			s = strings.Replace(s, "exclude_types: [Test Alert]", "exclude_types: [Too Many Downlods]", 1)
			s = strings.Replace(s, acmeMapping, acmeMapping+"    - organization: org-77\n      company: Umbrella Prospect\n", 1)
			if !strings.Contains(s, "Too Many Downlods") || !strings.Contains(s, "org-77") {
				t.Fatalf("the demo settings of %s do not hold the lines the test edits:\n%s", p, s)
			}
			warnings := e.planWarnings(s)
			want := []string{
				`sync.exclude_types: no source has sent an alert of type "Too Many Downlods"`,
				`did you mean "Too Many Downloads"?`,
				`companies.map[org-77].company: "Umbrella Prospect" has no active contact in the PSA, and companies.attach_contacts is on`,
			}
			all := strings.Join(warnings, "\n")
			for _, w := range want {
				if !strings.Contains(all, w) {
					t.Errorf("apply's warnings do not say %q:\n%s", w, all)
				}
			}
			if strings.Contains(all, "org-42") {
				t.Errorf("a mapping with a contact is warned about:\n%s", all)
			}
		})
	}
}

// planWarnings plans applying the YAML against the simulator and returns
// the plan's warnings; nothing is written.
func (e *env) planWarnings(yaml string) []string {
	e.t.Helper()
	docs, err := integration.Decode(strings.NewReader(yaml))
	if err != nil {
		e.t.Fatal(err)
	}
	for i := range docs {
		docs[i].Connection.URL = e.SimURL
	}
	plans, err := e.App.PlanApply(context.Background(), docs, e.Getenv)
	if err != nil {
		e.t.Fatalf("plan: %v", err)
	}
	var out []string
	for _, p := range plans {
		out = append(out, p.Warnings...)
	}
	return out
}
