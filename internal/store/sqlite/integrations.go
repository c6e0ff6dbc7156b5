package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlInsertIntegration = `INSERT INTO integrations (tenant_id, name, psa, settings, credentials, version,
    created_at, updated_at)
VALUES (?, ?, ?, ?, ?, 1, ?, ?)
RETURNING id, version, created_at`
	// The version moves in the database, not from the caller's copy, so two
	// writers can never publish the same version twice.
	sqlUpdateIntegration = `UPDATE integrations
SET name = ?, psa = ?, settings = ?, credentials = ?, version = version + 1, updated_at = ?
WHERE id = ? AND tenant_id = ?
RETURNING id, version, created_at`
	sqlIntegrationColumns = `SELECT id, tenant_id, name, psa, settings, credentials, version, created_at, updated_at
FROM integrations`
	sqlIntegrationByID      = sqlIntegrationColumns + ` WHERE id = ?`
	sqlIntegrationByName    = sqlIntegrationColumns + ` WHERE tenant_id = ? AND name = ?`
	sqlIntegrationsOfTenant = sqlIntegrationColumns + ` WHERE tenant_id = ? ORDER BY name`
)

var integrationStatements = []string{
	sqlInsertIntegration, sqlUpdateIntegration, sqlIntegrationByID, sqlIntegrationByName, sqlIntegrationsOfTenant,
}

// PutIntegration inserts the integration when its ID is 0 (version 1) and
// otherwise replaces the one with that ID and tenant, bumping its version.
// CreatedAt is kept from the insert and UpdatedAt is the store's clock. It
// returns the integration as stored; ErrConflict when the name is taken,
// ErrNotFound when the ID is unknown.
func (q *queries) PutIntegration(ctx context.Context, it store.Integration) (store.Integration, error) {
	creds, err := json.Marshal(credentials(it.Credentials))
	if err != nil {
		return store.Integration{}, fmt.Errorf("put integration: encode credentials: %w", err)
	}
	out := it
	out.UpdatedAt = norm(q.st.now()) // on update the caller's copy is stale
	var created int64
	if it.ID == 0 {
		err = q.writeRow(ctx, sqlInsertIntegration, it.TenantID, it.Name, it.PSA, string(it.Settings),
			string(creds), dbTime(q.orNow(it.CreatedAt)), dbTime(out.UpdatedAt),
		).Scan(&out.ID, &out.Version, &created)
	} else {
		err = q.writeRow(ctx, sqlUpdateIntegration, it.Name, it.PSA, string(it.Settings), string(creds),
			dbTime(out.UpdatedAt), it.ID, it.TenantID,
		).Scan(&out.ID, &out.Version, &created)
	}
	if err != nil {
		return store.Integration{}, wrap(err, "put integration")
	}
	out.CreatedAt = goTime(created)
	out.Settings = bytesOrNil(it.Settings)
	if len(out.Credentials) == 0 {
		out.Credentials = nil
	}
	return out, nil
}

// credentials never stores a null: an integration without secrets has {}.
func credentials(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Integration returns the integration with the id.
func (q *queries) Integration(ctx context.Context, id int64) (store.Integration, error) {
	it, err := scanIntegration(q.readRow(ctx, sqlIntegrationByID, id))
	return it, wrap(err, "integration by id")
}

// IntegrationByName returns the tenant's integration with the name.
func (q *queries) IntegrationByName(ctx context.Context, tenant, name string) (store.Integration, error) {
	it, err := scanIntegration(q.readRow(ctx, sqlIntegrationByName, tenant, name))
	return it, wrap(err, "integration by name")
}

// Integrations lists the tenant's integrations by name.
func (q *queries) Integrations(ctx context.Context, tenant string) ([]store.Integration, error) {
	rows, err := q.readRows(ctx, sqlIntegrationsOfTenant, tenant)
	out, err := collect(rows, err, scanIntegration)
	return out, wrap(err, "list integrations")
}

func scanIntegration(r scanner) (store.Integration, error) {
	var it store.Integration
	var settings, creds []byte
	var created, updated int64
	err := r.Scan(&it.ID, &it.TenantID, &it.Name, &it.PSA, &settings, &creds, &it.Version, &created, &updated)
	if err != nil {
		return store.Integration{}, err
	}
	if err := json.Unmarshal(creds, &it.Credentials); err != nil {
		return store.Integration{}, fmt.Errorf("decode credentials of integration %d: %w", it.ID, err)
	}
	if len(it.Credentials) == 0 {
		it.Credentials = nil
	}
	it.Settings = bytesOrNil(settings)
	it.CreatedAt, it.UpdatedAt = goTime(created), goTime(updated)
	return it, nil
}
