package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Listing limits of GET /api/v1/organizations.
const (
	defaultOrgPage = 100
	maxOrgPage     = 500
)

// organizationRoutes mounts the customer mapping routes: organizations
// with their mapping status per integration, auto-match proposals,
// manual mapping, enable / disable and import of a PSA company, and the
// removal of an integration.
func (a *App) organizationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/organizations", a.listOrganizations)
	mux.HandleFunc("POST /api/v1/integrations/{name}/auto-match", a.autoMatch)
	mux.HandleFunc("PUT /api/v1/integrations/{name}/organizations/{org}", a.mapOrganization)
	mux.HandleFunc("DELETE /api/v1/integrations/{name}/organizations/{org}", a.unmapOrganization)
	mux.HandleFunc("POST /api/v1/integrations/{name}/organizations", a.importOrganization)
	mux.HandleFunc("DELETE /api/v1/integrations/{name}", a.deleteIntegration)
}

// orgMatching is one integration made ready to say how it treats
// organizations: its compiled rules and the companies they match from.
type orgMatching struct {
	name      string
	rules     *rules.Ruleset
	companies []psa.Company
	// warning says why companies are missing (the PSA could not be
	// read): statuses then know no auto-match.
	warning string
}

func (m orgMatching) match(o store.Organization) rules.OrgMatch {
	return m.rules.MatchOrganization(alert.Organization{ID: o.ID, Name: o.Name}, m.companies)
}

// matching loads an integration's plan and, from its PSA, the companies
// of its company filter. A PSA that cannot be read leaves the companies
// empty with a warning rather than failing a listing.
func (a *App) matching(ctx context.Context, it store.Integration) (orgMatching, error) {
	profile, _ := a.Profiles().Lookup(it.PSA)
	plan, err := engine.NewPlan(it, profile.Limits)
	if err != nil {
		return orgMatching{}, fmt.Errorf("integration %s: %w", it.Name, err)
	}
	m := orgMatching{name: it.Name, rules: plan.Rules}
	conn, err := a.connector(ctx, it, plan.Settings)
	if err == nil {
		m.companies, err = conn.Companies(ctx, plan.Rules.CompanyListFilter())
	}
	if err != nil {
		a.log.Warn("list companies for organization matching", "integration", it.Name, "err", err)
		m.warning = fmt.Sprintf("integration %s: the PSA's companies could not be read, so no organization shows as auto-matched", it.Name)
	}
	return m, nil
}

// orgIntegrationView is an organization's standing under one integration.
type orgIntegrationView struct {
	Integration string `json:"integration"`
	Status      string `json:"status"`
	Company     string `json:"company,omitempty"`
	CompanyID   string `json:"company_id,omitempty"`
}

// organizationView is an organization as listed.
type organizationView struct {
	Key          string               `json:"key"`
	ID           string               `json:"id,omitempty"`
	Name         string               `json:"name,omitempty"`
	Origin       string               `json:"origin"`
	CreatedAt    time.Time            `json:"created_at"`
	Integrations []orgIntegrationView `json:"integrations"`
}

func newOrganizationView(o store.Organization, ms []orgMatching) organizationView {
	v := organizationView{Key: o.Key, ID: o.ID, Name: o.Name, Origin: o.Origin, CreatedAt: o.CreatedAt, Integrations: []orgIntegrationView{}}
	for _, m := range ms {
		got := m.match(o)
		v.Integrations = append(v.Integrations, orgIntegrationView{
			Integration: m.name, Status: string(got.Status), Company: got.CompanyName, CompanyID: got.CompanyID,
		})
	}
	return v
}

// orgListQuery is GET /api/v1/organizations's query, checked.
type orgListQuery struct {
	q, status, integration string
	afterSort, afterKey    string
	limit                  int
}

