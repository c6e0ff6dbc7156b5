package driver

import (
	"fmt"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// List is a set of drivers, the default first: the drivers' list, or one
// a test extends with a driver nothing else knows.
type List []Driver

// Find returns the driver of the PSA called name (case-insensitive).
func (l List) Find(name string) (Driver, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, d := range l {
		if d.Name() == name {
			return d, nil
		}
	}
	return Driver{}, fmt.Errorf("unknown psa %q: choose one of %s", name, strings.Join(l.Names(), ", "))
}

// Names lists the drivers' names in order.
func (l List) Names() []string {
	out := make([]string, len(l))
	for i, d := range l {
		out[i] = d.Name()
	}
	return out
}

// Profiles returns the drivers' settings profiles in order.
func (l List) Profiles() integration.Profiles {
	out := make(integration.Profiles, len(l))
	for i, d := range l {
		out[i] = d.Profile
	}
	return out
}

// With returns l with d in it, added last when l has no driver of its
// name; l itself is not changed.
func (l List) With(d Driver) List {
	if _, err := l.Find(d.Name()); err == nil {
		return l
	}
	return append(append(List(nil), l...), d)
}
