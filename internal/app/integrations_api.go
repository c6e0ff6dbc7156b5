package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// integrationWrite is the body of the integration write routes: the
// settings as apply reads them (JSON instead of YAML) and the secret
// values by credential name. Secrets go only one way: no answer holds
// them.
type integrationWrite struct {
	Settings    json.RawMessage   `json:"settings"`
	Credentials map[string]string `json:"credentials"`
}

// planView is what a write answers: the plan apply would print, and
// whether it was written.
type planView struct {
	Name     string   `json:"name"`
	Created  bool     `json:"created"`
	Changes  []string `json:"changes"`
	Effects  []string `json:"effects"`
	Warnings []string `json:"warnings"`
	Applied  bool     `json:"applied"`
}

// picklistsTTL is how long a PSA's picklists are served from memory.
const picklistsTTL = 10 * time.Minute

// picklistCache holds each integration's picklists as last read.
type picklistCache struct {
	mu   sync.Mutex
	byIt map[string]cachedPicklists
}

type cachedPicklists struct {
	at    time.Time
	lists psa.Picklists
}

// integrationRoutes mounts the integration write routes: the same
// semantics as apply, over REST.
func (a *App) integrationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("PUT /api/v1/integrations/{name}", a.putIntegration)
	mux.HandleFunc("PATCH /api/v1/integrations/{name}", a.patchIntegration)
	mux.HandleFunc("POST /api/v1/integrations/{name}/test", a.testIntegration)
	mux.HandleFunc("GET /api/v1/integrations/{name}/picklists", a.integrationPicklists)
	mux.HandleFunc("POST /api/v1/integrations/{name}/picklists", a.draftPicklists)
	mux.HandleFunc("POST /api/v1/integrations/{name}/companies", a.listCompanies)
}

// putIntegration creates or replaces an integration; ?dry_run=1 answers
// the plan without writing.
func (a *App) putIntegration(w http.ResponseWriter, r *http.Request) {
	var body integrationWrite
	if !httpapi.DecodeJSON(w, r, &body) {
		return
	}
	s, ok := a.settingsFromBody(w, r.PathValue("name"), body.Settings)
	if !ok {
		return
	}
	a.writeIntegration(w, r, s, body.Credentials)
}

// patchIntegration applies a JSON merge patch (RFC 7396) to the stored
// settings, then writes them as PUT does.
func (a *App) patchIntegration(w http.ResponseWriter, r *http.Request) {
	var body integrationWrite
	if !httpapi.DecodeJSON(w, r, &body) {
		return
	}
	name := r.PathValue("name")
	old, err := a.Store.IntegrationByName(r.Context(), a.tenantOf(r.Context()), name)
	if errors.Is(err, store.ErrNotFound) {
		httpapi.NotFound(w, "integration "+name)
		return
	}
	if err != nil {
		a.internalError(w, "read integration", err)
		return
	}
	var current integration.Settings
	if err := json.Unmarshal(old.Settings, &current); err != nil {
		a.internalError(w, "decode stored settings", err)
		return
	}
	// The patch applies to the settings as a person wrote them: PSA
	// values by name, the time since was resolved to not carried over.
	current.Sync.SinceTime = ""
	base, err := json.Marshal(current)
	if err != nil {
		a.internalError(w, "encode settings", err)
		return
	}
	merged := base
	if len(body.Settings) > 0 {
		if merged, err = mergePatch(base, body.Settings); err != nil {
			httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "settings: "+err.Error(), nil)
			return
		}
	}
	s, ok := a.settingsFromBody(w, name, merged)
	if !ok {
		return
	}
	a.writeIntegration(w, r, s, body.Credentials)
}

// settingsFromBody decodes settings strictly; the name in the path is the
// integration's, and secrets are never read from the server's own
// environment or files on a caller's behalf.
func (a *App) settingsFromBody(w http.ResponseWriter, name string, raw json.RawMessage) (integration.Settings, bool) {
	var s integration.Settings
	if len(bytes.TrimSpace(raw)) == 0 {
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "settings: required: send the integration settings as apply reads them, in JSON", nil)
		return s, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "settings: "+strings.TrimPrefix(err.Error(), "json: "), nil)
		return s, false
	}
	switch {
	case s.Name == "":
		s.Name = name
	case s.Name != name:
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "", []httpapi.FieldError{
			{Field: "settings.name", Reason: fmt.Sprintf("%q differs from the integration in the path, %q: leave it out or make them equal", s.Name, name)},
		})
		return s, false
	}
	var bad []httpapi.FieldError
	refs := s.Connection.SecretRefs()
	for _, cred := range slices.Sorted(maps.Keys(refs)) {
		if ref := refs[cred]; ref.Env != "" || ref.File != "" {
			bad = append(bad, httpapi.FieldError{Field: "settings.connection." + cred,
				Reason: "env and file references are read by apply on its own machine: over the API send the value as credentials." + cred})
		}
	}
	if len(bad) > 0 {
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "", bad)
		return s, false
	}
	return s, true
}

