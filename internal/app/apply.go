package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/rules"
	"github.com/ticketbridge/ticketbridge/internal/secret"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// Plan is what apply would change for one integration.
type Plan struct {
	Name    string
	New     bool
	Changes []integration.Change
	// Effects are what the change makes happen in the PSA at once beyond
	// the settings (stored alerts a new window lets through, billing
	// adjustments of a sync day already past), in words.
	Effects []string
	// Warnings are settings that apply takes but that will not work as
	// meant (a budget over the PSA's published limit).
	Warnings []string

	settings integration.Settings
	creds    map[string]secret.Secret
	old      *store.Integration
	oldSince time.Time
}

// PlanApply validates the documents, tests each connection, resolves PSA
// names to ids against the PSA and compares with what is stored. It writes
// nothing; ApplyPlans does.
func (a *App) PlanApply(ctx context.Context, docs []integration.Settings, getenv func(string) string) ([]*Plan, error) {
	plans := make([]*Plan, 0, len(docs))
	var errs []error
	for _, s := range docs {
		p, err := a.planOne(ctx, s, getenv)
		if err != nil {
			errs = append(errs, fmt.Errorf("integration %q: %w", s.Name, err))
			continue
		}
		plans = append(plans, p)
	}
	if err := a.checkRouting(ctx, docs); err != nil {
		errs = append(errs, err)
	}
	return plans, errors.Join(errs...)
}

// checkRouting holds every document to one PSA per organization against
// the tenant's other integrations: the stored ones, each replaced by the
// document of its name when this apply changes it.
func (a *App) checkRouting(ctx context.Context, docs []integration.Settings) error {
	stored, err := a.Store.Integrations(ctx, a.tenantOf(ctx))
	if err != nil {
		return fmt.Errorf("list integrations: %w", err)
	}
	all := slices.Clone(docs)
	for _, it := range stored {
		if slices.ContainsFunc(docs, func(d integration.Settings) bool { return strings.EqualFold(d.Name, it.Name) }) {
			continue
		}
		var s integration.Settings
		if err := json.Unmarshal(it.Settings, &s); err != nil {
			return fmt.Errorf("decode stored settings of %q: %w", it.Name, err)
		}
		all = append(all, s)
	}
	var errs []error
	for _, d := range docs {
		if err := integration.CheckRouting(d, all); err != nil {
			errs = append(errs, fmt.Errorf("integration %q: %w", d.Name, err))
		}
	}
	return errors.Join(errs...)
}

