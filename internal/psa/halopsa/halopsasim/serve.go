package halopsasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// tenantKey is the one rolling window: Halo counts per tenant.
const tenantKey = "tenant"

// ServeHTTP implements http.Handler.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	simkit.Sleep(r.Context(), s.opt.Latency)
	if v := s.window.Take(tenantKey); !v.OK {
		s.throttled(w, v)
		return
	}
	path := strings.TrimSuffix(strings.ToLower(r.URL.Path), "/")
	switch {
	case path == "/api/authinfo" && r.Method == http.MethodGet:
		s.authInfo(w, r)
	case path == "/auth/token" && r.Method == http.MethodPost:
		s.issueToken(w, r)
	case strings.HasPrefix(path, "/api/"):
		s.api(w, r, strings.Split(strings.TrimPrefix(path, "/api/"), "/"))
	default:
		http.NotFound(w, r)
	}
}

// throttled answers as hosted Halo does past its rolling limit.
func (s *Sim) throttled(w http.ResponseWriter, v simkit.Verdict) {
	if s.opt.RetryAfter {
		w.Header().Set("Retry-After", simkit.RetryAfter(v.Wait))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprint(w, RateLimitText(s.opt.RateLimit, s.opt.Window.String()))
}

// RateLimitText is the body of Halo's 429.
func RateLimitText(limit int, window string) string {
	return fmt.Sprintf("Rate Limit Reached - %d Requests per rolling %s window", limit, humanWindow(window))
}

// humanWindow writes "5m0s" as Halo words it, "5 minute".
func humanWindow(d string) string {
	switch d {
	case "5m0s":
		return "5 minute"
	case "1m0s":
		return "1 minute"
	case "1h0m0s":
		return "60 minute"
	}
	return d
}

// route is one API resource: the scope area it belongs to and its
// handlers by method.
type route struct {
	area string
	get  func(w http.ResponseWriter, r *http.Request, c *caller, id string)
	post func(w http.ResponseWriter, r *http.Request, c *caller)
	del  func(w http.ResponseWriter, r *http.Request, c *caller, id string)
}

// routes maps a resource's lower-case name to its route.
func (s *Sim) routes() map[string]route {
	return map[string]route{
		"tickets":          {area: "tickets", get: s.getTickets, post: s.postTickets, del: s.deleteTicket},
		"actions":          {area: "tickets", get: s.getActions, post: s.postActions},
		"status":           {area: "tickets", get: s.getStatuses},
		"tickettype":       {area: "tickets", get: s.getTicketTypes},
		"priority":         {area: "tickets", get: s.getPriorities},
		"outcome":          {area: "tickets", get: s.getOutcomes},
		"team":             {area: "tickets", get: s.getTeams},
		"category":         {area: "tickets", get: s.getCategories},
		"agent":            {area: "tickets", get: s.getAgents},
		"client":           {area: "customers", get: s.getClients},
		"site":             {area: "customers", get: s.getSites},
		"users":            {area: "customers", get: s.getUsers},
		"toplevel":         {area: "customers", get: s.getTopLevels},
		"clientcontract":   {area: "contracts", get: s.getContracts},
		"item":             {area: "items", get: s.getItems},
		"recurringinvoice": {area: "invoices", get: s.getInvoices, post: s.postInvoices},
		"webhook":          {area: "admin", get: s.getWebhooks, post: s.postWebhooks, del: s.deleteWebhook},
		"webhookevent":     {area: "admin", get: s.getWebhookEvents},
	}
}

// api serves /api/{resource}[/{id}] for a caller with a live token.
func (s *Sim) api(w http.ResponseWriter, r *http.Request, segs []string) {
	c, ok := s.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	rt, ok := s.routes()[segs[0]]
	if !ok || len(segs) > 2 {
		http.NotFound(w, r)
		return
	}
	id := ""
	if len(segs) == 2 {
		id = segs[1]
	}
	if segs[0] == "recurringinvoice" && id == "updatelines" {
		rt, id = route{area: rt.area, post: s.postInvoiceLines}, ""
	}
	write := r.Method != http.MethodGet
	if !c.may(rt.area, write) {
		s.fail(w, http.StatusForbidden, "The application does not have the required scope for this request")
		return
	}
	switch {
	case r.Method == http.MethodGet && rt.get != nil:
		rt.get(w, r, c, id)
	case r.Method == http.MethodPost && rt.post != nil && id == "":
		rt.post(w, r, c)
	case r.Method == http.MethodDelete && rt.del != nil && id != "":
		rt.del(w, r, c, id)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"Message": "The requested resource does not support http method '" + r.Method + "'."})
	}
}

// fail answers an error the way Halo's API words validation failures:
// a plain-text message, or .NET exception JSON with Options.JSONErrors.
func (s *Sim) fail(w http.ResponseWriter, code int, msg string) {
	if s.opt.JSONErrors {
		writeJSON(w, code, map[string]string{"ClassName": "System.Exception", "Message": msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprint(w, msg)
}

// notFound answers a missing record.
func (s *Sim) notFound(w http.ResponseWriter, what, id string) {
	s.fail(w, http.StatusNotFound, fmt.Sprintf("%s %s not found", what, id))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
