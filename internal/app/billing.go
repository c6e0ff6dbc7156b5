package app

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"net/http"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/engine"
	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// IntegrationBilling is the billing preview of one integration.
type IntegrationBilling struct {
	Integration string               `json:"integration"`
	Lines       []engine.BillingLine `json:"lines"`
}

// BillingPreview lists, for every integration with billable-user sync on,
// the adjustment a sync now would post per organization, without writing.
func (a *App) BillingPreview(ctx context.Context) ([]IntegrationBilling, error) {
	its, err := a.Store.Integrations(ctx, a.tenantOf(ctx))
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	counts, err := a.Store.BillableCounts(ctx, a.tenantOf(ctx))
	if err != nil {
		return nil, fmt.Errorf("read billable counts: %w", err)
	}
	var out []IntegrationBilling
	for _, it := range its {
		s, err := decodeStored(it)
		if err != nil {
			return nil, err
		}
		if !s.Contracts.BillableUsers.Enabled {
			continue
		}
		conn, err := a.connector(ctx, it, s)
		if err != nil {
			return nil, err
		}
		cc, ok := conn.(psa.Contracts)
		if !ok {
			return nil, fmt.Errorf("integration %s: %s has no contracts support", it.Name, s.PSA)
		}
		loc, err := time.LoadLocation(s.Contracts.BillableUsers.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		lines, err := engine.BillingPreview(ctx, cc, s, counts, a.now().In(loc))
		if err != nil {
			return nil, fmt.Errorf("integration %s: %w", it.Name, err)
		}
		out = append(out, IntegrationBilling{Integration: it.Name, Lines: lines})
	}
	return out, nil
}

// billingRoutes mounts the admin billing routes on the API mux.
func (a *App) billingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/billing/preview", func(w http.ResponseWriter, r *http.Request) {
		p, err := a.BillingPreview(r.Context())
		if err != nil {
			a.log.Error("billing preview", "err", err)
			httpapi.Problem(w, http.StatusBadGateway, "psa", "Billing preview failed", "reading the PSA failed: the server log has the details", nil)
			return
		}
		writeJSON(w, map[string]any{"integrations": p})
	})
	mux.HandleFunc("GET /api/v1/billing/audit", func(w http.ResponseWriter, r *http.Request) {
		its, err := a.Store.Integrations(r.Context(), a.tenantOf(r.Context()))
		if err != nil {
			a.internalError(w, "list integrations", err)
			return
		}
		all := map[string][]billingAuditView{}
		for _, it := range its {
			audits, err := a.Store.BillingAudits(r.Context(), it.ID, 500)
			if err != nil {
				a.internalError(w, "read billing audit", err)
				return
			}
			views := make([]billingAuditView, len(audits))
			for i, au := range audits {
				views[i] = newBillingAuditView(au)
			}
			all[it.Name] = views
		}
		writeJSON(w, map[string]any{"audit": all})
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// billingAuditView is one billing decision as the API shows it.
type billingAuditView struct {
	ID                int64     `json:"id"`
	Organization      string    `json:"organization"`
	Period            string    `json:"period"`
	ContractID        string    `json:"contract_id"`
	ContractServiceID string    `json:"contract_service_id"`
	Action            string    `json:"action"`
	Before            float64   `json:"units_before"`
	After             float64   `json:"units_after"`
	EffectiveDate     string    `json:"effective_date"`
	At                time.Time `json:"at"`
	Detail            string    `json:"detail,omitempty"`
}

func newBillingAuditView(a store.BillingAudit) billingAuditView {
	return billingAuditView{
		ID: a.ID, Organization: a.Organization, Period: a.Period, ContractID: a.ContractID,
		ContractServiceID: a.ContractServiceID, Action: a.Action, Before: a.Before, After: a.After,
		EffectiveDate: a.EffectiveDate.Format(time.DateOnly), At: a.At.UTC(), Detail: a.Detail,
	}
}
