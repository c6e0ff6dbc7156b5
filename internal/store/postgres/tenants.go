package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlInsertTenant = `INSERT INTO tenants (tenant_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`
	sqlTenantByID   = `SELECT tenant_id, name, created_at FROM tenants WHERE tenant_id = $1`
	sqlAllTenants   = `SELECT tenant_id, name, created_at FROM tenants ORDER BY tenant_id`
	sqlTenantInUse  = `SELECT EXISTS (SELECT 1 FROM sources WHERE tenant_id = $1)
    OR EXISTS (SELECT 1 FROM integrations WHERE tenant_id = $1)
    OR EXISTS (SELECT 1 FROM alerts WHERE tenant_id = $1)`

	sqlAPITokenColumns = `SELECT tenant_id, name, token_hash, role, created_at, revoked_at FROM api_tokens`
	sqlAPITokensOf     = sqlAPITokenColumns + ` WHERE tenant_id = $1 ORDER BY name`
	sqlRevokeAPIToken  = `UPDATE api_tokens SET revoked_at = $1 WHERE tenant_id = $2 AND name = $3 AND revoked_at IS NULL`

	sqlTenantAlert  = sqlAlertColumns + ` WHERE a.seq = $1 AND a.tenant_id = $2`
	sqlTenantLink   = sqlLinkColumns + ` WHERE id = $1 AND tenant_id = $2`
	sqlTenantDeliv  = sqlDeliveryColumns + ` WHERE d.id = $1 AND d.tenant_id = $2`
	sqlTenantRoutes = `SELECT tenant_id, alert_seq, integration_id, outcome, code, reason, ticket_link_id, created_at,
    handled_status
FROM routes WHERE alert_seq = $1 AND tenant_id = $2 ORDER BY integration_id`
	sqlTenantTimeline = `SELECT id, tenant_id, alert_seq, integration_id, at, event, detail
FROM timeline WHERE alert_seq = $1 AND tenant_id = $2 ORDER BY at, id`
)

// tenantDeletes empty a tenant, children before the rows they point at.
// Leases carry no tenant: an integration's lease names an id that is never
// reused, so a stale one is harmless.
var tenantDeletes = []string{
	`DELETE FROM timeline WHERE tenant_id = $1`,
	`DELETE FROM routes WHERE tenant_id = $1`,
	`DELETE FROM deliveries WHERE tenant_id = $1`,
	`DELETE FROM callbacks WHERE tenant_id = $1`,
	`DELETE FROM cursors WHERE tenant_id = $1`,
	`DELETE FROM seen_events WHERE tenant_id = $1`,
	`DELETE FROM billing_audits WHERE tenant_id = $1`,
	`DELETE FROM billable_counts WHERE tenant_id = $1`,
	`DELETE FROM ticket_links WHERE tenant_id = $1`,
	`DELETE FROM unmatched_mail WHERE tenant_id = $1`,
	`DELETE FROM raw_bodies WHERE tenant_id = $1`,
	`DELETE FROM organizations WHERE tenant_id = $1`,
	`DELETE FROM alerts WHERE tenant_id = $1`,
	`DELETE FROM integrations WHERE tenant_id = $1`,
	`DELETE FROM sources WHERE tenant_id = $1`,
	`DELETE FROM api_tokens WHERE tenant_id = $1`,
}

const sqlDeleteTenant = `DELETE FROM tenants WHERE tenant_id = $1`

// CreateTenant stores a tenant; ErrConflict when the id is taken.
func (q *queries) CreateTenant(ctx context.Context, t store.Tenant) error {
	err := inserted(q.exec(ctx, sqlInsertTenant, t.ID, t.Name, q.orNow(t.CreatedAt)))
	return wrap(err, "create tenant")
}

// Tenant returns one tenant.
func (q *queries) Tenant(ctx context.Context, id string) (store.Tenant, error) {
	t, err := scanTenant(q.db.QueryRow(ctx, sqlTenantByID, id))
	return t, wrap(err, "tenant by id")
}

