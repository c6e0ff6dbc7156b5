package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// ErrUnknownTenant is returned by UseTenant for a tenant that does not
// exist.
var ErrUnknownTenant = errors.New("unknown tenant")

// tenantOf is the tenant a call works for: the API caller's, taken from
// the request context the API authenticated, or the app's own (the CLI's
// --tenant, "default" without it). Every route mounted on the API reads
// the tenant here, so one caller never reaches another tenant's objects.
func (a *App) tenantOf(ctx context.Context) string {
	if t, ok := httpapi.Tenant(ctx); ok {
		return t
	}
	return a.Tenant
}

// UseTenant makes the app's own calls (apply, export, explain, billing,
// reconcile, replay from the CLI) work for tenant; an unknown tenant is
// ErrUnknownTenant, so a typo never writes settings nobody serves.
func (a *App) UseTenant(ctx context.Context, tenant string) error {
	if tenant == "" {
		tenant = store.DefaultTenant
	}
	if _, err := a.Store.Tenant(ctx, tenant); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w %q: create it first (POST /api/v1/tenants or ticketbridge tenant create)", ErrUnknownTenant, tenant)
	} else if err != nil {
		return fmt.Errorf("look up tenant %s: %w", tenant, err)
	}
	a.Tenant = tenant
	return nil
}

// budgetKey names an integration's request budget: integration names are
// unique within a tenant only.
func budgetKey(tenant, name string) string { return store.QualifiedName(tenant, name) }

// tenantIDs lists every tenant's id: the background work of the
// installation (retention, mail polls, gauges) serves them all.
func (a *App) tenantIDs(ctx context.Context) ([]string, error) {
	ts, err := a.Store.Tenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids, nil
}

// eachTenant collects list's answer for every tenant.
func eachTenant[T any](ctx context.Context, a *App, list func(tenant string) ([]T, error)) ([]T, error) {
	ids, err := a.tenantIDs(ctx)
	if err != nil {
		return nil, err
	}
	var all []T
	for _, id := range ids {
		got, err := list(id)
		if err != nil {
			return nil, err
		}
		all = append(all, got...)
	}
	return all, nil
}

func (a *App) allIntegrations(ctx context.Context) ([]store.Integration, error) {
	return eachTenant(ctx, a, func(t string) ([]store.Integration, error) { return a.Store.Integrations(ctx, t) })
}

func (a *App) allSources(ctx context.Context) ([]store.Source, error) {
	return eachTenant(ctx, a, func(t string) ([]store.Source, error) { return a.Store.Sources(ctx, t) })
}

// pendingDeliveries counts the pending deliveries of every tenant: the
// backlog gauge and readiness are the installation's.
func (a *App) pendingDeliveries(ctx context.Context) (int64, error) {
	counts, err := eachTenant(ctx, a, func(t string) ([]int64, error) {
		n, err := a.Store.CountDeliveries(ctx, t, store.DeliveryPending)
		return []int64{n}, err
	})
	var sum int64
	for _, n := range counts {
		sum += n
	}
	return sum, err
}

// operatorTokenHash is the hash the API checks the operator's token
// against, "" when none is configured. The token itself lives only in
// the process's configuration: changing or removing it there retires the
// old one at the next start.
func (a *App) operatorTokenHash() string {
	if a.cfg.OperatorToken.IsZero() {
		return ""
	}
	return ingest.HashToken(a.cfg.OperatorToken.Reveal())
}

// CreateTenant stores a new tenant with its first admin token, named
// "admin", in one transaction and returns the token: the only time it is
// shown, since only its hash is kept.
func (a *App) CreateTenant(ctx context.Context, id, name string) (string, error) {
	if !httpapi.ValidTenantID(id) {
		return "", fmt.Errorf("tenant id %q: use 1 to 63 lowercase letters, digits or hyphens, starting with a letter or digit", id)
	}
	if name == "" {
		name = id
	}
	token := ingest.NewToken(httpapi.AdminTokenPrefix)
	now := a.now().UTC()
	err := a.Store.InTx(ctx, func(q store.Queries) error {
		if err := q.CreateTenant(ctx, store.Tenant{ID: id, Name: name, CreatedAt: now}); err != nil {
			return err
		}
		return q.CreateAPIToken(ctx, store.APIToken{TenantID: id, Name: "admin", TokenHash: ingest.HashToken(token), Role: store.RoleAdmin, CreatedAt: now})
	})
	if errors.Is(err, store.ErrConflict) {
		return "", fmt.Errorf("tenant %q already exists", id)
	}
	if err != nil {
		return "", fmt.Errorf("create tenant: %w", err)
	}
	return token, nil
}
