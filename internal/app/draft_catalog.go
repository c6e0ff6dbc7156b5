package app

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
)

// Listing limits of POST /api/v1/integrations/{name}/companies.
const (
	defaultCompanyPage = 50
	maxCompanyPage     = 500
)

// catalogSource is the PSA connection a catalog route (test, picklists,
// companies, auto-match proposals) reads: the stored integration's, or a
// draft's — the settings and credentials the console's wizard has
// collected so far, before it saves them.
type catalogSource struct {
	conn     psa.Connector
	settings integration.Settings
	// draft settings name PSA values as a person typed them; stored ones
	// were resolved to ids when they were applied.
	draft bool
}

// isDraft reports whether a body carries a draft rather than asking for
// the stored integration.
func (b integrationWrite) isDraft() bool {
	return len(bytes.TrimSpace(b.Settings)) > 0 || len(b.Credentials) > 0
}

// catalogSource builds the connection of the body's draft when it
// carries one (secrets not given are kept from what is stored), else of
// the stored integration; it answers the problem itself.
func (a *App) catalogSource(w http.ResponseWriter, r *http.Request, body integrationWrite) (catalogSource, bool) {
	ctx, name := r.Context(), r.PathValue("name")
	if !body.isDraft() {
		return a.storedSource(w, ctx, name)
	}
	s, ok := a.settingsFromBody(w, name, body.Settings)
	if !ok || !a.withCredentials(w, ctx, &s, body.Credentials) {
		return catalogSource{}, false
	}
	integration.ApplyDefaults(&s) // the PSA's name as profiles know it
	conn, err := a.connectorFor(ctx, s)
	if err != nil {
		a.planProblem(w, err)
		return catalogSource{}, false
	}
	return catalogSource{conn: conn, settings: s, draft: true}, true
}

// draftPicklists serves POST /api/v1/integrations/{name}/picklists: the
// picklists read with the body's draft connection, never cached (the
// draft may point at another PSA than the one stored); with no body, the
// stored integration's as GET serves them.
func (a *App) draftPicklists(w http.ResponseWriter, r *http.Request) {
	var body integrationWrite
	if r.ContentLength != 0 && !httpapi.DecodeJSON(w, r, &body) {
		return
	}
	if !body.isDraft() {
		a.integrationPicklists(w, r)
		return
	}
	src, ok := a.catalogSource(w, r, body)
	if !ok {
		return
	}
	lists, err := src.conn.Picklists(r.Context())
	if err != nil {
		a.planProblem(w, psaRefusal("read picklists", err, a.Profiles(), src.settings.PSA))
		return
	}
	writePicklists(w, r.PathValue("name"), a.now(), lists)
}

// companyRules compiles what choosing a company needs from settings —
// companies.map, ignore, filter and auto_match — and nothing else: a
// wizard reaches the ticket fields and the catch-all company after the
// customer mapping screens, so a draft may not have them yet. A draft's
// filter names are resolved against the PSA's picklists the way apply
// resolves them; stored settings already hold the ids.
func (a *App) companyRules(ctx context.Context, src catalogSource) (*rules.Ruleset, error) {
	c := src.settings.Companies
	narrow := integration.Settings{Name: src.settings.Name, PSA: src.settings.PSA, Companies: integration.Companies{
		AutoMatch: c.AutoMatch, Map: c.Map, Ignore: c.Ignore, Filter: c.Filter,
	}}
	if src.draft && !filterEmpty(c.Filter) {
		lists, err := src.conn.Picklists(ctx)
		if err != nil {
			return nil, psaRefusal("read picklists", err, a.Profiles(), src.settings.PSA)
		}
		// Resolve reads the PSA values of every section; only the filter
		// is set here, so only its names can be reported.
		only := integration.Settings{Companies: integration.Companies{Filter: cloneFilter(c.Filter)}}
		if err := integration.Resolve(&only, integration.Catalog{Picklists: lists}); err != nil {
			return nil, err
		}
		narrow.Companies.Filter = only.Companies.Filter
	}
	rs, err := rules.Compile(narrow)
	if err != nil {
		return nil, fmt.Errorf("compile company rules: %w", err)
	}
	return rs, nil
}

