package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlInsertTenant = `INSERT INTO tenants (tenant_id, name, created_at) VALUES (?, ?, ?)`
	sqlTenantByID   = `SELECT tenant_id, name, created_at FROM tenants WHERE tenant_id = ?`
	sqlAllTenants   = `SELECT tenant_id, name, created_at FROM tenants ORDER BY tenant_id`
	sqlTenantInUse  = `SELECT EXISTS (SELECT 1 FROM sources WHERE tenant_id = ?1)
    OR EXISTS (SELECT 1 FROM integrations WHERE tenant_id = ?1)
    OR EXISTS (SELECT 1 FROM alerts WHERE tenant_id = ?1)`

	sqlAPITokenColumns = `SELECT tenant_id, name, token_hash, role, created_at, revoked_at FROM api_tokens`
	sqlAPITokensOf     = sqlAPITokenColumns + ` WHERE tenant_id = ? ORDER BY name`
	sqlRevokeAPIToken  = `UPDATE api_tokens SET revoked_at = ? WHERE tenant_id = ? AND name = ? AND revoked_at IS NULL`

	sqlTenantAlert  = sqlAlertColumns + ` WHERE a.seq = ? AND a.tenant_id = ?`
	sqlTenantLink   = sqlLinkColumns + ` WHERE id = ? AND tenant_id = ?`
	sqlTenantDeliv  = sqlDeliveryColumns + ` WHERE d.id = ? AND d.tenant_id = ?`
	sqlTenantRoutes = `SELECT tenant_id, alert_seq, integration_id, outcome, code, reason, ticket_link_id, created_at,
    handled_status
FROM routes WHERE alert_seq = ? AND tenant_id = ? ORDER BY integration_id`
	sqlTenantTimeline = `SELECT id, tenant_id, alert_seq, integration_id, at, event, detail
FROM timeline WHERE alert_seq = ? AND tenant_id = ? ORDER BY at, id`
)

// tenantDeletes empty a tenant, children before the rows they point at;
// each takes the tenant id once. Payloads and leases carry no tenant:
// payloads go through their deliveries; an integration's lease row names
// an id that is never reused, so a stale one is harmless.
var tenantDeletes = []string{
	`DELETE FROM delivery_payloads WHERE delivery_id IN (SELECT id FROM deliveries WHERE tenant_id = ?)`,
	`DELETE FROM timeline WHERE tenant_id = ?`,
	`DELETE FROM routes WHERE tenant_id = ?`,
	`DELETE FROM deliveries WHERE tenant_id = ?`,
	`DELETE FROM callbacks WHERE tenant_id = ?`,
	`DELETE FROM cursors WHERE tenant_id = ?`,
	`DELETE FROM seen_events WHERE tenant_id = ?`,
	`DELETE FROM billing_audits WHERE tenant_id = ?`,
	`DELETE FROM billable_counts WHERE tenant_id = ?`,
	`DELETE FROM ticket_links WHERE tenant_id = ?`,
	`DELETE FROM unmatched_mail WHERE tenant_id = ?`,
	`DELETE FROM raw_bodies WHERE tenant_id = ?`,
	`DELETE FROM organizations WHERE tenant_id = ?`,
	`DELETE FROM alerts WHERE tenant_id = ?`,
	`DELETE FROM integrations WHERE tenant_id = ?`,
	`DELETE FROM sources WHERE tenant_id = ?`,
	`DELETE FROM api_tokens WHERE tenant_id = ?`,
}

const sqlDeleteTenant = `DELETE FROM tenants WHERE tenant_id = ?`

var tenantStatements = []string{
	sqlInsertTenant, sqlTenantByID, sqlAllTenants, sqlTenantInUse, sqlAPITokensOf, sqlRevokeAPIToken,
	sqlTenantAlert, sqlTenantLink, sqlTenantDeliv, sqlTenantRoutes, sqlTenantTimeline,
}

// CreateTenant stores a tenant; ErrConflict when the id is taken.
func (q *queries) CreateTenant(ctx context.Context, t store.Tenant) error {
	_, err := q.exec(ctx, sqlInsertTenant, t.ID, t.Name, dbTime(q.orNow(t.CreatedAt)))
	return wrap(err, "create tenant")
}

