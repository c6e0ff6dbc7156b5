package integration

import (
	"fmt"
	"slices"
	"strings"
)

// SeenTypesWindow is how many of the tenant's latest alerts apply reads
// the types of to check sync.exclude_types: recent enough to show what
// the sources send now, and a bounded read however many alerts are kept.
const SeenTypesWindow = 10000

// ExclusionWarnings names each sync.exclude_types entry that matches no
// alert type the sources have sent (seen, from the latest
// SeenTypesWindow alerts), with the nearest seen types: a typo would
// otherwise exclude nothing, silently. Before any alert is seen there is
// nothing to compare with, and nothing is said.
func ExclusionWarnings(excludes, seen []string) []string {
	if len(seen) == 0 {
		return nil
	}
	known := make(map[string]bool, len(seen))
	for _, t := range seen {
		known[strings.ToLower(strings.TrimSpace(t))] = true
	}
	var out []string
	for _, x := range excludes {
		if known[strings.ToLower(strings.TrimSpace(x))] {
			continue
		}
		tail := ""
		if near := nearest(x, seen, 3); len(near) > 0 {
			tail = ": did you mean " + quoteList(near) + "?"
		}
		out = append(out, fmt.Sprintf("sync.exclude_types: no source has sent an alert of type %q (of the latest %d alerts)%s", x, SeenTypesWindow, tail))
	}
	return out
}

// ContactWarnings names, when companies.attach_contacts is on, each
// mapped company that has no active contact in the PSA (c.Contacts, read
// per company the settings name) and whose mapping names none: its
// tickets would go out without a contact. A mapping with a contact, a
// disabled one, and a company resolution already refused are left out.
func ContactWarnings(s Settings, c Catalog) []string {
	if !s.Companies.AttachContacts {
		return nil
	}
	var out []string
	for i, m := range s.Companies.Map {
		if !m.IsEnabled() || !m.Contact.IsZero() || m.Company.ID == "" {
			continue
		}
		if len(c.Contacts[m.Company.ID]) > 0 {
			continue
		}
		out = append(out, fmt.Sprintf("%s.company: %q has no active contact in the PSA, and companies.attach_contacts is on: its tickets go out without a contact; add one in the PSA or set contact on this mapping", MappingPath(i, m), m.Company.Name))
	}
	return slices.Clip(out)
}
