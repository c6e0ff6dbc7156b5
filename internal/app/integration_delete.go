package app

import (
	"fmt"
	"net/http"

	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// deletedIntegration answers DELETE /api/v1/integrations/{name}.
type deletedIntegration struct {
	Name    string `json:"name"`
	Deleted bool   `json:"deleted"`
	// Removed counts the integration's rows, removed (or, on a dry run,
	// that would be).
	Removed store.IntegrationData `json:"removed"`
	// Note says what is not touched: the tickets in the PSA.
	Note string `json:"note"`
}

// deleteIntegration serves DELETE /api/v1/integrations/{name}: the
// integration goes with its routes, ticket links, deliveries, timeline
// entries, cursors (drift findings among them), seen events and billing
// audit, in one transaction. Its tickets in the PSA are left as they are,
// open ones included. ?dry_run=1 answers the counts only.
func (a *App) deleteIntegration(w http.ResponseWriter, r *http.Request) {
	dryRun, ok := httpapi.BoolQuery(w, r, "dry_run")
	if !ok {
		return
	}
	it, ok := a.loadIntegration(w, r)
	if !ok {
		return
	}
	ctx, tenant := r.Context(), a.tenantOf(r.Context())
	out := deletedIntegration{Name: it.Name}
	if dryRun {
		counts, err := a.Store.IntegrationData(ctx, tenant, it.ID)
		if err != nil {
			a.internalError(w, "count integration data", err)
			return
		}
		out.Removed = counts
		out.Note = noteTickets(counts.OpenTickets, false)
		httpapi.JSON(w, http.StatusOK, out)
		return
	}
	counts, err := a.Store.DeleteIntegration(ctx, tenant, it.ID)
	if err != nil {
		a.internalError(w, "delete integration", err)
		return
	}
	a.picklists.mu.Lock()
	delete(a.picklists.byIt, it.Name)
	a.picklists.mu.Unlock()
	a.Engine.Nudge()
	a.log.Info("integration deleted", "integration", it.Name, "ticket_links", counts.TicketLinks, "deliveries", counts.Deliveries)
	out.Deleted, out.Removed, out.Note = true, counts, noteTickets(counts.OpenTickets, true)
	httpapi.JSON(w, http.StatusOK, out)
}

func noteTickets(open int64, done bool) string {
	verb := "are left"
	if !done {
		verb = "would be left"
	}
	if open == 0 {
		return "tickets in the PSA " + verb + " as they are; none is open"
	}
	return fmt.Sprintf("tickets in the PSA %s as they are, the %d open ones included: close them in the PSA if they are no longer wanted", verb, open)
}
