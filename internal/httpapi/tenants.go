package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// AdminTokenPrefix starts every tenant admin token this API issues.
const AdminTokenPrefix = "tba_"

// operatorPrefix is where the operator's routes live. A tenant's token
// gets 404 there: a tenant does not learn that other tenants exist.
const operatorPrefix = "/api/v1/tenants"

// tenantID is what a tenant id may be: it appears in URLs, logs and the
// CLI's --tenant flag.
var tenantID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// tokenName is what an API token's name may be.
var tokenName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// ValidTenantID reports whether id may name a tenant.
func ValidTenantID(id string) bool { return tenantID.MatchString(id) }

func (s *server) tenantRoutes() {
	s.mux.HandleFunc("POST /api/v1/tenants", s.createTenant)
	s.mux.HandleFunc("GET /api/v1/tenants", s.listTenants)
	s.mux.HandleFunc("GET /api/v1/tenants/{id}", s.getTenant)
	s.mux.HandleFunc("DELETE /api/v1/tenants/{id}", s.deleteTenant)
	s.mux.HandleFunc("POST /api/v1/tenants/{id}/tokens", s.createTenantToken)
	s.mux.HandleFunc("GET /api/v1/tenants/{id}/tokens", s.listTenantTokens)
	s.mux.HandleFunc("DELETE /api/v1/tenants/{id}/tokens/{name}", s.revokeTenantToken)
	s.mux.HandleFunc("POST /api/v1/tokens", s.createOwnToken)
	s.mux.HandleFunc("GET /api/v1/tokens", s.listOwnTokens)
	s.mux.HandleFunc("DELETE /api/v1/tokens/{name}", s.revokeOwnToken)
}

// allowed keeps each kind of caller to its routes: the operator to the
// tenant routes, a tenant admin to everything else, a source to reading
// its own alerts. It answers itself when the caller may not go on.
func (s *server) allowed(w http.ResponseWriter, p principal, pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	operatorRoute := path == operatorPrefix || strings.HasPrefix(path, operatorPrefix+"/")
	switch {
	case p.operator && operatorRoute, p.admin() && !operatorRoute:
		return true
	case operatorRoute:
		writeProblem(w, http.StatusNotFound, "not-found", "Not found", "no such route", nil)
	case p.operator:
		writeProblem(w, http.StatusForbidden, "forbidden", "Forbidden",
			"the operator token manages tenants only; use a tenant's admin token", nil)
	case pattern == patternAlert:
		return true
	default:
		writeProblem(w, http.StatusForbidden, "forbidden", "Forbidden",
			"a source token may only read its own alerts; use an API token", nil)
	}
	return false
}

// tenantView is a tenant as listed.
type tenantView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// tokenView is an API token as listed: never the token or its hash.
type tokenView struct {
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// createdToken answers a token's creation: the only time it is shown.
type createdToken struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Token     string    `json:"token"`
	CreatedAt time.Time `json:"created_at"`
}

// createdTenant answers POST /api/v1/tenants with the tenant's first
// admin token, shown once.
type createdTenant struct {
	tenantView
	AdminToken createdToken `json:"admin_token"`
}

