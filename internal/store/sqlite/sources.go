package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	sqlInsertSource = `INSERT INTO sources (tenant_id, id, name, token_hash, callback_url, created_at, format, settings)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlSourceColumns   = `SELECT tenant_id, id, name, token_hash, callback_url, created_at, format, settings FROM sources`
	sqlSourceByToken   = sqlSourceColumns + ` WHERE token_hash = ?`
	sqlSourcesByTokens = sqlSourceColumns + ` WHERE token_hash IN (SELECT value FROM json_each(?))`
	sqlSourcesOfTenant = sqlSourceColumns + ` WHERE tenant_id = ? ORDER BY id`
	sqlInsertAPIToken  = `INSERT INTO api_tokens (tenant_id, name, token_hash, role, created_at) VALUES (?, ?, ?, ?, ?)`
	sqlAPITokenByHash  = sqlAPITokenColumns + ` WHERE token_hash = ? AND revoked_at IS NULL`
)

const sqlSetSourceFormat = `UPDATE sources SET format = ?, settings = ? WHERE tenant_id = ? AND id = ?`

var sourceStatements = []string{
	sqlSetSourceFormat, sqlInsertSource, sqlSourceByToken, sqlSourcesByTokens, sqlSourcesOfTenant, sqlInsertAPIToken, sqlAPITokenByHash,
}

// CreateSource stores a source; ErrConflict when its id or token hash is
// taken.
func (q *queries) CreateSource(ctx context.Context, s store.Source) error {
	_, err := q.exec(ctx, sqlInsertSource, s.TenantID, s.ID, s.Name, nullString(s.TokenHash),
		s.CallbackURL, dbTime(q.orNow(s.CreatedAt)), s.FormatOrCanonical(), s.SettingsOrEmpty())
	return wrap(err, "create source")
}

// SetSourceFormat changes a source's format and settings.
func (q *queries) SetSourceFormat(ctx context.Context, tenant, id, format string, settings []byte) error {
	src := store.Source{Format: format, Settings: settings}
	err := affected(q.exec(ctx, sqlSetSourceFormat, src.FormatOrCanonical(), src.SettingsOrEmpty(), tenant, id))
	return wrap(err, "set source format")
}

// SourceByTokenHash finds the source a bearer token belongs to.
func (q *queries) SourceByTokenHash(ctx context.Context, tokenHash string) (store.Source, error) {
	s, err := scanSource(q.readRow(ctx, sqlSourceByToken, tokenHash))
	return s, wrap(err, "source by token")
}

// SourcesByTokenHashes returns the sources holding any of the hashes. They
// go as one JSON array, so the statement is prepared once for any number.
func (q *queries) SourcesByTokenHashes(ctx context.Context, tokenHashes []string) ([]store.Source, error) {
	if len(tokenHashes) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(tokenHashes)
	if err != nil {
		return nil, fmt.Errorf("sources by token: encode: %w", err)
	}
	rows, err := q.readRows(ctx, sqlSourcesByTokens, string(b))
	out, err := collect(rows, err, scanSource)
	return out, wrap(err, "sources by token")
}

// Sources lists a tenant's sources by id.
func (q *queries) Sources(ctx context.Context, tenant string) ([]store.Source, error) {
	rows, err := q.readRows(ctx, sqlSourcesOfTenant, tenant)
	out, err := collect(rows, err, scanSource)
	return out, wrap(err, "list sources")
}

func scanSource(r scanner) (store.Source, error) {
	var s store.Source
	var token sql.NullString
	var created int64
	var settings string
	if err := r.Scan(&s.TenantID, &s.ID, &s.Name, &token, &s.CallbackURL, &created, &s.Format, &settings); err != nil {
		return store.Source{}, err
	}
	s.TokenHash, s.CreatedAt, s.Settings = token.String, goTime(created), []byte(settings)
	return s, nil
}

// CreateAPIToken stores a management API token; ErrConflict when its name
// or hash is taken.
func (q *queries) CreateAPIToken(ctx context.Context, t store.APIToken) error {
	_, err := q.exec(ctx, sqlInsertAPIToken, t.TenantID, t.Name, t.TokenHash, t.RoleOrAdmin(), dbTime(q.orNow(t.CreatedAt)))
	return wrap(err, "create api token")
}

// APITokenByHash finds the API token with the hash.
func (q *queries) APITokenByHash(ctx context.Context, tokenHash string) (store.APIToken, error) {
	t, err := scanAPIToken(q.readRow(ctx, sqlAPITokenByHash, tokenHash))
	if err != nil {
		return store.APIToken{}, wrap(err, "api token by hash")
	}
	return t, nil
}
