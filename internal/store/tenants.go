package store

import (
	"context"
	"time"
)

// API token roles.
const (
	// RoleAdmin manages one tenant's own objects.
	RoleAdmin = "admin"
	// RoleOperator manages tenants and their tokens, and no tenant's
	// objects.
	RoleOperator = "operator"
)

// RoleOrAdmin returns the token's role, RoleAdmin when unset.
func (t APIToken) RoleOrAdmin() string {
	if t.Role == "" {
		return RoleAdmin
	}
	return t.Role
}

// Tenant is one MSP served by the installation.
type Tenant struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// TenantQueries manages tenants and reads a tenant's objects by id with the
// tenant in the SQL predicate, so an id of another tenant is ErrNotFound
// and never a row the caller has to remember to check.
type TenantQueries interface {
	// CreateTenant stores a tenant; ErrConflict when its id is taken.
	CreateTenant(ctx context.Context, t Tenant) error
	// Tenant returns one tenant; ErrNotFound when it does not exist.
	Tenant(ctx context.Context, id string) (Tenant, error)
	// Tenants lists every tenant by id.
	Tenants(ctx context.Context) ([]Tenant, error)
	// TenantHasData reports whether the tenant holds any source,
	// integration or alert (what deleting it would lose).
	TenantHasData(ctx context.Context, id string) (bool, error)
	// DeleteTenant deletes a tenant with everything it holds (tokens,
	// sources, integrations, alerts and all that hangs off them). Run it
	// inside InTx so that it deletes all or nothing; ErrNotFound when the
	// tenant does not exist.
	DeleteTenant(ctx context.Context, id string) error

	// APITokens lists a tenant's API tokens by name, revoked ones too.
	APITokens(ctx context.Context, tenant string) ([]APIToken, error)
	// RevokeAPIToken marks a live token revoked at at; ErrNotFound when
	// the tenant has no live token of that name.
	RevokeAPIToken(ctx context.Context, tenant, name string, at time.Time) error

	// TenantAlert is AlertBySeq within one tenant.
	TenantAlert(ctx context.Context, tenant string, seq int64) (StoredAlert, error)
	// TenantRoutes is Routes within one tenant.
	TenantRoutes(ctx context.Context, tenant string, alertSeq int64) ([]Route, error)
	// TenantTimeline is Timeline within one tenant.
	TenantTimeline(ctx context.Context, tenant string, alertSeq int64) ([]TimelineEntry, error)
	// TenantTicketLink is TicketLink within one tenant.
	TenantTicketLink(ctx context.Context, tenant string, id int64) (TicketLink, error)
	// TenantDelivery is Delivery within one tenant.
	TenantDelivery(ctx context.Context, tenant string, id int64) (Delivery, error)
}
