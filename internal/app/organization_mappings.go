package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// proposalView is one auto-match proposal: an organization that is not
// mapped and the company of its exact name.
type proposalView struct {
	Organization     string `json:"organization"`
	OrganizationName string `json:"organization_name,omitempty"`
	Status           string `json:"status"`
	Company          string `json:"company"`
	CompanyID        string `json:"company_id"`
}

// ignoredView is an organization whose exact-name company is ignored.
type ignoredView struct {
	Organization     string `json:"organization"`
	OrganizationName string `json:"organization_name,omitempty"`
}

// acceptedMatch is one proposal a person accepted, possibly edited.
type acceptedMatch struct {
	Organization string `json:"organization"`
	Company      string `json:"company"`
	Contact      string `json:"contact"`
}

// autoMatchBody is the body of POST .../auto-match: empty to get the
// stored integration's proposals, a draft (settings and credentials) to
// get the draft's, or accept to write the ones a person kept.
type autoMatchBody struct {
	Accept      []acceptedMatch   `json:"accept"`
	Settings    json.RawMessage   `json:"settings"`
	Credentials map[string]string `json:"credentials"`
}

// autoMatch serves POST /api/v1/integrations/{name}/auto-match. Without
// accept it proposes, for every organization the integration does not
// map, the company of its exact name among the companies of its filter
// (types, classifications), leaving ignored companies out; with a draft
// in the body, for the draft's companies settings, before they are
// saved. With accept it writes those mappings into the settings as PUT
// does (?dry_run=1 answers the plan only).
func (a *App) autoMatch(w http.ResponseWriter, r *http.Request) {
	var body autoMatchBody
	if r.ContentLength != 0 && !httpapi.DecodeJSON(w, r, &body) {
		return
	}
	if draft := (integrationWrite{Settings: body.Settings, Credentials: body.Credentials}); draft.isDraft() {
		if body.Accept != nil {
			httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "", []httpapi.FieldError{{Field: "accept",
				Reason: "accept writes the stored settings: send it without settings and credentials (save the draft first with PUT)"}})
			return
		}
		src, ok := a.catalogSource(w, r, draft)
		if !ok {
			return
		}
		m, err := a.draftMatching(r.Context(), src)
		if err != nil {
			a.planProblem(w, err)
			return
		}
		a.writeProposals(w, r, m)
		return
	}
	it, ok := a.loadIntegration(w, r)
	if !ok {
		return
	}
	if body.Accept != nil {
		a.acceptMatches(w, r, it, body.Accept)
		return
	}
	m, err := a.matching(r.Context(), it)
	if err != nil {
		a.internalError(w, "prepare organization matching", err)
		return
	}
	if m.warning != "" {
		httpapi.Problem(w, http.StatusBadGateway, "psa", "The PSA refused or could not be reached", m.warning, nil)
		return
	}
	a.writeProposals(w, r, m)
}

// writeProposals answers, for every organization of the tenant m does
// not map, the company of its exact name that m's rules would choose.
func (a *App) writeProposals(w http.ResponseWriter, r *http.Request, m orgMatching) {
	orgs, err := a.Store.Organizations(r.Context(), store.OrganizationFilter{TenantID: a.tenantOf(r.Context())})
	if err != nil {
		a.internalError(w, "list organizations", err)
		return
	}
	proposals := []proposalView{}
	// ignored are the organizations whose company of the same name
	// companies.ignore excludes: no proposal, but a screen listing them
	// must say why they stay with the catch-all.
	ignored := []ignoredView{}
	for _, o := range orgs {
		got := m.match(o)
		if got.Status == rules.OrgIgnored {
			ignored = append(ignored, ignoredView{Organization: o.Key, OrganizationName: o.Name})
			continue
		}
		if got.Proposal == nil || (got.Status != rules.OrgCatchAll && got.Status != rules.OrgAutoMatched) {
			continue
		}
		proposals = append(proposals, proposalView{Organization: o.Key, OrganizationName: o.Name, Status: string(got.Status),
			Company: got.Proposal.Name, CompanyID: got.Proposal.ID})
	}
	httpapi.JSON(w, http.StatusOK, map[string]any{"integration": m.name, "proposals": proposals, "ignored": ignored})
}

