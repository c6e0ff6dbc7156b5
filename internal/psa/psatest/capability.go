package psatest

import (
	"slices"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Capability names one optional interface of the port, beyond
// psa.Connector.
type Capability string

// The optional capabilities, named after their interfaces in package psa.
const (
	ChangeFeed     Capability = "ChangeFeed"
	ActivityReader Capability = "ActivityReader"
	TicketWebhooks Capability = "TicketWebhooks"
	TicketLister   Capability = "TicketLister"
	ContactBatcher Capability = "ContactBatcher"
	BareCreator    Capability = "BareCreator"
	Contracts      Capability = "Contracts"
	Budgeted       Capability = "Budgeted"
	BudgetState    Capability = "BudgetState"
	BudgetJournal  Capability = "BudgetJournal"
)

// capabilities says how each capability is detected.
var capabilities = map[Capability]func(psa.Connector) bool{
	ChangeFeed:     implements[psa.ChangeFeed],
	ActivityReader: implements[psa.ActivityReader],
	TicketWebhooks: implements[psa.TicketWebhooks],
	TicketLister:   implements[psa.TicketLister],
	ContactBatcher: implements[psa.ContactBatcher],
	BareCreator:    implements[psa.BareCreator],
	Contracts:      implements[psa.Contracts],
	Budgeted:       implements[psa.Budgeted],
	BudgetState:    implements[psa.BudgetState],
	BudgetJournal:  implements[psa.BudgetJournal],
}

func implements[T any](c psa.Connector) bool {
	_, ok := c.(T)
	return ok
}

// testCapabilities checks the fixture's Lacks against what the connector
// implements, both ways: an undeclared gap would make the engine silently
// fall back (no status sync, no billing), and a declared gap the connector
// has filled would leave its new code untested.
func (s *suite) testCapabilities(t *testing.T) {
	for name := range s.f.Lacks {
		if capabilities[name] == nil {
			t.Errorf("Lacks names %q, which is not a capability; use one of %v", name, capabilityNames())
		}
	}
	for _, name := range capabilityNames() {
		has := capabilities[name](s.f.Connector)
		why, lacks := s.f.Lacks[name]
		switch {
		case has && lacks:
			t.Errorf("connector implements psa.%s, but the fixture declares it lacks it (%q): drop it from Lacks", name, why)
		case !has && !lacks:
			t.Errorf("connector does not implement psa.%s: implement it, or declare Lacks[psatest.%s] with the reason", name, name)
		case lacks && why == "":
			t.Errorf("Lacks[psatest.%s] gives no reason; say why the PSA cannot do it", name)
		}
	}
}

func capabilityNames() []Capability {
	names := make([]Capability, 0, len(capabilities))
	for name := range capabilities {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// capable returns the connector as T, the interface of capability c. It
// skips the test when the fixture declares that the connector lacks c and
// it does, and fails it when the declaration and the connector disagree.
func capable[T any](t *testing.T, conn psa.Connector, f *Fixture, c Capability) T {
	t.Helper()
	impl, has := conn.(T)
	why, lacks := f.Lacks[c]
	switch {
	case has && !lacks:
		return impl
	case !has && lacks:
		t.Skipf("connector lacks psa.%s: %s", c, why)
	case has:
		t.Fatalf("connector implements psa.%s, but the fixture declares it lacks it (%q)", c, why)
	default:
		t.Fatalf("connector does not implement psa.%s and the fixture does not declare it in Lacks", c)
	}
	var zero T
	return zero
}
