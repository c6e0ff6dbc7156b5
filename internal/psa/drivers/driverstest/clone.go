// Package driverstest builds drivers for tests that must show a new PSA is
// picked up by everything that ranges over drivers, without a new PSA.
package driverstest

import (
	"regexp"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// Clone returns d under another name: the same connector and simulator,
// whose settings name the clone's PSA. To the rest of ticketbridge it is a
// PSA it has never seen.
func Clone(d driver.Driver, name string) driver.Driver {
	c := d
	c.Profile.Name = name
	c.Profile.Title = name
	c.Simulate = func(o driver.SimOptions) driver.Simulator {
		return renamed{Simulator: d.Simulate(o), name: name}
	}
	return c
}

// renamed is a simulator whose settings name another PSA.
type renamed struct {
	driver.Simulator
	name string
}

var psaLine = regexp.MustCompile(`(?m)^psa: .*$`)

func (r renamed) Settings(kind driver.SettingsKind, p driver.SettingsParams) (string, map[string]string) {
	yaml, env := r.Simulator.Settings(kind, p)
	return psaLine.ReplaceAllLiteralString(yaml, "psa: "+r.name), env
}