// acceptMatches writes accepted proposals as companies.map entries.
func (a *App) acceptMatches(w http.ResponseWriter, r *http.Request, it store.Integration, accept []acceptedMatch) {
	var bad []httpapi.FieldError
	seen := map[string]bool{}
	for i, m := range accept {
		key := strings.ToLower(strings.TrimSpace(m.Organization))
		switch {
		case key == "":
			bad = append(bad, httpapi.FieldError{Field: fmt.Sprintf("accept[%d].organization", i), Reason: "required"})
		case seen[key]:
			bad = append(bad, httpapi.FieldError{Field: fmt.Sprintf("accept[%d].organization", i), Reason: "named twice"})
		}
		seen[key] = true
		if strings.TrimSpace(m.Company) == "" {
			bad = append(bad, httpapi.FieldError{Field: fmt.Sprintf("accept[%d].company", i), Reason: "required: the company's name as the PSA shows it"})
		}
	}
	if len(accept) == 0 {
		bad = append(bad, httpapi.FieldError{Field: "accept", Reason: "list at least one proposal to accept, or leave accept out to get the proposals"})
	}
	if len(bad) > 0 {
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "", bad)
		return
	}
	fields := map[string]string{}
	a.editSettings(w, r, it, func(s *integration.Settings) {
		for i, m := range accept {
			path := setMapping(s, m.Organization, func(mp *integration.Mapping) {
				mp.Company, mp.Contact = integration.Pick{Name: m.Company}, integration.Pick{Name: m.Contact}
			})
			fields[path] = fmt.Sprintf("accept[%d]", i)
		}
	}, fields)
}

// orgMapping is the body of PUT .../organizations/{org}: a company (and
// contact) to map the organization to, and/or whether it is enabled.
type orgMapping struct {
	Company string `json:"company"`
	Contact string `json:"contact"`
	Enabled *bool  `json:"enabled"`
}

// mapOrganization serves PUT /api/v1/integrations/{name}/organizations/{org}:
// maps an organization to a company by name (resolved against the PSA's
// companies, with the nearest names when unknown), and / or enables or
// disables it, through the same path as PUT (so export shows it).
func (a *App) mapOrganization(w http.ResponseWriter, r *http.Request) {
	var body orgMapping
	if !httpapi.DecodeJSON(w, r, &body) {
		return
	}
	org := strings.TrimSpace(r.PathValue("org"))
	switch {
	case org == "":
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "", []httpapi.FieldError{{Field: "org", Reason: "required"}})
		return
	case strings.TrimSpace(body.Company) == "" && body.Enabled == nil:
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "",
			[]httpapi.FieldError{{Field: "company", Reason: "required unless enabled is given: the company's name as the PSA shows it"}})
		return
	case strings.TrimSpace(body.Company) == "" && body.Contact != "":
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "",
			[]httpapi.FieldError{{Field: "contact", Reason: "a contact needs a company"}})
		return
	}
	it, ok := a.loadIntegration(w, r)
	if !ok {
		return
	}
	fields := map[string]string{}
	a.editSettings(w, r, it, func(s *integration.Settings) {
		path := setMapping(s, org, func(m *integration.Mapping) {
			if body.Company != "" {
				m.Company, m.Contact = integration.Pick{Name: body.Company}, integration.Pick{Name: body.Contact}
			}
			if body.Enabled != nil {
				m.Enabled = body.Enabled
				if *body.Enabled {
					m.Enabled = nil // the default: export writes nothing
				}
			}
		})
		fields[path] = ""
		dropEmptyMapping(s, org)
	}, fields)
}

// unmapOrganization serves DELETE .../organizations/{org}: the
// organization's mapping goes, so it is auto-matched or caught again.
func (a *App) unmapOrganization(w http.ResponseWriter, r *http.Request) {
	org := r.PathValue("org")
	it, ok := a.loadIntegration(w, r)
	if !ok {
		return
	}
	var s integration.Settings
	if err := json.Unmarshal(it.Settings, &s); err != nil {
		a.internalError(w, "decode stored settings", err)
		return
	}
	if mappingIndex(&s, org) < 0 {
		httpapi.NotFound(w, "mapping of organization "+org)
		return
	}
	a.editSettings(w, r, it, func(s *integration.Settings) {
		i := mappingIndex(s, org)
		s.Companies.Map = append(s.Companies.Map[:i], s.Companies.Map[i+1:]...)
	}, nil)
}

// mappingIndex finds the companies.map entry of org, as the rules key it
// (trimmed, case-insensitive); -1 when there is none.
func mappingIndex(s *integration.Settings, org string) int {
	want := strings.ToLower(strings.TrimSpace(org))
	for i, m := range s.Companies.Map {
		if strings.ToLower(strings.TrimSpace(m.Organization)) == want {
			return i
		}
	}
	return -1
}

// setMapping edits org's companies.map entry, adding one when there is
// none, and returns its problem path.
func setMapping(s *integration.Settings, org string, edit func(*integration.Mapping)) string {
	i := mappingIndex(s, org)
	if i < 0 {
		s.Companies.Map = append(s.Companies.Map, integration.Mapping{Organization: strings.TrimSpace(org)})
		i = len(s.Companies.Map) - 1
	}
	edit(&s.Companies.Map[i])
	return integration.MappingPath(i, s.Companies.Map[i])
}

// dropEmptyMapping removes org's entry when it says nothing any more
// (enabled again with no company): the organization is back to default.
func dropEmptyMapping(s *integration.Settings, org string) {
	if i := mappingIndex(s, org); i >= 0 {
		if m := s.Companies.Map[i]; m.Company.IsZero() && m.Contact.IsZero() && m.Enabled == nil {
			s.Companies.Map = append(s.Companies.Map[:i], s.Companies.Map[i+1:]...)
		}
	}
}

