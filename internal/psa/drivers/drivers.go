// Package drivers is the one list of PSA drivers. Adding a PSA is its
// folder plus one line here; serve, sim, demo, bench, apply's validation,
// the end-to-end tables, the crash and fault tests and the conformance
// suite all range over this list.
package drivers

import (
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
	"github.com/ticketbridge/ticketbridge/internal/psa/halopsa"
	"github.com/ticketbridge/ticketbridge/internal/psa/servicenow"
	"github.com/ticketbridge/ticketbridge/internal/psa/superops"
	"github.com/ticketbridge/ticketbridge/internal/psa/syncro"
)

// All returns every driver, the default first.
func All() driver.List {
	return driver.List{
		autotask.Driver,
		connectwise.Driver,
		halopsa.Driver,
		servicenow.Driver,
		superops.Driver,
		syncro.Driver,
	}
}

// Lookup finds the driver of the PSA called name.
func Lookup(name string) (driver.Driver, error) { return All().Find(name) }

// Names lists the drivers' names, the default first.
func Names() []string { return All().Names() }

// Profiles returns every driver's settings profile.
func Profiles() integration.Profiles { return All().Profiles() }

// Default is the driver used when none is named.
func Default() driver.Driver { return All()[0] }