// Tenant returns one tenant.
func (q *queries) Tenant(ctx context.Context, id string) (store.Tenant, error) {
	t, err := scanTenant(q.readRow(ctx, sqlTenantByID, id))
	return t, wrap(err, "tenant by id")
}

// Tenants lists every tenant by id.
func (q *queries) Tenants(ctx context.Context) ([]store.Tenant, error) {
	rows, err := q.readRows(ctx, sqlAllTenants)
	out, err := collect(rows, err, scanTenant)
	return out, wrap(err, "list tenants")
}

func scanTenant(s scanner) (store.Tenant, error) {
	var t store.Tenant
	var created int64
	err := s.Scan(&t.ID, &t.Name, &created)
	t.CreatedAt = goTime(created)
	return t, err
}

// TenantHasData reports whether the tenant holds sources, integrations or
// alerts.
func (q *queries) TenantHasData(ctx context.Context, id string) (bool, error) {
	var used bool
	err := q.readRow(ctx, sqlTenantInUse, id).Scan(&used)
	return used, wrap(err, "tenant in use")
}

// DeleteTenant deletes the tenant and all it holds in one transaction.
func (q *queries) DeleteTenant(ctx context.Context, id string) error {
	return q.atomically(ctx, func(q *queries) error {
		for _, del := range tenantDeletes {
			if _, err := q.exec(ctx, del, id); err != nil {
				return wrap(err, "delete tenant")
			}
		}
		return wrap(affected(q.exec(ctx, sqlDeleteTenant, id)), "delete tenant")
	})
}

// APITokens lists a tenant's tokens, revoked ones too.
func (q *queries) APITokens(ctx context.Context, tenant string) ([]store.APIToken, error) {
	rows, err := q.readRows(ctx, sqlAPITokensOf, tenant)
	out, err := collect(rows, err, scanAPIToken)
	return out, wrap(err, "list api tokens")
}

// RevokeAPIToken marks a live token revoked.
func (q *queries) RevokeAPIToken(ctx context.Context, tenant, name string, at time.Time) error {
	err := affected(q.exec(ctx, sqlRevokeAPIToken, dbTime(q.orNow(at)), tenant, name))
	return wrap(err, "revoke api token")
}

func scanAPIToken(s scanner) (store.APIToken, error) {
	var t store.APIToken
	var created int64
	var revoked sql.NullInt64
	err := s.Scan(&t.TenantID, &t.Name, &t.TokenHash, &t.Role, &created, &revoked)
	t.CreatedAt, t.RevokedAt = goTime(created), goTimePtr(revoked)
	return t, err
}

// TenantAlert returns the tenant's alert with seq.
func (q *queries) TenantAlert(ctx context.Context, tenant string, seq int64) (store.StoredAlert, error) {
	a, err := scanAlert(q.readRow(ctx, sqlTenantAlert, seq, tenant))
	return a, wrap(err, "tenant alert")
}

// TenantRoutes lists the routes of the tenant's alert.
func (q *queries) TenantRoutes(ctx context.Context, tenant string, alertSeq int64) ([]store.Route, error) {
	rows, err := q.readRows(ctx, sqlTenantRoutes, alertSeq, tenant)
	out, err := collect(rows, err, scanRoute)
	return out, wrap(err, "tenant routes")
}

// TenantTimeline lists the timeline of the tenant's alert.
func (q *queries) TenantTimeline(ctx context.Context, tenant string, alertSeq int64) ([]store.TimelineEntry, error) {
	rows, err := q.readRows(ctx, sqlTenantTimeline, alertSeq, tenant)
	out, err := collect(rows, err, scanTimeline)
	return out, wrap(err, "tenant timeline")
}

// TenantTicketLink returns the tenant's ticket link with the id.
func (q *queries) TenantTicketLink(ctx context.Context, tenant string, id int64) (store.TicketLink, error) {
	l, err := scanLink(q.readRow(ctx, sqlTenantLink, id, tenant))
	return l, wrap(err, "tenant ticket link")
}

// TenantDelivery returns the tenant's delivery with the id.
func (q *queries) TenantDelivery(ctx context.Context, tenant string, id int64) (store.Delivery, error) {
	d, err := scanDelivery(q.readRow(ctx, sqlTenantDeliv, id, tenant))
	return d, wrap(err, "tenant delivery")
}