func parseOrgListQuery(r *http.Request) (orgListQuery, []httpapi.FieldError) {
	v := r.URL.Query()
	q := orgListQuery{q: v.Get("q"), status: v.Get("status"), integration: v.Get("integration"), limit: defaultOrgPage}
	var errs []httpapi.FieldError
	if q.status != "" && !slices.Contains(rules.OrgStatuses, rules.OrgStatus(q.status)) {
		errs = append(errs, httpapi.FieldError{Field: "status", Reason: "must be one of mapped, auto_matched, catch_all, ignored, disabled"})
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxOrgPage {
			errs = append(errs, httpapi.FieldError{Field: "limit", Reason: fmt.Sprintf("must be a whole number from 1 to %d", maxOrgPage)})
		}
		q.limit = n
	}
	if c := v.Get("cursor"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		sortKey, key, found := strings.Cut(string(raw), "\x00")
		if err != nil || !found {
			errs = append(errs, httpapi.FieldError{Field: "cursor", Reason: "is not a cursor this API returned"})
		}
		q.afterSort, q.afterKey = sortKey, key
	}
	return q, errs
}

func orgCursor(o store.Organization) string {
	return base64.RawURLEncoding.EncodeToString([]byte(o.SortKey() + "\x00" + o.Key))
}

// listOrganizations serves GET /api/v1/organizations: the tenant's
// organizations alphabetically, each with its status under every
// integration (or the one named), filtered by search text and status.
func (a *App) listOrganizations(w http.ResponseWriter, r *http.Request) {
	ctx, tenant := r.Context(), a.tenantOf(r.Context())
	q, errs := parseOrgListQuery(r)
	if len(errs) > 0 {
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "", errs)
		return
	}
	its, err := a.Store.Integrations(ctx, tenant)
	if err != nil {
		a.internalError(w, "list integrations", err)
		return
	}
	if q.integration != "" {
		its = slices.DeleteFunc(its, func(it store.Integration) bool { return it.Name != q.integration })
		if len(its) == 0 {
			httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "",
				[]httpapi.FieldError{{Field: "integration", Reason: fmt.Sprintf("no integration %q", q.integration)}})
			return
		}
	}
	ms := make([]orgMatching, 0, len(its))
	warnings := []string{}
	for _, it := range its {
		m, err := a.matching(ctx, it)
		if err != nil {
			a.internalError(w, "prepare organization matching", err)
			return
		}
		if m.warning != "" {
			warnings = append(warnings, m.warning)
		}
		ms = append(ms, m)
	}
	views, next, err := a.pageOrganizations(ctx, tenant, q, ms)
	if err != nil {
		a.internalError(w, "list organizations", err)
		return
	}
	body := map[string]any{"organizations": views, "warnings": warnings}
	if next != "" {
		body["next_cursor"] = next
	}
	httpapi.JSON(w, http.StatusOK, body)
}

// pageOrganizations reads store pages until q.limit organizations pass
// the status filter, and returns them with the cursor of the next page
// ("" at the end).
func (a *App) pageOrganizations(ctx context.Context, tenant string, q orgListQuery, ms []orgMatching) ([]organizationView, string, error) {
	views := []organizationView{}
	f := store.OrganizationFilter{TenantID: tenant, Query: q.q, AfterSortKey: q.afterSort, AfterKey: q.afterKey, Limit: q.limit}
	for {
		page, err := a.Store.Organizations(ctx, f)
		if err != nil {
			return nil, "", err
		}
		for i, o := range page {
			v := newOrganizationView(o, ms)
			if q.status != "" && !slices.ContainsFunc(v.Integrations, func(s orgIntegrationView) bool { return s.Status == q.status }) {
				continue
			}
			views = append(views, v)
			if len(views) == q.limit {
				if i == len(page)-1 && len(page) < f.Limit {
					return views, "", nil
				}
				return views, orgCursor(o), nil
			}
		}
		if len(page) < f.Limit {
			return views, "", nil
		}
		last := page[len(page)-1]
		f.AfterSortKey, f.AfterKey = last.SortKey(), last.Key
	}
}

// loadIntegration reads the named integration of the request's tenant,
// answering 404 itself.
func (a *App) loadIntegration(w http.ResponseWriter, r *http.Request) (store.Integration, bool) {
	name := r.PathValue("name")
	it, err := a.Store.IntegrationByName(r.Context(), a.tenantOf(r.Context()), name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		httpapi.NotFound(w, "integration "+name)
		return it, false
	case err != nil:
		a.internalError(w, "read integration", err)
		return it, false
	}
	return it, true
}
