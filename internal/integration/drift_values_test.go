package integration

import (
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func TestDriftValue(t *testing.T) {
	t.Parallel()
	s := minimal()
	s.Ticket.Queue = Pick{Name: "Security", ID: "29"}
	s.Ticket.Priority = map[string]Pick{"high": {Name: "High", ID: "1"}}
	s.Ticket.Overrides = []Override{{IOCRule: "ioc-5", Queue: Pick{Name: "Service Desk", ID: "31"}}}
	s.Companies.Map = []Mapping{{Organization: "org-42", Company: Pick{Name: "Acme Corp", ID: "175"}, Contact: Pick{Name: "Jane"}}}
	s.Ticket.ClosedStatuses = []Pick{{Name: "Done", ID: "9"}}
	cases := []struct {
		name, path, kind, id string
		ok                   bool
	}{
		{"default queue", "ticket.queue", psa.FieldQueue, "29", true},
		{"priority of a severity", "ticket.priority.high", psa.FieldPriority, "1", true},
		{"override's queue", "ticket.overrides[ioc_rule=ioc-5].queue", psa.FieldQueue, "31", true},
		{"mapped company", "companies.map[org-42].company", ValueCompany, "175", true},
		{"a pick never resolved", "companies.map[org-42].contact", "", "", false},
		{"a list no ticket field stands for", "ticket.closed_statuses[0]", "", "", false},
		{"an unknown path", "status_sync.issues.open", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kind, id, ok := DriftValue(s, c.path)
			if kind != c.kind || id != c.id || ok != c.ok {
				t.Errorf("DriftValue(%q) = %q, %q, %v; want %q, %q, %v", c.path, kind, id, ok, c.kind, c.id, c.ok)
			}
		})
	}
}
