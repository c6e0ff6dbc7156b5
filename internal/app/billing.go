package app

import (
	"context"
	"encoding/json"
	"fmt"
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
	its, err := a.Store.Integrations(ctx, a.Tenant)
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	counts, err := a.Store.BillableCounts(ctx, a.Tenant)
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
			http.Error(w, "billing preview failed: see the server log", http.StatusBadGateway)
			return
		}
		writeJSON(w, map[string]any{"integrations": p})
	})
	mux.HandleFunc("GET /api/v1/billing/audit", func(w http.ResponseWriter, r *http.Request) {
		its, err := a.Store.Integrations(r.Context(), a.Tenant)
		if err != nil {
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		all := map[string][]store.BillingAudit{}
		for _, it := range its {
			if all[it.Name], err = a.Store.BillingAudits(r.Context(), it.ID, 500); err != nil {
				http.Error(w, "store unavailable", http.StatusServiceUnavailable)
				return
			}
		}
		writeJSON(w, map[string]any{"audit": all})
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
