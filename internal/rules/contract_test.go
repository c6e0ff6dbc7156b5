package rules

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// resolvedContracts maps the simulator's seeded contracts.
func resolvedContracts() integration.Contracts {
	return integration.Contracts{
		AttachToTickets: true,
		Map: []integration.ContractMap{
			{Organization: "org-42", Contract: pk("Acme Managed Services", "501"), AddService: true},
			{Organization: "Initech", Contract: pk("Initech Basic", "503")},
		},
	}
}

func TestContractFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*integration.Contracts)
		org    string
		want   string
		wantOK bool
	}{
		{"mapped by id", nil, "org-42", "501", true},
		{"mapped by name, any case", nil, " INITECH ", "503", true},
		{"not mapped", nil, "org-7", "", false},
		{"empty key", nil, "", "", false},
		{"attach off", func(c *integration.Contracts) { c.AttachToTickets = false }, "org-42", "", false},
		{"unresolved contract", func(c *integration.Contracts) { c.Map[0].Contract.ID = "" }, "org-42", "", false},
		{"first entry wins", func(c *integration.Contracts) {
			c.Map = append(c.Map, integration.ContractMap{Organization: "org-42", Contract: pk("Other", "999")})
		}, "org-42", "501", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := resolvedContracts()
			if tt.mutate != nil {
				tt.mutate(&c)
			}
			got, ok := ContractFor(c, tt.org)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ContractFor(%q) = %q, %v; want %q, %v", tt.org, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestDecideContract(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		contracts  func(*integration.Contracts)
		org        alert.Organization
		want       string
		wantReason string
	}{
		{"mapped organization gets its contract", nil, alert.Organization{ID: "org-42", Name: "Acme Corp"}, "501", "contract Acme Managed Services attached"},
		{"organization mapped by name", nil, alert.Organization{Name: "Initech"}, "503", "contract Initech Basic attached"},
		{"mapped company without a contract", nil, alert.Organization{ID: "org-7", Name: "Globex Corporation"}, "",
			"no contract: the organization has none in contracts.map"},
		{"auto-matched company gets none", nil, alert.Organization{ID: "org-5", Name: "Acme Corp"}, "",
			"no contract: the organization has none in contracts.map"},
		{"catch-all gets none", nil, alert.Organization{ID: "org-77", Name: "Foo"}, "",
			"no contract: the organization has none in contracts.map"},
		{"attach off", func(c *integration.Contracts) { c.AttachToTickets = false }, alert.Organization{ID: "org-42"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := resolvedSettings()
			s.Contracts = resolvedContracts()
			if tt.contracts != nil {
				tt.contracts(&s.Contracts)
			}
			a := sampleAlert()
			a.Organization = tt.org
			d := mustCompile(t, s).Decide(a, testInput, "src/1")
			if d.Skip != nil {
				t.Fatalf("skipped: %v", d.Skip)
			}
			if d.Ticket.ContractID != tt.want {
				t.Errorf("ContractID = %q, want %q", d.Ticket.ContractID, tt.want)
			}
			var got []string
			for _, r := range d.Reasons {
				if strings.HasPrefix(r, "contract ") || strings.HasPrefix(r, "no contract") {
					got = append(got, r)
				}
			}
			var want []string
			if tt.wantReason != "" {
				want = []string{tt.wantReason}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("contract reasons (-want +got):\n%s\nall reasons: %q", diff, d.Reasons)
			}
		})
	}
}

func TestDecideContractReasonOrder(t *testing.T) {
	t.Parallel()
	s := resolvedSettings()
	s.Contracts = resolvedContracts()
	d := mustCompile(t, s).Decide(sampleAlert(), testInput, "src/1")
	want := []string{
		"company Acme Corp: mapped organization org-42",
		"contact: by email jane@acme.example, else contact helpdesk@acme.example",
		"priority High: severity high",
		"override by alert type Too Many Downloads: issue type Data Loss, sub-issue type Excessive Download",
		"contract Acme Managed Services attached",
		"group by user_alert: key user:jane@acme.example|type:too many downloads",
	}
	if diff := cmp.Diff(want, d.Reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
}
