package engine

import (
	"fmt"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Claims are the organizations the other enabled integrations of a tenant
// map, so that one integration does not match or catch an organization
// another one routes (routing per organization across PSAs).
type Claims struct {
	byOrg map[string][]claim // by lowercased organization id or name
}

type claim struct {
	integration string
	routing     integration.Routing
}

// NewClaims reads the mappings of every enabled integration in its but
// self that has a routing section.
func NewClaims(its []store.Integration, self int64) (*Claims, error) {
	c := &Claims{byOrg: map[string][]claim{}}
	for _, it := range its {
		if it.ID == self {
			continue
		}
		s, err := decodeSettings(it)
		if err != nil {
			return nil, fmt.Errorf("integration %s: %w", it.Name, err)
		}
		if !s.IsEnabled() || !s.Routing.IsSet() {
			continue // without a routing section it claims nothing
		}
		for _, m := range s.Companies.Map {
			if k := strings.ToLower(strings.TrimSpace(m.Organization)); k != "" && m.IsEnabled() {
				c.byOrg[k] = append(c.byOrg[k], claim{it.Name, s.Routing})
			}
		}
	}
	return c, nil
}

// ClaimedBy names the integration that maps org for alerts of source,
// "" when none does; a nil Claims claims nothing.
func (c *Claims) ClaimedBy(org alert.Organization, source string) string {
	if c == nil {
		return ""
	}
	for _, key := range []string{org.ID, org.Name} {
		for _, cl := range c.byOrg[strings.ToLower(strings.TrimSpace(key))] {
			if cl.routing.TakesSource(source) {
				return cl.integration
			}
		}
	}
	return ""
}
