package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ticketbridge/ticketbridge/internal/store"
)

const (
	// ON CONFLICT DO NOTHING: a taken id or token hash is an answer
	// (ErrConflict), not an error that would abort the transaction.
	sqlInsertSource = `INSERT INTO sources (tenant_id, id, name, token_hash, callback_url, created_at, format, settings)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT DO NOTHING`
	sqlSourceColumns   = `SELECT tenant_id, id, name, token_hash, callback_url, created_at, format, settings FROM sources`
	sqlSourceByToken   = sqlSourceColumns + ` WHERE token_hash = $1`
	sqlSourcesByTokens = sqlSourceColumns + ` WHERE token_hash = ANY($1::text[])`
	sqlSourcesOfTenant = sqlSourceColumns + ` WHERE tenant_id = $1 ORDER BY id`
	sqlInsertAPIToken  = `INSERT INTO api_tokens (tenant_id, name, token_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING`
	sqlAPITokenByHash = sqlAPITokenColumns + ` WHERE token_hash = $1 AND revoked_at IS NULL`
)

// CreateSource stores a source; ErrConflict when its id or token hash is
// taken.
func (q *queries) CreateSource(ctx context.Context, s store.Source) error {
	err := inserted(q.exec(ctx, sqlInsertSource, s.TenantID, s.ID, s.Name, nullString(s.TokenHash),
		s.CallbackURL, q.orNow(s.CreatedAt), s.FormatOrCanonical(), s.SettingsOrEmpty()))
	return wrap(err, "create source")
}

const sqlSetSourceFormat = `UPDATE sources SET format = $1, settings = $2 WHERE tenant_id = $3 AND id = $4`

// SetSourceFormat changes a source's format and settings.
func (q *queries) SetSourceFormat(ctx context.Context, tenant, id, format string, settings []byte) error {
	src := store.Source{Format: format, Settings: settings}
	err := affected(q.exec(ctx, sqlSetSourceFormat, src.FormatOrCanonical(), src.SettingsOrEmpty(), tenant, id))
	return wrap(err, "set source format")
}

// SourceByTokenHash finds the source a bearer token belongs to.
func (q *queries) SourceByTokenHash(ctx context.Context, tokenHash string) (store.Source, error) {
	s, err := scanSource(q.db.QueryRow(ctx, sqlSourceByToken, tokenHash))
	return s, wrap(err, "source by token")
}

// SourcesByTokenHashes returns the sources holding any of the hashes.
func (q *queries) SourcesByTokenHashes(ctx context.Context, tokenHashes []string) ([]store.Source, error) {
	if len(tokenHashes) == 0 {
		return nil, nil
	}
	rows, err := q.db.Query(ctx, sqlSourcesByTokens, tokenHashes)
	out, err := collect(rows, err, scanSource)
	return out, wrap(err, "sources by token")
}

// Sources lists a tenant's sources by id.
func (q *queries) Sources(ctx context.Context, tenant string) ([]store.Source, error) {
	rows, err := q.db.Query(ctx, sqlSourcesOfTenant, tenant)
	out, err := collect(rows, err, scanSource)
	return out, wrap(err, "list sources")
}

func scanSource(r pgx.Row) (store.Source, error) {
	var s store.Source
	var token *string
	var settings string
	if err := r.Scan(&s.TenantID, &s.ID, &s.Name, &token, &s.CallbackURL, &s.CreatedAt, &s.Format, &settings); err != nil {
		return store.Source{}, err
	}
	s.TokenHash, s.CreatedAt, s.Settings = deref(token), s.CreatedAt.UTC(), []byte(settings)
	return s, nil
}

// CreateAPIToken stores a management API token; ErrConflict when its name
// or hash is taken.
func (q *queries) CreateAPIToken(ctx context.Context, t store.APIToken) error {
	err := inserted(q.exec(ctx, sqlInsertAPIToken, t.TenantID, t.Name, t.TokenHash, t.RoleOrAdmin(), q.orNow(t.CreatedAt)))
	return wrap(err, "create api token")
}

// APITokenByHash finds the API token with the hash.
func (q *queries) APITokenByHash(ctx context.Context, tokenHash string) (store.APIToken, error) {
	t, err := scanAPIToken(q.db.QueryRow(ctx, sqlAPITokenByHash, tokenHash))
	if err != nil {
		return store.APIToken{}, wrap(err, "api token by hash")
	}
	return t, nil
}
