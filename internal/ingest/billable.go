package ingest

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// billableBody is PUT /api/v1/organizations/{id}/billable-users.
type billableBody struct {
	Count *int       `json:"count"`
	AsOf  *time.Time `json:"as_of"`
}

// BillableUsers returns the handler for PUT
// /api/v1/organizations/{id}/billable-users: a source reports how many
// billable users an organization has; the monthly billing sync makes the
// contract's units equal to the latest count.
func (h *Handler) BillableUsers() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src, ok := h.authenticate(w, r)
		if !ok {
			return
		}
		body, ok := h.readBody(w, r)
		if !ok {
			return
		}
		var in billableBody
		if err := json.Unmarshal(body, &in); err != nil || in.Count == nil || *in.Count < 0 {
			writeProblem(w, http.StatusBadRequest, "invalid-count", "Invalid billable user count",
				`send {"count": <whole number ≥ 0>, "as_of": "<RFC 3339 time, optional>"}`,
				[]alert.FieldError{{Field: "count", Reason: "must be a whole number ≥ 0"}})
			return
		}
		now := h.cfg.Now().UTC()
		asOf := now
		if in.AsOf != nil {
			asOf = in.AsOf.UTC()
		}
		c := store.BillableCount{TenantID: src.TenantID, Organization: r.PathValue("id"), Count: *in.Count, AsOf: asOf, UpdatedAt: now}
		if err := h.cfg.Store.PutBillableCount(r.Context(), c); err != nil {
			h.log.Error("store billable count", "source", src.ID, "err", err)
			writeProblem(w, http.StatusServiceUnavailable, "unavailable", "Service unavailable", "try again later", nil)
			return
		}
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"organization": c.Organization, "count": c.Count, "as_of": c.AsOf})
	})
}
