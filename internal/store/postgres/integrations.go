package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlInsertIntegration = `INSERT INTO integrations (tenant_id, name, psa, settings, credentials, version,
    created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, 1, $6, $7)
ON CONFLICT DO NOTHING
RETURNING id, version, created_at`
	// The version moves in the database, not from the caller's copy, so two
	// writers (two replicas) can never publish the same version twice.
	sqlUpdateIntegration = `UPDATE integrations
SET name = $1, psa = $2, settings = $3, credentials = $4, version = version + 1, updated_at = $5
WHERE id = $6 AND tenant_id = $7
RETURNING id, version, created_at`
	sqlIntegrationColumns = `SELECT id, tenant_id, name, psa, settings, credentials, version, created_at, updated_at
FROM integrations`
	sqlIntegrationByID      = sqlIntegrationColumns + ` WHERE id = $1`
	sqlIntegrationByName    = sqlIntegrationColumns + ` WHERE tenant_id = $1 AND name = $2`
	sqlIntegrationsOfTenant = sqlIntegrationColumns + ` WHERE tenant_id = $1 ORDER BY name`
)

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
	var created time.Time
	scan := func(r pgx.Row) error { return r.Scan(&out.ID, &out.Version, &created) }
	if it.ID == 0 {
		err = conflictIfNone(q.writeRow(ctx, scan, sqlInsertIntegration, it.TenantID, it.Name, it.PSA,
			string(it.Settings), string(creds), q.orNow(it.CreatedAt), out.UpdatedAt))
	} else {
		// A rename onto a taken name breaks the unique index: savepoint.
		err = q.guardedRow(ctx, scan, sqlUpdateIntegration, it.Name, it.PSA, string(it.Settings), string(creds),
			out.UpdatedAt, it.ID, it.TenantID)
	}
	if err != nil {
		return store.Integration{}, wrap(err, "put integration")
	}
	out.CreatedAt = created.UTC()
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
	it, err := scanIntegration(q.db.QueryRow(ctx, sqlIntegrationByID, id))
	return it, wrap(err, "integration by id")
}

// IntegrationByName returns the tenant's integration with the name.
func (q *queries) IntegrationByName(ctx context.Context, tenant, name string) (store.Integration, error) {
	it, err := scanIntegration(q.db.QueryRow(ctx, sqlIntegrationByName, tenant, name))
	return it, wrap(err, "integration by name")
}

// Integrations lists the tenant's integrations by name.
func (q *queries) Integrations(ctx context.Context, tenant string) ([]store.Integration, error) {
	rows, err := q.db.Query(ctx, sqlIntegrationsOfTenant, tenant)
	out, err := collect(rows, err, scanIntegration)
	return out, wrap(err, "list integrations")
}

func scanIntegration(r pgx.Row) (store.Integration, error) {
	var it store.Integration
	var settings, creds []byte
	err := r.Scan(&it.ID, &it.TenantID, &it.Name, &it.PSA, &settings, &creds, &it.Version, &it.CreatedAt, &it.UpdatedAt)
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
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	return it, nil
}
