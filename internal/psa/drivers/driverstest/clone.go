// Package driverstest is test support built on drivers alone: the
// conformance suite's fixture any driver gives (Fixture), and drivers for
// tests that must show a new PSA is picked up by everything that ranges
// over drivers, without a new PSA (Clone).
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
		return rename(d.Simulate(o), name)
	}
	return c
}

// rename wraps sim so its settings name another PSA, keeping the optional
// interfaces sim implements: a wrapper that hid them would be a PSA
// without webhooks.
func rename(sim driver.Simulator, name string) driver.Simulator {
	r := renamed{Simulator: sim, name: name}
	signer, signs := sim.(driver.CalloutSimulator)
	waiter, waits := sim.(driver.CalloutWaiter)
	switch {
	case signs && waits:
		return struct {
			renamed
			driver.CalloutSimulator
			driver.CalloutWaiter
		}{r, signer, waiter}
	case signs:
		return struct {
			renamed
			driver.CalloutSimulator
		}{r, signer}
	}
	return r
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

// DeleteTicket deletes through the wrapped simulator when it can.
func (r renamed) DeleteTicket(id string) bool {
	d, ok := r.Simulator.(driver.TicketDeleter)
	return ok && d.DeleteTicket(id)
}

// RenameQueue renames through the wrapped simulator when it can.
func (r renamed) RenameQueue(from, to string) bool {
	q, ok := r.Simulator.(driver.QueueRenamer)
	return ok && q.RenameQueue(from, to)
}