// Tenants lists every tenant by id.
func (q *queries) Tenants(ctx context.Context) ([]store.Tenant, error) {
	rows, err := q.db.Query(ctx, sqlAllTenants)
	out, err := collect(rows, err, scanTenant)
	return out, wrap(err, "list tenants")
}

func scanTenant(s pgx.Row) (store.Tenant, error) {
	var t store.Tenant
	err := s.Scan(&t.ID, &t.Name, &t.CreatedAt)
	t.CreatedAt = t.CreatedAt.UTC()
	return t, err
}

// TenantHasData reports whether the tenant holds sources, integrations or
// alerts.
func (q *queries) TenantHasData(ctx context.Context, id string) (bool, error) {
	var used bool
	err := q.db.QueryRow(ctx, sqlTenantInUse, id).Scan(&used)
	return used, wrap(err, "tenant in use")
}

// DeleteTenant deletes the tenant and all it holds in one transaction.
func (q *queries) DeleteTenant(ctx context.Context, id string) error {
	if q.tx == nil {
		return q.st.InTx(ctx, func(tx store.Queries) error { return tx.DeleteTenant(ctx, id) })
	}
	for _, del := range tenantDeletes {
		if _, err := q.exec(ctx, del, id); err != nil {
			return wrap(err, "delete tenant")
		}
	}
	return wrap(affected(q.exec(ctx, sqlDeleteTenant, id)), "delete tenant")
}

// APITokens lists a tenant's tokens, revoked ones too.
func (q *queries) APITokens(ctx context.Context, tenant string) ([]store.APIToken, error) {
	rows, err := q.db.Query(ctx, sqlAPITokensOf, tenant)
	out, err := collect(rows, err, scanAPIToken)
	return out, wrap(err, "list api tokens")
}

// RevokeAPIToken marks a live token revoked.
func (q *queries) RevokeAPIToken(ctx context.Context, tenant, name string, at time.Time) error {
	err := affected(q.exec(ctx, sqlRevokeAPIToken, q.orNow(at), tenant, name))
	return wrap(err, "revoke api token")
}

func scanAPIToken(s pgx.Row) (store.APIToken, error) {
	var t store.APIToken
	err := s.Scan(&t.TenantID, &t.Name, &t.TokenHash, &t.Role, &t.CreatedAt, &t.RevokedAt)
	t.CreatedAt, t.RevokedAt = t.CreatedAt.UTC(), utcPtr(t.RevokedAt)
	return t, err
}

// TenantAlert returns the tenant's alert with seq.
func (q *queries) TenantAlert(ctx context.Context, tenant string, seq int64) (store.StoredAlert, error) {
	a, err := scanAlert(q.db.QueryRow(ctx, sqlTenantAlert, seq, tenant))
	return a, wrap(err, "tenant alert")
}

// TenantRoutes lists the routes of the tenant's alert.
func (q *queries) TenantRoutes(ctx context.Context, tenant string, alertSeq int64) ([]store.Route, error) {
	rows, err := q.db.Query(ctx, sqlTenantRoutes, alertSeq, tenant)
	out, err := collect(rows, err, scanRoute)
	return out, wrap(err, "tenant routes")
}

// TenantTimeline lists the timeline of the tenant's alert.
func (q *queries) TenantTimeline(ctx context.Context, tenant string, alertSeq int64) ([]store.TimelineEntry, error) {
	rows, err := q.db.Query(ctx, sqlTenantTimeline, alertSeq, tenant)
	out, err := collect(rows, err, scanTimeline)
	return out, wrap(err, "tenant timeline")
}

// TenantTicketLink returns the tenant's ticket link with the id.
func (q *queries) TenantTicketLink(ctx context.Context, tenant string, id int64) (store.TicketLink, error) {
	l, err := scanLink(q.db.QueryRow(ctx, sqlTenantLink, id, tenant))
	return l, wrap(err, "tenant ticket link")
}

// TenantDelivery returns the tenant's delivery with the id.
func (q *queries) TenantDelivery(ctx context.Context, tenant string, id int64) (store.Delivery, error) {
	d, err := scanDelivery(q.db.QueryRow(ctx, sqlTenantDeliv, id, tenant))
	return d, wrap(err, "tenant delivery")
}