func (a *App) planOne(ctx context.Context, s integration.Settings, getenv func(string) string) (*Plan, error) {
	profiles := a.Profiles()
	integration.ApplyDefaults(&s)
	if p, ok := profiles.Lookup(s.PSA); ok {
		p.ApplyDefaults(&s)
	}
	// Settings problems and names the PSA does not know are reported
	// together, so one run shows everything to fix; only problems that
	// keep us from reaching the PSA stop before the names are checked.
	verr := integration.Validate(s, profiles)
	if verr != nil && !namesCheckable(verr) {
		return nil, verr
	}
	unchecked := func(err error) error {
		if verr == nil {
			return err
		}
		return fmt.Errorf("%w\n  (names were not checked against the PSA: %v)", verr, err)
	}
	p := &Plan{Name: s.Name}
	var oldSettings *integration.Settings
	old, err := a.Store.IntegrationByName(ctx, a.tenantOf(ctx), s.Name)
	switch {
	case err == nil:
		p.old = &old
		var os integration.Settings
		if err := json.Unmarshal(old.Settings, &os); err != nil {
			return nil, fmt.Errorf("decode stored settings: %w", err)
		}
		oldSettings = &os
		p.oldSince, _ = time.Parse(time.RFC3339Nano, os.Sync.SinceTime)
	case errors.Is(err, store.ErrNotFound):
		p.New = true
	default:
		return nil, fmt.Errorf("read stored integration: %w", err)
	}
	creds, err := a.credentials(s, p.old, getenv)
	if err != nil {
		return nil, unchecked(err)
	}
	conn, err := a.newConnector(s, creds, budgetKey(a.tenantOf(ctx), s.Name))
	if err != nil {
		return nil, unchecked(err)
	}
	if err := conn.Test(ctx); err != nil {
		return nil, unchecked(testError(err, profiles, s.PSA))
	}
	cat, err := catalog(ctx, conn, s)
	if err != nil {
		return nil, unchecked(err)
	}
	if p.old != nil {
		// Services ticketbridge itself put on contracts are not the "already
		// on a mapped contract" error the next apply would otherwise see.
		audits, err := a.Store.BillingAudits(ctx, p.old.ID, 0)
		if err != nil {
			return nil, fmt.Errorf("read billing audit: %w", err)
		}
		cat.OwnContractServices = map[string]bool{}
		for _, au := range audits {
			if au.Action == "service_added" {
				cat.OwnContractServices[au.ContractServiceID] = true
			}
		}
	}
	if err := integration.Join(verr, integration.Resolve(&s, cat)); err != nil {
		return nil, err
	}
	if oldSettings != nil && oldSettings.Sync.Since == s.Sync.Since {
		// "7d" means seven days before the apply that set it; re-applying the
		// same file must not slide the window.
		s.Sync.SinceTime = oldSettings.Sync.SinceTime
	} else {
		t, err := integration.ResolveSince(s.Sync.Since, a.now())
		if err != nil {
			return nil, fmt.Errorf("sync.since: %w", err)
		}
		s.Sync.SinceTime = t.UTC().Format(time.RFC3339Nano)
	}
	profile, _ := profiles.Lookup(s.PSA)
	if _, err := rules.CompileFor(s, profile.Limits); err != nil {
		return nil, err
	}
	if w := profile.BudgetWarning(s.Connection); w != "" {
		p.Warnings = append(p.Warnings, w)
	}
	mapping, err := a.mappingWarnings(ctx, s, cat)
	if err != nil {
		return nil, err
	}
	p.Warnings = append(p.Warnings, mapping...)
	p.Changes = integration.Plan(oldSettings, s)
	p.settings, p.creds = s, creds
	if len(p.Changes) > 0 {
		if p.Effects, err = a.effects(ctx, p, oldSettings, conn); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// credentials reads the secrets the YAML points at; a secret marked
// stored (as export writes it) keeps the stored value.
func (a *App) credentials(s integration.Settings, old *store.Integration, getenv func(string) string) (map[string]secret.Secret, error) {
	creds, keep, err := readSecrets(s, getenv)
	if err != nil {
		return nil, err
	}
	for _, name := range keep {
		if old == nil || old.Credentials[name] == "" {
			return nil, fmt.Errorf("connection.%s: marked stored but nothing is stored yet: set env or file", name)
		}
		v, err := a.Keyring.Decrypt(old.Credentials[name])
		if err != nil {
			return nil, fmt.Errorf("decrypt stored %s: %w", name, err)
		}
		creds[name] = v
	}
	return creds, nil
}

// catalog fetches what name resolution needs: picklists, companies, and
// the contacts of the companies the settings name.
func catalog(ctx context.Context, conn psa.Connector, s integration.Settings) (integration.Catalog, error) {
	pl, err := conn.Picklists(ctx)
	if err != nil {
		return integration.Catalog{}, fmt.Errorf("read picklists: %w", err)
	}
	companies, err := conn.Companies(ctx, psa.CompanyFilter{})
	if err != nil {
		return integration.Catalog{}, fmt.Errorf("list companies: %w", err)
	}
	cat := integration.Catalog{Picklists: pl, Companies: companies, Contacts: map[string][]psa.Contact{}}
	wanted := map[string]bool{s.Companies.CatchAll.Company.Name: true}
	for _, m := range s.Companies.Map {
		wanted[m.Company.Name] = true
	}
	for _, c := range companies {
		if !wanted[c.Name] {
			continue
		}
		cs, err := conn.Contacts(ctx, c.ID)
		if err != nil {
			return cat, fmt.Errorf("list contacts of %s: %w", c.Name, err)
		}
		cat.Contacts[c.ID] = cs
	}
	if len(s.Contracts.Map) > 0 || s.Contracts.BillableUsers.Enabled {
		if err := contractCatalog(ctx, conn, companies, wanted, &cat); err != nil {
			return cat, err
		}
	}
	return cat, nil
}

// contractCatalog adds contracts, services and the services on each
// contract of the companies the settings name.
func contractCatalog(ctx context.Context, conn psa.Connector, companies []psa.Company, wanted map[string]bool, cat *integration.Catalog) error {
	cc, ok := conn.(psa.Contracts)
	if !ok {
		return errors.New("contracts: this PSA connector has no contracts support")
	}
	services, err := cc.Services(ctx)
	if err != nil {
		return fmt.Errorf("list services: %w", err)
	}
	cat.Services, cat.Contracts, cat.ContractServices = services, map[string][]psa.Contract{}, map[string][]psa.ContractService{}
	for _, c := range companies {
		if !wanted[c.Name] {
			continue
		}
		contracts, err := cc.Contracts(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("list contracts of %s: %w", c.Name, err)
		}
		cat.Contracts[c.ID] = contracts
		for _, k := range contracts {
			if cat.ContractServices[k.ID], err = cc.ContractServices(ctx, k.ID); err != nil {
				return fmt.Errorf("list services of contract %s: %w", k.Name, err)
			}
		}
	}
	return nil
}

// ApplyPlans writes the planned integrations: settings with ids, and the
// credentials encrypted. Moving sync.since back re-routes the alerts that
// were skipped as too old (backfill).
func (a *App) ApplyPlans(ctx context.Context, plans []*Plan) error {
	for _, p := range plans {
		if err := a.applyOne(ctx, p); err != nil {
			return fmt.Errorf("integration %q: %w", p.Name, err)
		}
	}
	a.Engine.Nudge()
	return nil
}

func (a *App) applyOne(ctx context.Context, p *Plan) error {
	settingsJSON, err := json.Marshal(p.settings)
	if err != nil {
		return fmt.Errorf("encode settings: %w", err)
	}
	enc := map[string]string{}
	for name, v := range p.creds {
		if v.IsZero() {
			continue
		}
		if enc[name], err = a.Keyring.Encrypt(v); err != nil {
			return fmt.Errorf("encrypt %s: %w", name, err)
		}
	}
	it := store.Integration{TenantID: a.tenantOf(ctx), Name: p.Name, PSA: p.settings.PSA, Settings: settingsJSON, Credentials: enc, CreatedAt: a.now(), UpdatedAt: a.now()}
	if p.old != nil {
		it.ID, it.CreatedAt, it.Version = p.old.ID, p.old.CreatedAt, p.old.Version
	}
	newSince, _ := time.Parse(time.RFC3339Nano, p.settings.Sync.SinceTime)
	return a.Store.InTx(ctx, func(q store.Queries) error {
		saved, err := q.PutIntegration(ctx, it)
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		// The settings resolved against the PSA just now: whatever drift
		// reconcile found is fixed, and waiting deliveries go on.
		if err := engine.ClearDrift(ctx, q, saved.ID); err != nil {
			return fmt.Errorf("clear drift report: %w", err)
		}
		if p.old != nil && newSince.Before(p.oldSince) {
			if _, err := q.DeleteSkippedRoutes(ctx, saved.ID, string(rules.SkipTooOld)); err != nil {
				return fmt.Errorf("reopen alerts skipped as too old: %w", err)
			}
		}
		return nil
	})
}

// Export returns the stored integrations as the YAML apply reads, with
// secrets as references, never values.
func (a *App) Export(ctx context.Context) ([]byte, error) {
	its, err := a.Store.Integrations(ctx, a.tenantOf(ctx))
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	docs := make([]integration.Settings, 0, len(its))
	for _, it := range its {
		var s integration.Settings
		if err := json.Unmarshal(it.Settings, &s); err != nil {
			return nil, fmt.Errorf("decode settings of %s: %w", it.Name, err)
		}
		for name, ref := range s.Connection.SecretRefs() {
			if ref.Env == "" && ref.File == "" && it.Credentials[name] != "" {
				*ref = integration.SecretRef{Stored: true}
			}
			ref.Value = ""
		}
		docs = append(docs, s)
	}
	return integration.Export(docs)
}

// namesCheckable reports whether settings with these problems can still
// be resolved against the PSA: the PSA, the name and the connection are
// sound.
func namesCheckable(verr error) bool {
	var ve *integration.ValidationError
	if !errors.As(verr, &ve) {
		return false
	}
	for _, p := range ve.Problems {
		if p.Path == "psa" || p.Path == "name" || strings.HasPrefix(p.Path, "connection.") {
			return false
		}
	}
	return true
}

// testError words a failed test connection; a refusal for want of a
// right says which rights ticketbridge needs.
func testError(err error, profiles integration.Profiles, name string) error {
	return psaRefusal("test connection", err, profiles, name)
}

// psaRefusal wraps the failure of a PSA call in what was being done; a
// 403 names the permission to grant, as test connection's does, since a
// least-privilege API user may pass the test and lack a read a later
// call needs.
func psaRefusal(what string, err error, profiles integration.Profiles, name string) error {
	var pe *psa.Error
	if errors.As(err, &pe) && pe.Status == http.StatusForbidden {
		title := name
		if p, ok := profiles.Lookup(name); ok {
			title = p.Title
		}
		return fmt.Errorf("%s: %w: the API user lacks a permission ticketbridge needs (README, \"Least privilege\", %s)", what, err, title)
	}
	return fmt.Errorf("%s: %w", what, err)
}
