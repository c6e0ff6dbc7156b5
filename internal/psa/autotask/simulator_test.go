package autotask

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

func TestCallKind(t *testing.T) {
	t.Parallel()
	tests := []struct{ method, path, want string }{
		{"POST", "/atservicesrest/V1.0/Tickets", "ticket.create"},
		{"PATCH", "/atservicesrest/V1.0/Tickets", "ticket.update"},
		{"GET", "/atservicesrest/V1.0/Tickets/12", "ticket.get"},
		{"POST", "/atservicesrest/V1.0/Tickets/query", "ticket.query"},
		{"GET", "/atservicesrest/V1.0/Tickets/query/next", "ticket.query"},
		{"POST", "/atservicesrest/V1.0/Tickets/12/Notes", "note.create"},
		{"GET", "/atservicesrest/V1.0/Tickets/12/Notes", "note.list"},
		{"POST", "/atservicesrest/V1.0/Contacts/query", "contact.query"},
		{"GET", "/atservicesrest/V1.0/Companies/entityInformation/fields", "company.fields"},
		{"GET", "/atservicesrest/versionInformation", "other"},
	}
	for _, tt := range tests {
		if got := callKind(tt.method, tt.path); got != tt.want {
			t.Errorf("callKind(%s %s) = %s, want %s", tt.method, tt.path, got, tt.want)
		}
	}
}

// TestFaultEligibleSparesDiscovery: fault injection spares zone and
// version discovery, which a connector calls once and Autotask serves
// from elsewhere, and nothing else.
func TestFaultEligibleSparesDiscovery(t *testing.T) {
	t.Parallel()
	sim := Driver.Simulate(driver.SimOptions{})
	defer sim.Close()
	for path, want := range map[string]bool{
		"/atservicesrest/V1.0/zoneInformation?user=x": false,
		"/ATServicesRest/versionInformation/":         false,
		"/atservicesrest/V1.0/Tickets/query":          true,
	} {
		if got := sim.FaultEligible(httptest.NewRequest(http.MethodGet, path, nil)); got != want {
			t.Errorf("FaultEligible(%s) = %v, want %v", path, got, want)
		}
	}
}
