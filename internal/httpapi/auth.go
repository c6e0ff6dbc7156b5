package httpapi

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// principal is who is calling: a tenant's admin API token, the
// operator (who manages tenants and reads no tenant's objects), or a
// source whose token may read the source's own alerts.
type principal struct {
	tenant   string
	name     string        // API token name, or the source id
	source   *store.Source // nil for an API token
	operator bool
}

func (p principal) admin() bool { return p.source == nil && !p.operator }

type principalKey struct{}

func withPrincipal(ctx context.Context, p principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

func principalFrom(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// Tenant returns the tenant of the authenticated caller of a request
// served by this API (for routes mounted through Config.Extra), and false
// outside it.
func Tenant(ctx context.Context) (string, bool) {
	p, ok := ctx.Value(principalKey{}).(principal)
	return p.tenant, ok
}

// authenticate resolves the bearer token: first as an API token, then as a
// source token. It answers 401 (or 500 when the store fails) itself.
func (s *server) authenticate(w http.ResponseWriter, r *http.Request) (principal, bool) {
	token := ingest.BearerToken(r)
	if token == "" {
		unauthorized(w, "send an API token as Authorization: Bearer <token>")
		return principal{}, false
	}
	hash := ingest.HashToken(token)
	if s.cfg.OperatorTokenHash != "" && sameHash(s.cfg.OperatorTokenHash, hash) {
		return principal{name: "operator", operator: true}, true
	}
	ctx := r.Context()
	tok, err := s.cfg.Store.APITokenByHash(ctx, hash) // a revoked token is not found
	if err == nil && sameHash(tok.TokenHash, hash) {
		return principal{tenant: tok.TenantID, name: tok.Name, operator: tok.Role == store.RoleOperator}, true
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internal(w, r, "look up api token", err)
		return principal{}, false
	}
	src, err := s.cfg.Store.SourceByTokenHash(ctx, hash)
	if err == nil && sameHash(src.TokenHash, hash) {
		return principal{tenant: src.TenantID, name: src.ID, source: &src}, true
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internal(w, r, "look up source token", err)
		return principal{}, false
	}
	unauthorized(w, "the token is not valid")
	return principal{}, false
}

// sameHash compares in constant time, so a store that matched loosely
// cannot let in a token that is not exactly the one issued.
func sameHash(stored, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(stored), []byte(hash)) == 1
}

func unauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", "Bearer")
	writeProblem(w, http.StatusUnauthorized, "unauthorized", "Unauthorized", detail, nil)
}