// writeIntegration plans s with the given secrets and the stored ones it
// keeps, and writes it unless the request is a dry run.
func (a *App) writeIntegration(w http.ResponseWriter, r *http.Request, s integration.Settings, creds map[string]string) {
	ctx := r.Context()
	dryRun, ok := httpapi.BoolQuery(w, r, "dry_run")
	if !ok {
		return
	}
	if !a.withCredentials(w, ctx, &s, creds) {
		return
	}
	plans, err := a.PlanApply(ctx, []integration.Settings{s}, func(string) string { return "" })
	if err != nil {
		a.planProblem(w, err)
		return
	}
	p := plans[0]
	view := planView{Name: p.Name, Created: p.New, Changes: []string{}, Effects: p.Effects, Warnings: p.Warnings}
	for _, c := range p.Changes {
		view.Changes = append(view.Changes, c.String())
	}
	if dryRun || len(p.Changes) == 0 {
		httpapi.JSON(w, http.StatusOK, view)
		return
	}
	if err := a.ApplyPlans(ctx, plans); err != nil {
		a.internalError(w, "apply integration", err)
		return
	}
	view.Applied = true
	status := http.StatusOK
	if p.New {
		status = http.StatusCreated
	}
	httpapi.JSON(w, status, view)
}

// withCredentials puts the given secret values into s, and marks the ones
// not given as kept from what is stored.
func (a *App) withCredentials(w http.ResponseWriter, ctx context.Context, s *integration.Settings, creds map[string]string) bool {
	refs := s.Connection.SecretRefs()
	var bad []httpapi.FieldError
	for _, name := range slices.Sorted(maps.Keys(creds)) {
		if _, known := refs[name]; !known {
			bad = append(bad, httpapi.FieldError{Field: "credentials." + name,
				Reason: "not a credential: use one of " + strings.Join(slices.Sorted(maps.Keys(refs)), ", ")})
		}
	}
	if len(bad) > 0 {
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "", bad)
		return false
	}
	stored := map[string]string{}
	if old, err := a.Store.IntegrationByName(ctx, a.tenantOf(ctx), s.Name); err == nil {
		stored = old.Credentials
	} else if !errors.Is(err, store.ErrNotFound) {
		a.internalError(w, "read integration", err)
		return false
	}
	for name, ref := range refs {
		switch v, given := creds[name]; {
		case given:
			*ref = integration.SecretRef{Value: v}
		case stored[name] != "":
			*ref = integration.SecretRef{Stored: true}
		}
	}
	return true
}

// planProblem answers a failed plan: settings problems name their
// fields, a PSA that refuses or cannot be reached is a bad gateway.
func (a *App) planProblem(w http.ResponseWriter, err error) {
	var ve *integration.ValidationError
	if errors.As(err, &ve) {
		errs := make([]httpapi.FieldError, len(ve.Problems))
		for i, p := range ve.Problems {
			errs[i] = httpapi.FieldError{Field: "settings." + p.Path, Reason: p.Message}
		}
		httpapi.Problem(w, http.StatusUnprocessableEntity, "invalid-settings", "Invalid settings",
			fmt.Sprintf("%d problem(s) in the settings", len(errs)), errs)
		return
	}
	var pe *psa.Error
	if errors.As(err, &pe) {
		httpapi.Problem(w, http.StatusBadGateway, "psa", "The PSA refused or could not be reached", err.Error(), nil)
		return
	}
	// What is left are the plan's own words about the settings (a
	// credential marked stored with nothing stored, a template that does
	// not compile); they hold no secrets.
	httpapi.Problem(w, http.StatusBadRequest, "invalid-settings", "Invalid settings", err.Error(), nil)
}

// testIntegration runs test connection with the stored settings and
// credentials, or with the ones in the body (a settings document and
// credentials, before they are saved).
func (a *App) testIntegration(w http.ResponseWriter, r *http.Request) {
	var body integrationWrite
	if r.ContentLength != 0 && !httpapi.DecodeJSON(w, r, &body) {
		return
	}
	src, ok := a.catalogSource(w, r, body)
	if !ok {
		return
	}
	if err := src.conn.Test(r.Context()); err != nil {
		a.planProblem(w, testError(err, a.Profiles(), src.settings.PSA))
		return
	}
	httpapi.JSON(w, http.StatusOK, map[string]any{"ok": true})
}

