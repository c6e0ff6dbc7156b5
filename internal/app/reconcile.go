package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// IntegrationDrift is one integration's drift report.
type IntegrationDrift struct {
	Integration string `json:"integration"`
	engine.DriftReport
}

// Reconcile re-reads from the PSA the picklist values, companies,
// contacts, contracts and services the stored settings name, for every
// integration (or the one called only), and stores what the PSA no longer
// backs (renamed, deactivated, deleted, each with the nearest valid
// names) as the integration's drift report. While a report has findings
// the integration's deliveries wait; apply clears it. It calls only the
// PSA's read endpoints.
func (a *App) Reconcile(ctx context.Context, only string) ([]IntegrationDrift, error) {
	its, err := a.Store.Integrations(ctx, a.tenantOf(ctx))
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	var out []IntegrationDrift
	for _, it := range its {
		if only != "" && !strings.EqualFold(it.Name, only) {
			continue
		}
		r, err := a.reconcileOne(ctx, it)
		if err != nil {
			return out, fmt.Errorf("integration %s: %w", it.Name, err)
		}
		// The engine's worker (in this process: serve's reconcile route
		// reaches it) reads the report at once and checks open links.
		a.Engine.Reconciled(it.ID)
		out = append(out, IntegrationDrift{Integration: it.Name, DriftReport: r})
	}
	if only != "" && len(out) == 0 {
		return nil, fmt.Errorf("no integration %q", only)
	}
	return out, nil
}

// reconcileByID is the engine's scheduled reconcile of one integration.
func (a *App) reconcileByID(ctx context.Context, integrationID int64) error {
	it, err := a.Store.Integration(ctx, integrationID)
	if err != nil {
		return fmt.Errorf("read integration: %w", err)
	}
	_, err = a.reconcileOne(ctx, it)
	return err
}

func (a *App) reconcileOne(ctx context.Context, it store.Integration) (engine.DriftReport, error) {
	r := engine.DriftReport{CheckedAt: a.now()}
	s, err := decodeStored(it)
	if err != nil {
		return r, err
	}
	conn, err := a.connector(ctx, it, s)
	if err != nil {
		return r, err
	}
	cat, err := catalog(ctx, conn, s)
	if err != nil {
		return r, err
	}
	if cat.OwnContractServices, err = a.ownContractServices(ctx, it.ID); err != nil {
		return r, err
	}
	problems, err := integration.Drift(s, cat)
	if err != nil {
		return r, err
	}
	for _, p := range problems {
		f := engine.DriftFinding{Path: p.Path, Message: p.Message}
		f.Kind, f.Value, _ = integration.DriftValue(s, p.Path)
		r.Findings = append(r.Findings, f)
	}
	a.Metrics.DriftFindings.WithLabelValues(budgetKey(it.TenantID, it.Name)).Set(float64(len(r.Findings)))
	if err := engine.SaveDrift(ctx, a.Store, it.ID, r); err != nil {
		return r, err
	}
	if len(r.Findings) > 0 {
		a.log.Warn("drift: the PSA no longer backs these settings; deliveries wait until apply", "integration", it.Name, "findings", r.Summary())
	}
	return r, nil
}

// DriftReports returns every integration's last drift report.
func (a *App) DriftReports(ctx context.Context) ([]IntegrationDrift, error) {
	its, err := a.Store.Integrations(ctx, a.tenantOf(ctx))
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	out := make([]IntegrationDrift, 0, len(its))
	for _, it := range its {
		r, err := engine.ReadDrift(ctx, a.Store, it.ID)
		if err != nil {
			return nil, fmt.Errorf("integration %s: %w", it.Name, err)
		}
		out = append(out, IntegrationDrift{Integration: it.Name, DriftReport: r})
	}
	return out, nil
}

// reconcileRoutes mounts the admin reconcile routes on the API mux.
func (a *App) reconcileRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/reconcile", func(w http.ResponseWriter, r *http.Request) {
		only := r.URL.Query().Get("integration")
		if only != "" {
			// Another tenant's integration, or none: not found, not a PSA failure.
			if _, err := a.Store.IntegrationByName(r.Context(), a.tenantOf(r.Context()), only); errors.Is(err, store.ErrNotFound) {
				httpapi.NotFound(w, "integration "+only)
				return
			}
		}
		out, err := a.Reconcile(r.Context(), only)
		if err != nil {
			a.log.Error("reconcile", "err", err)
			http.Error(w, "reconcile failed: see the server log", http.StatusBadGateway)
			return
		}
		a.Engine.Nudge()
		writeJSON(w, map[string]any{"integrations": out})
	})
	mux.HandleFunc("GET /api/v1/drift", func(w http.ResponseWriter, r *http.Request) {
		out, err := a.DriftReports(r.Context())
		if err != nil {
			a.log.Error("drift reports", "err", err)
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, map[string]any{"integrations": out})
	})
}

// ownContractServices are the contract services ticketbridge itself
// added: not the "already on a mapped contract" problem.
func (a *App) ownContractServices(ctx context.Context, integrationID int64) (map[string]bool, error) {
	audits, err := a.Store.BillingAudits(ctx, integrationID, 0)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("read billing audit: %w", err)
	}
	own := map[string]bool{}
	for _, au := range audits {
		if au.Action == "service_added" {
			own[au.ContractServiceID] = true
		}
	}
	return own, nil
}
