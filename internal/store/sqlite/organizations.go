package sqlite

import (
	"context"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// One statement for all of a commit's organizations, as one JSON
	// array. A known organization is written only when its name changed,
	// so the upsert ingest sends costs a lookup, not a write. (WHERE true
	// lets SQLite's parser tell the upsert from a join.)
	sqlUpsertOrganizations = `INSERT INTO organizations (tenant_id, key, org_id, name, sort_key, origin, created_at, updated_at)
SELECT value ->> '$.t', value ->> '$.k', value ->> '$.i', value ->> '$.n', value ->> '$.s', value ->> '$.o',
       value ->> '$.a', value ->> '$.a'
FROM json_each(?) WHERE true
ON CONFLICT (tenant_id, key) DO UPDATE
SET name = excluded.name, sort_key = excluded.sort_key, updated_at = excluded.updated_at
WHERE excluded.name <> '' AND organizations.name <> excluded.name`
	sqlOrganizationColumns = `SELECT tenant_id, key, org_id, name, origin, created_at, updated_at FROM organizations`
	sqlOrganizationByKey   = sqlOrganizationColumns + ` WHERE tenant_id = ? AND key = ?`
	sqlOrganizations       = sqlOrganizationColumns + `
WHERE tenant_id = ? AND (sort_key, key) > (?, ?)
  AND (? = '' OR instr(sort_key, ?) > 0 OR instr(lower(key), ?) > 0)
ORDER BY sort_key, key
LIMIT CAST(? AS INTEGER)`

	sqlRotateSourceToken = `UPDATE sources SET token_hash = ? WHERE tenant_id = ? AND id = ?`
	sqlRevokeSourceToken = `UPDATE sources SET token_hash = NULL WHERE tenant_id = ? AND id = ?`

	sqlIntegrationOfTenant = `SELECT id FROM integrations WHERE id = ? AND tenant_id = ?`
	sqlIntegrationData     = `SELECT
    (SELECT count(*) FROM routes WHERE integration_id = ?1),
    (SELECT count(*) FROM ticket_links WHERE integration_id = ?1),
    (SELECT count(*) FROM ticket_links WHERE integration_id = ?1 AND state IN ('creating', 'open')),
    (SELECT count(*) FROM deliveries WHERE integration_id = ?1),
    (SELECT count(*) FROM timeline WHERE integration_id = ?1),
    (SELECT count(*) FROM cursors WHERE integration_id = ?1),
    (SELECT count(*) FROM seen_events WHERE integration_id = ?1),
    (SELECT count(*) FROM billing_audits WHERE integration_id = ?1)`
)

// integrationDeletes remove an integration's rows, each with its id, in
// an order every foreign key allows: what points at a row goes first.
var integrationDeletes = []string{
	`DELETE FROM delivery_payloads WHERE delivery_id IN (SELECT id FROM deliveries WHERE integration_id = ?)`,
	`DELETE FROM deliveries WHERE integration_id = ?`,
	`DELETE FROM routes WHERE integration_id = ?`,
	`DELETE FROM timeline WHERE integration_id = ?`,
	`DELETE FROM ticket_links WHERE integration_id = ?`,
	`DELETE FROM cursors WHERE integration_id = ?`,
	`DELETE FROM seen_events WHERE integration_id = ?`,
	`DELETE FROM billing_audits WHERE integration_id = ?`,
	`DELETE FROM leases WHERE name = 'integration:' || ?`,
	`DELETE FROM integrations WHERE id = ?`,
}

var organizationStatements = append([]string{
	sqlUpsertOrganizations, sqlOrganizationByKey, sqlOrganizations, sqlRotateSourceToken, sqlRevokeSourceToken,
	sqlIntegrationOfTenant, sqlIntegrationData,
}, integrationDeletes...)

// orgRow is one organization in sqlUpsertOrganizations's JSON array.
type orgRow struct {
	T string `json:"t"`
	K string `json:"k"`
	I string `json:"i"`
	N string `json:"n"`
	S string `json:"s"`
	O string `json:"o"`
	A int64  `json:"a"`
}

// UpsertOrganizations records organizations in one statement.
func (q *queries) UpsertOrganizations(ctx context.Context, orgs []store.Organization) error {
	if len(orgs) == 0 {
		return nil
	}
	rows := make([]orgRow, len(orgs))
	for i, o := range orgs {
		rows[i] = orgRow{o.TenantID, o.Key, o.ID, o.Name, o.SortKey(), o.Origin, dbTime(q.orNow(o.CreatedAt))}
	}
	return wrap(q.execJSON(ctx, sqlUpsertOrganizations, rows), "upsert organizations")
}

// Organizations lists a tenant's organizations alphabetically.
func (q *queries) Organizations(ctx context.Context, f store.OrganizationFilter) ([]store.Organization, error) {
	query := lowerQuery(f.Query)
	rows, err := q.readRows(ctx, sqlOrganizations, f.TenantID, f.AfterSortKey, f.AfterKey, query, query, query, limit(f.Limit))
	out, err := collect(rows, err, scanOrganization)
	return out, wrap(err, "list organizations")
}

// Organization reads one organization by key.
func (q *queries) Organization(ctx context.Context, tenant, key string) (store.Organization, error) {
	o, err := scanOrganization(q.readRow(ctx, sqlOrganizationByKey, tenant, key))
	return o, wrap(err, "read organization")
}

func scanOrganization(r scanner) (store.Organization, error) {
	var o store.Organization
	var created, updated int64
	if err := r.Scan(&o.TenantID, &o.Key, &o.ID, &o.Name, &o.Origin, &created, &updated); err != nil {
		return store.Organization{}, err
	}
	o.CreatedAt, o.UpdatedAt = goTime(created), goTime(updated)
	return o, nil
}

// RotateSourceToken gives a source a new token hash.
func (q *queries) RotateSourceToken(ctx context.Context, tenant, id, tokenHash string) error {
	return wrap(affected(q.exec(ctx, sqlRotateSourceToken, tokenHash, tenant, id)), "rotate source token")
}

// RevokeSourceToken removes a source's token.
func (q *queries) RevokeSourceToken(ctx context.Context, tenant, id string) error {
	return wrap(affected(q.exec(ctx, sqlRevokeSourceToken, tenant, id)), "revoke source token")
}

// IntegrationData counts what DeleteIntegration would remove.
func (q *queries) IntegrationData(ctx context.Context, tenant string, id int64) (store.IntegrationData, error) {
	var found int64
	if err := q.readRow(ctx, sqlIntegrationOfTenant, id, tenant).Scan(&found); err != nil {
		return store.IntegrationData{}, wrap(err, "count integration data")
	}
	var d store.IntegrationData
	err := q.readRow(ctx, sqlIntegrationData, id).Scan(&d.Routes, &d.TicketLinks, &d.OpenTickets,
		&d.Deliveries, &d.Timeline, &d.Cursors, &d.SeenEvents, &d.BillingAudits)
	return d, wrap(err, "count integration data")
}

// DeleteIntegration removes an integration and its rows in one
// transaction.
func (q *queries) DeleteIntegration(ctx context.Context, tenant string, id int64) (store.IntegrationData, error) {
	var d store.IntegrationData
	err := q.atomically(ctx, func(q *queries) error {
		var err error
		if d, err = q.IntegrationData(ctx, tenant, id); err != nil {
			return err
		}
		for _, del := range integrationDeletes {
			if _, err := q.exec(ctx, del, id); err != nil {
				return wrap(err, "delete integration")
			}
		}
		return nil
	})
	return d, err
}

// lowerQuery is a search text as compared with sort keys.
func lowerQuery(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
