package app

import (
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/web"
)

// console builds the web console as a client of api, the /api/v1
// handler: it reads and writes only through it, plus the engine's
// health and the request budgets, which live in this process and which
// the API does not serve.
func (a *App) console(api http.Handler) http.Handler {
	return web.New(web.Config{
		API: api, Tokens: a.Store, PSAs: a.drivers.Names(), Profiles: a.Profiles(),
		SecureCookies: strings.HasPrefix(a.cfg.PublicURL, "https://"), Now: a.now, Logger: a.log,
		Health: func(tenant string) []web.Health {
			var out []web.Health
			for _, h := range a.Engine.Health() {
				if h.Tenant != tenant {
					continue // another tenant's integration does not exist here
				}
				out = append(out, web.Health{Integration: h.Integration, Degraded: h.Degraded, Since: h.Since, Reason: h.Reason, Waiting: h.RoutingWaiting})
			}
			return out
		},
		Budget: a.consoleBudget,
	})
}

// consoleBudget reports the request budget this process keeps for the
// tenant's integration; false before anything here has called its PSA
// (another replica may hold its lease and its budget).
func (a *App) consoleBudget(tenant, name string) (web.Budget, bool) {
	a.budgetsMu.Lock()
	b, ok := a.budgets[budgetKey(tenant, name)]
	a.budgetsMu.Unlock()
	if !ok {
		return web.Budget{}, false
	}
	return web.Budget{Used: b.Used(), Remaining: b.Remaining(), Limit: b.Limit(), Window: b.Window()}, true
}
