package app

import (
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/web"
)

// console builds the web console as a client of api, the /api/v1
// handler: it reads and writes only through it, plus the engine's
// health, which the API does not serve.
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
	})
}
