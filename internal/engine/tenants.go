package engine

import (
	"context"
	"fmt"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

// tenants lists the tenants the engine serves: Config.Tenant alone when
// set, else every tenant in the store, read each round so a tenant
// created through the API is served without a restart.
func (e *Engine) tenants(ctx context.Context) ([]string, error) {
	if e.cfg.Tenant != "" {
		return []string{e.cfg.Tenant}, nil
	}
	ts, err := e.cfg.Store.Tenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids, nil
}

// integrations lists the integrations of every tenant served. Leases stay
// per integration id, so which tenant an integration belongs to changes
// nothing about who works it or how exactly-once holds.
func (e *Engine) integrations(ctx context.Context) ([]store.Integration, error) {
	tenants, err := e.tenants(ctx)
	if err != nil {
		return nil, err
	}
	var all []store.Integration
	for _, t := range tenants {
		its, err := e.cfg.Store.Integrations(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("list integrations of %s: %w", t, err)
		}
		all = append(all, its...)
	}
	return all, nil
}

// HookPath is where the PSA posts an integration's webhooks. The default
// tenant keeps the short path it always had; another tenant's path names
// the tenant, since integration names repeat across tenants.
func HookPath(tenant, name string) string {
	if tenant == "" || tenant == store.DefaultTenant {
		return "/hooks/" + name
	}
	return "/hooks/t/" + tenant + "/" + name
}

// hookName is what an integration's webhook key is derived from: the
// name alone in the default tenant (so existing registrations keep
// verifying), the tenant and name elsewhere, so two tenants' integrations
// of one name never share a key.
func hookName(tenant, name string) string {
	if tenant == "" || tenant == store.DefaultTenant {
		return name
	}
	return tenant + "/" + name
}
