package postgres

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// DO NOTHING, then an UPDATE of the rows whose name changed: unlike
	// DO UPDATE ... WHERE, neither locks an unchanged row, so commits of
	// several replicas naming one organization never wait on each other.
	sqlInsertOrganizations = `INSERT INTO organizations (tenant_id, key, org_id, name, sort_key, origin, created_at, updated_at)
SELECT DISTINCT ON (u.t, u.k) u.t, u.k, u.i, u.n, u.s, u.o, u.at, u.at
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
    AS u (t, k, i, n, s, o, at)
ORDER BY u.t, u.k
ON CONFLICT DO NOTHING`
	sqlRenameOrganizations = `UPDATE organizations o SET name = u.n, sort_key = u.s, updated_at = u.at
FROM (SELECT DISTINCT ON (t, k) * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
      AS x (t, k, n, s, at) ORDER BY t, k) u
WHERE o.tenant_id = u.t AND o.key = u.k AND u.n <> '' AND o.name <> u.n`
	sqlOrganizationColumns = `SELECT tenant_id, key, org_id, name, origin, created_at, updated_at FROM organizations`
	sqlOrganizationByKey   = sqlOrganizationColumns + ` WHERE tenant_id = $1 AND key = $2`
	sqlOrganizations       = sqlOrganizationColumns + `
WHERE tenant_id = $1 AND (sort_key, key) > ($2::text COLLATE "C", $3::text COLLATE "C")
  AND ($4 = '' OR strpos(sort_key, $4) > 0 OR strpos(lower(key), $4) > 0)
ORDER BY sort_key, key
LIMIT $5`

	sqlRotateSourceToken = `UPDATE sources SET token_hash = $1 WHERE tenant_id = $2 AND id = $3`
	sqlRevokeSourceToken = `UPDATE sources SET token_hash = NULL WHERE tenant_id = $1 AND id = $2`

	// FOR UPDATE: a delete and a concurrent write of the integration
	// (apply, a worker's cursor) take turns.
	sqlIntegrationOfTenant = `SELECT id FROM integrations WHERE id = $1 AND tenant_id = $2 FOR UPDATE`
	sqlIntegrationData     = `SELECT
    (SELECT count(*) FROM routes WHERE integration_id = $1),
    (SELECT count(*) FROM ticket_links WHERE integration_id = $1),
    (SELECT count(*) FROM ticket_links WHERE integration_id = $1 AND state IN ('creating', 'open')),
    (SELECT count(*) FROM deliveries WHERE integration_id = $1),
    (SELECT count(*) FROM timeline WHERE integration_id = $1),
    (SELECT count(*) FROM cursors WHERE integration_id = $1),
    (SELECT count(*) FROM seen_events WHERE integration_id = $1),
    (SELECT count(*) FROM billing_audits WHERE integration_id = $1)`
)

// integrationDeletes remove an integration's rows, each with its id, in
// an order every foreign key allows: what points at a row goes first.
var integrationDeletes = []string{
	`DELETE FROM deliveries WHERE integration_id = $1`,
	`DELETE FROM routes WHERE integration_id = $1`,
	`DELETE FROM timeline WHERE integration_id = $1`,
	`DELETE FROM ticket_links WHERE integration_id = $1`,
	`DELETE FROM cursors WHERE integration_id = $1`,
	`DELETE FROM seen_events WHERE integration_id = $1`,
	`DELETE FROM billing_audits WHERE integration_id = $1`,
	`DELETE FROM leases WHERE name = 'integration:' || $1::bigint`,
	`DELETE FROM integrations WHERE id = $1`,
}

