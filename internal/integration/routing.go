package integration

import (
	"fmt"
	"strings"
)

// Routing says which alerts an integration takes, so that a tenant with
// several PSAs sends each customer to one of them rather than every
// unmapped organization to every catch-all company.
type Routing struct {
	// Sources names the sources whose alerts the integration takes (as
	// the alerts' source is named, e.g. saas-alerts); empty takes every
	// source.
	Sources []string `yaml:"sources,omitempty" json:"sources,omitempty"`
	// Organizations is OrganizationsAll (the default: an organization
	// that is neither mapped nor auto-matched goes to the catch-all
	// company) or OrganizationsMapped (only organizations in
	// companies.map or auto-matched by name; the others are skipped).
	Organizations string `yaml:"organizations,omitempty" json:"organizations,omitempty"`
}

// routing.organizations values.
const (
	OrganizationsAll    = "all"
	OrganizationsMapped = "mapped"
)

// IsSet reports whether the settings have a routing section. Only
// integrations that have one take part in routing across integrations
// (claims and the apply checks); one without it takes every alert, as
// integrations did before routing existed.
func (r Routing) IsSet() bool {
	return len(r.Sources) > 0 || strings.TrimSpace(r.Organizations) != ""
}

// TakesSource reports whether the integration takes alerts of source.
func (r Routing) TakesSource(source string) bool {
	if len(r.Sources) == 0 {
		return true
	}
	for _, s := range r.Sources {
		if strings.EqualFold(strings.TrimSpace(s), source) {
			return true
		}
	}
	return false
}

// MappedOnly reports whether organizations that are not mapped are
// skipped rather than sent to the catch-all company.
func (r Routing) MappedOnly() bool {
	return strings.EqualFold(strings.TrimSpace(r.Organizations), OrganizationsMapped)
}

// SharesSources reports whether some source's alerts could reach both
// integrations.
func (r Routing) SharesSources(o Routing) bool {
	if len(r.Sources) == 0 || len(o.Sources) == 0 {
		return true
	}
	for _, s := range r.Sources {
		if o.TakesSource(strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

func validateRouting(ps *problems, r *Routing) {
	switch strings.ToLower(strings.TrimSpace(r.Organizations)) {
	case "", OrganizationsAll, OrganizationsMapped:
	default:
		ps.add("routing.organizations", "%q is not a choice: set %q (unmapped organizations go to the catch-all company) or %q (only mapped or auto-matched organizations)", r.Organizations, OrganizationsAll, OrganizationsMapped)
	}
	seen := map[string]bool{}
	for i, s := range r.Sources {
		k := strings.ToLower(strings.TrimSpace(s))
		switch {
		case k == "":
			ps.add(fmt.Sprintf("routing.sources[%d]", i), "empty: name a source, or remove the entry")
		case seen[k]:
			ps.add(fmt.Sprintf("routing.sources[%d]", i), "%q is listed twice: remove one", s)
		}
		seen[k] = true
	}
}

func flattenRouting(f *flattener, r *Routing) {
	f.list("routing.sources", r.Sources)
	f.str("routing.organizations", r.Organizations)
}

// CheckRouting returns a problem for every organization s would route
// that another enabled integration of the tenant takes too, for a source
// both take: one mapped (and enabled) in both, or, when both take
// unmapped organizations (routing.organizations all), every unmapped one.
// Each problem names the other integration and what to set, so that an
// organization reaches exactly one PSA. Only pairs of integrations that
// both have a routing section are checked (see Routing.IsSet).
func CheckRouting(s Settings, others []Settings) error {
	if !s.IsEnabled() || !s.Routing.IsSet() {
		return nil
	}
	var ps problems
	mine := enabledOrgs(s)
	for _, o := range others {
		if !o.IsEnabled() || !o.Routing.IsSet() || strings.EqualFold(o.Name, s.Name) || !s.Routing.SharesSources(o.Routing) {
			continue
		}
		theirs := enabledOrgs(o)
		for i, m := range s.Companies.Map {
			if mine[nameKey(m.Organization)] && theirs[nameKey(m.Organization)] {
				ps.add(MappingPath(i, m), "organization %s is also mapped in integration %q: map it in one of them, disable it in the other (enabled: false), or split the sources with routing.sources", m.Organization, o.Name)
			}
		}
		if !s.Routing.MappedOnly() && !o.Routing.MappedOnly() {
			ps.add("routing.organizations", "integration %q also takes organizations it has not mapped, so each unmapped organization would get a ticket in both: set routing.organizations: mapped here or there, or split the sources with routing.sources", o.Name)
		}
	}
	return ps.err()
}

func enabledOrgs(s Settings) map[string]bool {
	out := map[string]bool{}
	for _, m := range s.Companies.Map {
		if m.IsEnabled() {
			out[nameKey(m.Organization)] = true
		}
	}
	return out
}