func (s *server) createTenant(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if !tenantID.MatchString(in.ID) {
		badRequest(w, "the tenant is not valid", FieldError{Field: "id",
			Reason: "set 1 to 63 lowercase letters, digits or hyphens, starting with a letter or digit"})
		return
	}
	if in.Name == "" {
		in.Name = in.ID
	}
	t := store.Tenant{ID: in.ID, Name: in.Name, CreatedAt: s.cfg.Now().UTC()}
	tok := newToken(t.ID, "admin", t.CreatedAt)
	err := s.cfg.Store.InTx(r.Context(), func(q store.Queries) error {
		if err := q.CreateTenant(r.Context(), t); err != nil {
			return err
		}
		return q.CreateAPIToken(r.Context(), tok.record)
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		writeProblem(w, http.StatusConflict, "conflict", "Tenant exists", fmt.Sprintf("a tenant with id %q already exists", in.ID), nil)
	case err != nil:
		s.internal(w, r, "create tenant", err)
	default:
		ok(w, http.StatusCreated, createdTenant{tenantView: tenantView(t), AdminToken: tok.view})
	}
}

func (s *server) listTenants(w http.ResponseWriter, r *http.Request) {
	ts, err := s.cfg.Store.Tenants(r.Context())
	if err != nil {
		s.internal(w, r, "list tenants", err)
		return
	}
	views := make([]tenantView, len(ts))
	for i, t := range ts {
		views[i] = tenantView(t)
	}
	ok(w, http.StatusOK, map[string]any{"tenants": views})
}

func (s *server) getTenant(w http.ResponseWriter, r *http.Request) {
	if t, found := s.tenantOr404(w, r); found {
		ok(w, http.StatusOK, tenantView(t))
	}
}

// tenantOr404 reads the tenant named in the path, answering 404 or 500
// itself when it cannot.
func (s *server) tenantOr404(w http.ResponseWriter, r *http.Request) (store.Tenant, bool) {
	t, err := s.cfg.Store.Tenant(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		notFound(w, "tenant")
		return t, false
	case err != nil:
		s.internal(w, r, "get tenant", err)
		return t, false
	}
	return t, true
}

// deleteTenant serves DELETE /api/v1/tenants/{id}: a tenant that holds
// sources, integrations or alerts is refused (409) unless ?force=1, which
// deletes all of it in the same transaction as the tenant, so no half
// tenant is ever left. The default tenant is where a single-MSP
// installation lives and is never deleted.
func (s *server) deleteTenant(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == store.DefaultTenant {
		writeProblem(w, http.StatusConflict, "conflict", "Default tenant", "the default tenant cannot be deleted", nil)
		return
	}
	force, valid := boolQuery(w, r, "force")
	if !valid {
		return
	}
	errHasData := errors.New("tenant has data")
	err := s.cfg.Store.InTx(r.Context(), func(q store.Queries) error {
		if !force {
			used, err := q.TenantHasData(r.Context(), id)
			if err != nil {
				return err
			}
			if used {
				return errHasData
			}
		}
		return q.DeleteTenant(r.Context(), id)
	})
	switch {
	case errors.Is(err, errHasData):
		writeProblem(w, http.StatusConflict, "conflict", "Tenant has data",
			"the tenant still has sources, integrations or alerts; add ?force=1 to delete them with it", nil)
	case errors.Is(err, store.ErrNotFound):
		notFound(w, "tenant")
	case err != nil:
		s.internal(w, r, "delete tenant", err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *server) createTenantToken(w http.ResponseWriter, r *http.Request) {
	if t, found := s.tenantOr404(w, r); found {
		s.createToken(w, r, t.ID)
	}
}

func (s *server) listTenantTokens(w http.ResponseWriter, r *http.Request) {
	if t, found := s.tenantOr404(w, r); found {
		s.listTokens(w, r, t.ID)
	}
}

func (s *server) revokeTenantToken(w http.ResponseWriter, r *http.Request) {
	if t, found := s.tenantOr404(w, r); found {
		s.revokeToken(w, r, t.ID)
	}
}

func (s *server) createOwnToken(w http.ResponseWriter, r *http.Request) {
	s.createToken(w, r, principalFrom(r.Context()).tenant)
}

func (s *server) listOwnTokens(w http.ResponseWriter, r *http.Request) {
	s.listTokens(w, r, principalFrom(r.Context()).tenant)
}

func (s *server) revokeOwnToken(w http.ResponseWriter, r *http.Request) {
	s.revokeToken(w, r, principalFrom(r.Context()).tenant)
}

// issued is a fresh token: its stored record and its one-time view.
type issued struct {
	record store.APIToken
	view   createdToken
}

func newToken(tenant, name string, at time.Time) issued {
	token := ingest.NewToken(AdminTokenPrefix)
	return issued{
		record: store.APIToken{TenantID: tenant, Name: name, TokenHash: ingest.HashToken(token), Role: store.RoleAdmin, CreatedAt: at},
		view:   createdToken{Name: name, Role: store.RoleAdmin, Token: token, CreatedAt: at},
	}
}

// createToken issues an admin token of tenant; the body names it.
func (s *server) createToken(w http.ResponseWriter, r *http.Request, tenant string) {
	var in struct {
		Name string `json:"name"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if !tokenName.MatchString(in.Name) {
		badRequest(w, "the token is not valid", FieldError{Field: "name",
			Reason: "set 1 to 63 letters, digits, dots, underscores or hyphens"})
		return
	}
	tok := newToken(tenant, in.Name, s.cfg.Now().UTC())
	err := s.cfg.Store.CreateAPIToken(r.Context(), tok.record)
	switch {
	case errors.Is(err, store.ErrConflict):
		writeProblem(w, http.StatusConflict, "conflict", "Token exists",
			fmt.Sprintf("a token named %q exists (revoked names stay taken)", in.Name), nil)
	case err != nil:
		s.internal(w, r, "create api token", err)
	default:
		ok(w, http.StatusCreated, tok.view)
	}
}

func (s *server) listTokens(w http.ResponseWriter, r *http.Request, tenant string) {
	toks, err := s.cfg.Store.APITokens(r.Context(), tenant)
	if err != nil {
		s.internal(w, r, "list api tokens", err)
		return
	}
	views := make([]tokenView, len(toks))
	for i, t := range toks {
		views[i] = tokenView{Name: t.Name, Role: t.RoleOrAdmin(), CreatedAt: t.CreatedAt, RevokedAt: t.RevokedAt}
	}
	ok(w, http.StatusOK, map[string]any{"tokens": views})
}

// revokeToken revokes tenant's live token named in the path; it stops
// authenticating with the next request.
func (s *server) revokeToken(w http.ResponseWriter, r *http.Request, tenant string) {
	err := s.cfg.Store.RevokeAPIToken(r.Context(), tenant, r.PathValue("name"), s.cfg.Now().UTC())
	switch {
	case errors.Is(err, store.ErrNotFound):
		notFound(w, "token")
	case err != nil:
		s.internal(w, r, "revoke api token", err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