// editSettings changes a stored integration's settings as a person wrote
// them and writes them as PUT does: resolved against the PSA, planned,
// applied unless ?dry_run=1; a failed plan writes nothing. fields maps
// the problem paths of the entries edit touched to the request's field
// names ("" for the body itself), so a bad company is reported as the
// field the caller sent.
func (a *App) editSettings(w http.ResponseWriter, r *http.Request, it store.Integration, edit func(*integration.Settings), fields map[string]string) {
	a.editSettingsThen(w, r, it, edit, fields, nil)
}

// editSettingsThen is editSettings that runs then, when the settings are
// written (or already said so), before answering.
func (a *App) editSettingsThen(w http.ResponseWriter, r *http.Request, it store.Integration, edit func(*integration.Settings),
	fields map[string]string, then func(p *Plan) error,
) {
	dryRun, ok := httpapi.BoolQuery(w, r, "dry_run")
	if !ok {
		return
	}
	var s integration.Settings
	if err := json.Unmarshal(it.Settings, &s); err != nil {
		a.internalError(w, "decode stored settings", err)
		return
	}
	s.Sync.SinceTime = "" // as PATCH: the settings as a person wrote them
	edit(&s)
	ctx := r.Context()
	if !a.withCredentials(w, ctx, &s, nil) {
		return
	}
	plans, err := a.PlanApply(ctx, []integration.Settings{s}, func(string) string { return "" })
	if err != nil {
		a.mappingProblem(w, err, fields)
		return
	}
	p := plans[0]
	view := planView{Name: p.Name, Changes: []string{}, Effects: p.Effects, Warnings: p.Warnings}
	for _, c := range p.Changes {
		view.Changes = append(view.Changes, c.String())
	}
	if dryRun {
		httpapi.JSON(w, http.StatusOK, view)
		return
	}
	if len(p.Changes) > 0 {
		if err := a.ApplyPlans(ctx, plans); err != nil {
			a.internalError(w, "apply integration", err)
			return
		}
		view.Applied = true
	}
	if then != nil {
		if err := then(p); err != nil {
			a.internalError(w, "after applying integration", err)
			return
		}
	}
	httpapi.JSON(w, http.StatusOK, view)
}

// mappingProblem answers a failed plan, naming the request's own fields
// for the problems of the entries it wrote.
func (a *App) mappingProblem(w http.ResponseWriter, err error, fields map[string]string) {
	var ve *integration.ValidationError
	if !errors.As(err, &ve) {
		a.planProblem(w, err)
		return
	}
	errs := make([]httpapi.FieldError, len(ve.Problems))
	for i, p := range ve.Problems {
		errs[i] = httpapi.FieldError{Field: "settings." + p.Path, Reason: p.Message}
		for path, field := range fields {
			if rest, ok := strings.CutPrefix(p.Path, path+"."); ok {
				errs[i].Field = strings.TrimPrefix(field+"."+rest, ".")
			} else if p.Path == path {
				errs[i].Field = strings.TrimPrefix(field+".organization", ".")
			}
		}
	}
	httpapi.Problem(w, http.StatusUnprocessableEntity, "invalid-settings", "Invalid settings",
		fmt.Sprintf("%d problem(s) in the settings", len(errs)), errs)
}

// importCompany is the body of POST .../organizations.
type importCompany struct {
	Company string `json:"company"`
	Contact string `json:"contact"`
}

// importOrganization serves POST /api/v1/integrations/{name}/organizations:
// a PSA company becomes an organization of its name ("Create
// Organization"), mapped to that company. The company is resolved as any
// mapping is; the record is written once the mapping is.
func (a *App) importOrganization(w http.ResponseWriter, r *http.Request) {
	var body importCompany
	if !httpapi.DecodeJSON(w, r, &body) {
		return
	}
	name := strings.TrimSpace(body.Company)
	if name == "" {
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "",
			[]httpapi.FieldError{{Field: "company", Reason: "required: the company's name as the PSA shows it"}})
		return
	}
	it, ok := a.loadIntegration(w, r)
	if !ok {
		return
	}
	tenant := a.tenantOf(r.Context())
	fields := map[string]string{}
	a.editSettingsThen(w, r, it, func(s *integration.Settings) {
		path := setMapping(s, name, func(m *integration.Mapping) {
			m.Company, m.Contact = integration.Pick{Name: name}, integration.Pick{Name: body.Contact}
		})
		fields[path] = ""
	}, fields, func(p *Plan) error {
		company := name
		if i := mappingIndex(&p.settings, name); i >= 0 {
			company = p.settings.Companies.Map[i].Company.Name // the PSA's spelling
		}
		return a.Store.UpsertOrganizations(r.Context(), []store.Organization{{
			TenantID: tenant, Key: name, Name: company, Origin: store.OriginPSAPrefix + it.Name, CreatedAt: a.now(),
		}})
	})
}
