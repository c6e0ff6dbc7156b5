// Package drivers is the one list of PSA drivers. Adding a PSA is its
// folder plus one line here; serve, sim, demo, bench, apply's validation,
// the end-to-end tables, the crash and fault tests and the conformance
// suite all range over this list.
package drivers

import (
	"fmt"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise"
	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// All returns every driver, the default first.
func All() []driver.Driver {
	return []driver.Driver{
		autotask.Driver,
		connectwise.Driver,
	}
}

// Lookup finds the driver of the PSA called name.
func Lookup(name string) (driver.Driver, error) {
	return find(All(), name)
}

func find(all []driver.Driver, name string) (driver.Driver, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, d := range all {
		if d.Name() == name {
			return d, nil
		}
	}
	return driver.Driver{}, fmt.Errorf("psa %q is not supported: choose one of %s", name, strings.Join(Names(), ", "))
}

// Names lists the drivers' names, the default first.
func Names() []string {
	var out []string
	for _, d := range All() {
		out = append(out, d.Name())
	}
	return out
}

// Profiles returns every driver's settings profile.
func Profiles() integration.Profiles {
	var out integration.Profiles
	for _, d := range All() {
		out = append(out, d.Profile)
	}
	return out
}

// Default is the driver used when none is named.
func Default() driver.Driver { return All()[0] }