// UpsertOrganizations records organizations in one round trip, in key
// order so that two transactions inserting the same keys cannot deadlock.
func (q *queries) UpsertOrganizations(ctx context.Context, orgs []store.Organization) error {
	if len(orgs) == 0 {
		return nil
	}
	orgs = slices.Clone(orgs)
	slices.SortFunc(orgs, func(a, b store.Organization) int {
		return strings.Compare(a.TenantID+"\x00"+a.Key, b.TenantID+"\x00"+b.Key)
	})
	n := len(orgs)
	tenants, keys, ids, names, sorts, origins := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	ats := make([]time.Time, n)
	for i, o := range orgs {
		tenants[i], keys[i], ids[i], names[i], sorts[i], origins[i] = o.TenantID, o.Key, o.ID, o.Name, o.SortKey(), o.Origin
		ats[i] = q.orNow(o.CreatedAt)
	}
	b := &pgx.Batch{}
	b.Queue(sqlInsertOrganizations, tenants, keys, ids, names, sorts, origins, ats)
	b.Queue(sqlRenameOrganizations, tenants, keys, names, sorts, ats)
	return wrap(q.db.SendBatch(ctx, b).Close(), "upsert organizations")
}

// Organizations lists a tenant's organizations alphabetically.
func (q *queries) Organizations(ctx context.Context, f store.OrganizationFilter) ([]store.Organization, error) {
	rows, err := q.db.Query(ctx, sqlOrganizations, f.TenantID, f.AfterSortKey, f.AfterKey,
		strings.ToLower(strings.TrimSpace(f.Query)), limit(f.Limit))
	out, err := collect(rows, err, scanOrganization)
	return out, wrap(err, "list organizations")
}

// Organization reads one organization by key.
func (q *queries) Organization(ctx context.Context, tenant, key string) (store.Organization, error) {
	o, err := scanOrganization(q.db.QueryRow(ctx, sqlOrganizationByKey, tenant, key))
	return o, wrap(err, "read organization")
}

func scanOrganization(r pgx.Row) (store.Organization, error) {
	var o store.Organization
	if err := r.Scan(&o.TenantID, &o.Key, &o.ID, &o.Name, &o.Origin, &o.CreatedAt, &o.UpdatedAt); err != nil {
		return store.Organization{}, err
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, nil
}

// RotateSourceToken gives a source a new token hash; a taken hash is
// ErrConflict and leaves the caller's transaction usable.
func (q *queries) RotateSourceToken(ctx context.Context, tenant, id, tokenHash string) error {
	return wrap(affected(q.guardedExec(ctx, sqlRotateSourceToken, tokenHash, tenant, id)), "rotate source token")
}

// RevokeSourceToken removes a source's token.
func (q *queries) RevokeSourceToken(ctx context.Context, tenant, id string) error {
	return wrap(affected(q.exec(ctx, sqlRevokeSourceToken, tenant, id)), "revoke source token")
}

// IntegrationData counts what DeleteIntegration would remove.
func (q *queries) IntegrationData(ctx context.Context, tenant string, id int64) (store.IntegrationData, error) {
	var found int64
	if err := q.db.QueryRow(ctx, sqlIntegrationOfTenant, id, tenant).Scan(&found); err != nil {
		return store.IntegrationData{}, wrap(err, "count integration data")
	}
	var d store.IntegrationData
	err := q.db.QueryRow(ctx, sqlIntegrationData, id).Scan(&d.Routes, &d.TicketLinks, &d.OpenTickets,
		&d.Deliveries, &d.Timeline, &d.Cursors, &d.SeenEvents, &d.BillingAudits)
	return d, wrap(err, "count integration data")
}

// DeleteIntegration removes an integration and its rows in one
// transaction (the caller's, or its own).
func (q *queries) DeleteIntegration(ctx context.Context, tenant string, id int64) (store.IntegrationData, error) {
	if q.tx == nil {
		var d store.IntegrationData
		err := q.st.InTx(ctx, func(tx store.Queries) error {
			var err error
			d, err = tx.DeleteIntegration(ctx, tenant, id)
			return err
		})
		return d, err
	}
	d, err := q.IntegrationData(ctx, tenant, id)
	if err != nil {
		return d, err
	}
	b := &pgx.Batch{}
	for _, del := range integrationDeletes {
		b.Queue(del, id)
	}
	return d, wrap(q.db.SendBatch(ctx, b).Close(), "delete integration")
}