func filterEmpty(f integration.CompanyFilter) bool {
	return len(f.Types) == 0 && len(f.Classifications) == 0 && len(f.MarketSegments) == 0
}

// cloneFilter copies f, so resolving it leaves the caller's settings as
// they were sent.
func cloneFilter(f integration.CompanyFilter) integration.CompanyFilter {
	f.Types, f.Classifications, f.MarketSegments = slices.Clone(f.Types), slices.Clone(f.Classifications), slices.Clone(f.MarketSegments)
	return f
}

// companyView is one PSA company as the companies route lists it.
type companyView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// parseCompanyQuery checks POST .../companies's query.
func parseCompanyQuery(r *http.Request) (search string, limit int, errs []httpapi.FieldError) {
	v := r.URL.Query()
	search, limit = strings.TrimSpace(v.Get("search")), defaultCompanyPage
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxCompanyPage {
			return search, limit, []httpapi.FieldError{{Field: "limit", Reason: fmt.Sprintf("must be a whole number from 1 to %d", maxCompanyPage)}}
		}
		limit = n
	}
	return search, limit, nil
}

// listCompanies serves POST /api/v1/integrations/{name}/companies: the
// PSA's active companies that companies.filter lets through (the ones
// mapping and auto-match choose from), those whose name holds ?search
// (any case), alphabetically, at most ?limit; total counts the matches
// before the limit. The body is a draft, or empty for the stored
// integration.
func (a *App) listCompanies(w http.ResponseWriter, r *http.Request) {
	search, limit, errs := parseCompanyQuery(r)
	if len(errs) > 0 {
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "", errs)
		return
	}
	var body integrationWrite
	if r.ContentLength != 0 && !httpapi.DecodeJSON(w, r, &body) {
		return
	}
	src, ok := a.catalogSource(w, r, body)
	if !ok {
		return
	}
	rs, err := a.companyRules(r.Context(), src)
	if err != nil {
		a.planProblem(w, err)
		return
	}
	all, err := src.conn.Companies(r.Context(), rs.CompanyListFilter())
	if err != nil {
		a.planProblem(w, psaRefusal("list companies", err, a.Profiles(), src.settings.PSA))
		return
	}
	found := searchCompanies(all, search)
	httpapi.JSON(w, http.StatusOK, map[string]any{
		"integration": r.PathValue("name"), "companies": found[:min(limit, len(found))], "total": len(found),
	})
}

// searchCompanies keeps the active companies whose name holds search,
// case-insensitively, sorted by name (then id, so equal names keep one
// order).
func searchCompanies(all []psa.Company, search string) []companyView {
	want := strings.ToLower(search)
	found := []companyView{}
	for _, c := range all {
		if c.Active && strings.Contains(strings.ToLower(c.Name), want) {
			found = append(found, companyView{ID: c.ID, Name: c.Name})
		}
	}
	slices.SortFunc(found, func(x, y companyView) int {
		return cmp.Or(cmp.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)), cmp.Compare(x.ID, y.ID))
	})
	return found
}

// draftMatching makes a draft ready to say how it treats organizations:
// its company rules and the companies of its filter, read from the PSA.
// A PSA that refuses fails the request, since the draft's proposals are
// all it asks for.
func (a *App) draftMatching(ctx context.Context, src catalogSource) (orgMatching, error) {
	rs, err := a.companyRules(ctx, src)
	if err != nil {
		return orgMatching{}, err
	}
	companies, err := src.conn.Companies(ctx, rs.CompanyListFilter())
	if err != nil {
		return orgMatching{}, psaRefusal("list companies", err, a.Profiles(), src.settings.PSA)
	}
	return orgMatching{name: src.settings.Name, rules: rs, companies: companies}, nil
}