// connectorFor builds a connector from settings not yet stored, with the
// secrets they carry (values, or stored ones they keep).
func (a *App) connectorFor(ctx context.Context, s integration.Settings) (psa.Connector, error) {
	profiles := a.Profiles()
	integration.ApplyDefaults(&s)
	p, ok := profiles.Lookup(s.PSA)
	if !ok {
		return nil, integration.Validate(s, profiles)
	}
	p.ApplyDefaults(&s)
	var old *store.Integration
	if it, err := a.Store.IntegrationByName(ctx, a.tenantOf(ctx), s.Name); err == nil {
		old = &it
	}
	creds, err := a.credentials(s, old, func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	return a.newConnector(s, creds, budgetKey(a.tenantOf(ctx), s.Name))
}

// storedSource builds the connector of a stored integration, with its
// settings.
func (a *App) storedSource(w http.ResponseWriter, ctx context.Context, name string) (catalogSource, bool) {
	it, err := a.Store.IntegrationByName(ctx, a.tenantOf(ctx), name)
	if errors.Is(err, store.ErrNotFound) {
		httpapi.NotFound(w, "integration "+name)
		return catalogSource{}, false
	}
	if err != nil {
		a.internalError(w, "read integration", err)
		return catalogSource{}, false
	}
	var settings integration.Settings
	if err := json.Unmarshal(it.Settings, &settings); err != nil {
		a.internalError(w, "decode stored settings", err)
		return catalogSource{}, false
	}
	conn, err := a.connector(ctx, it, settings)
	if err != nil {
		a.internalError(w, "build connector", err)
		return catalogSource{}, false
	}
	return catalogSource{conn: conn, settings: settings}, true
}

// picklistValue is one picklist entry as the API shows it.
type picklistValue struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Active bool   `json:"active"`
	Parent string `json:"parent,omitempty"`
}

// integrationPicklists serves the PSA's picklists of a stored
// integration (queues, statuses, priorities, types, note types…), from
// memory for picklistsTTL unless ?refresh=1.
func (a *App) integrationPicklists(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := r.PathValue("name")
	key := budgetKey(a.tenantOf(ctx), name) // names repeat across tenants
	a.picklists.mu.Lock()
	cached, hit := a.picklists.byIt[key]
	a.picklists.mu.Unlock()
	refresh := r.URL.Query().Get("refresh") == "1"
	if !hit || refresh || a.now().Sub(cached.at) > picklistsTTL {
		src, ok := a.storedSource(w, ctx, name)
		if !ok {
			return
		}
		lists, err := src.conn.Picklists(ctx)
		if err != nil {
			a.planProblem(w, err)
			return
		}
		cached = cachedPicklists{at: a.now(), lists: lists}
		a.picklists.mu.Lock()
		if a.picklists.byIt == nil {
			a.picklists.byIt = map[string]cachedPicklists{}
		}
		a.picklists.byIt[key] = cached
		a.picklists.mu.Unlock()
	} else if _, err := a.Store.IntegrationByName(ctx, a.tenantOf(ctx), name); err != nil {
		httpapi.NotFound(w, "integration "+name) // deleted since it was cached
		return
	}
	writePicklists(w, name, cached.at, cached.lists)
}

// writePicklists answers the picklists as the picklists routes show them.
func writePicklists(w http.ResponseWriter, name string, at time.Time, lists psa.Picklists) {
	out := map[string][]picklistValue{}
	for field, values := range lists {
		vs := make([]picklistValue, len(values))
		for i, v := range values {
			vs[i] = picklistValue{ID: v.ID, Label: v.Label, Active: v.Active, Parent: v.Parent}
		}
		out[field] = vs
	}
	httpapi.JSON(w, http.StatusOK, map[string]any{"integration": name, "read_at": at.UTC(), "picklists": out})
}

func (a *App) internalError(w http.ResponseWriter, what string, err error) {
	a.log.Error(what, "err", err)
	httpapi.Problem(w, http.StatusInternalServerError, "internal", "Internal error", "the request failed; the server log has the details", nil)
}

// mergePatch applies an RFC 7396 JSON merge patch to doc.
func mergePatch(doc, patch []byte) ([]byte, error) {
	var d, p any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, fmt.Errorf("not a JSON merge patch: %w", err)
	}
	return json.Marshal(mergeValue(d, p))
}

func mergeValue(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch // a non-object replaces the target whole
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergeValue(tm[k], v)
	}
	return tm
}
