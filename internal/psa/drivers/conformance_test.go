package drivers_test

import (
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers"
	"github.com/ticketbridge/ticketbridge/internal/psa/drivers/driverstest"
	"github.com/ticketbridge/ticketbridge/internal/psa/psatest"
)

// TestConformance runs the connector conformance suite on every driver in
// the list, each against its own simulator.
func TestConformance(t *testing.T) {
	t.Parallel()
	conform(t, drivers.All())
}

// TestNewDriverIsConformanceTested: a driver the suite has never seen, the
// default one cloned under a name nothing knows, passes through the same
// code, so a PSA added to the list needs no test code of its own.
func TestNewDriverIsConformanceTested(t *testing.T) {
	t.Parallel()
	conform(t, []driver.Driver{driverstest.Clone(drivers.Default(), "newpsa")})
}

// conform runs the suite on each driver, with the fixture the driver
// alone gives.
func conform(t *testing.T, all []driver.Driver) {
	for _, d := range all {
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			psatest.Run(t, func(t *testing.T) psatest.Fixture { return driverstest.Fixture(t, d) })
		})
	}
}
