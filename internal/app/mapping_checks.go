package app

import (
	"context"
	"fmt"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// mappingWarnings are the checks of the mapping apply takes but says
// will not work as meant: mapped companies without a contact while
// attach_contacts is on (from the contacts the catalog read per named
// company), and excluded types no source has sent (against the types of
// the tenant's latest alerts, one bounded store read).
func (a *App) mappingWarnings(ctx context.Context, s integration.Settings, cat integration.Catalog) ([]string, error) {
	out := integration.ContactWarnings(s, cat)
	if len(s.Sync.ExcludeTypes) == 0 {
		return out, nil
	}
	seen, err := a.Store.RecentAlertTypes(ctx, a.Tenant, integration.SeenTypesWindow)
	if err != nil {
		return nil, fmt.Errorf("read the alert types seen: %w", err)
	}
	return append(out, integration.ExclusionWarnings(s.Sync.ExcludeTypes, seen)...), nil
}
