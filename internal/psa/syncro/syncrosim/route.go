package syncrosim

import (
	"net/http"
	"strconv"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// routes registers every endpoint the simulator serves.
func (s *Sim) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /api/v1/me", s.me)
	m.HandleFunc("GET /api/v1/settings", s.settings)
	m.HandleFunc("GET /api/v1/tickets/settings", s.need(ticketRead, s.ticketSettings))
	m.HandleFunc("GET /api/v1/users", s.users)
	m.HandleFunc("GET /api/v1/users/{id}", s.userByID)
	m.HandleFunc("GET /api/v1/customers", s.need(customerRead, s.listCustomers))
	m.HandleFunc("GET /api/v1/customers/{id}", s.need(customerRead, s.getCustomer))
	m.HandleFunc("GET /api/v1/contacts", s.need(customerRead, s.listContacts))
	m.HandleFunc("GET /api/v1/contacts/{id}", s.need(customerRead, s.getContact))
	m.HandleFunc("POST /api/v1/contacts", s.need(customerWrite, s.createContact))
	m.HandleFunc("GET /api/v1/contracts", s.need(customerRead, s.listContracts))
	m.HandleFunc("POST /api/v1/contracts", s.need(customerWrite, s.createContract))
	m.HandleFunc("DELETE /api/v1/contracts/{id}", s.need(customerWrite, s.deleteContract))
	m.HandleFunc("GET /api/v1/contracts/{id}", s.need(customerRead, s.getContract))
	m.HandleFunc("GET /api/v1/products", s.need(customerRead, s.listProducts))
	m.HandleFunc("GET /api/v1/tickets", s.need(ticketRead, s.listTickets))
	m.HandleFunc("POST /api/v1/tickets", s.need(ticketWrite, s.createTicket))
	m.HandleFunc("GET /api/v1/tickets/{id}", s.need(ticketRead, s.getTicket))
	m.HandleFunc("PUT /api/v1/tickets/{id}", s.need(ticketWrite, s.updateTicket))
	m.HandleFunc("DELETE /api/v1/tickets/{id}", s.need(ticketWrite, s.deleteTicket))
	m.HandleFunc("POST /api/v1/tickets/{id}/comment", s.need(ticketWrite, s.addComment))
	m.HandleFunc("GET /api/v1/tickets/{id}/comments", s.need(ticketRead, s.listComments))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	s.mux = m
}

// Permission checks of need.
func ticketRead(p Permissions) bool    { return p.TicketRead }
func ticketWrite(p Permissions) bool   { return p.TicketWrite }
func customerRead(p Permissions) bool  { return p.CustomerRead }
func customerWrite(p Permissions) bool { return p.CustomerWrite }

// need refuses a token without the permission with the documented 401.
func (s *Sim) need(ok func(Permissions) bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !ok(tokenOf(r).Perms) {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"error": NotAuthorized})
			return
		}
		h(w, r)
	}
}

// pathID is the {id} path value; ok false when it is not an integer.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil
}

// pageOf reads the 1-based page parameter (1 when absent or bad).
func pageOf(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// listPage answers one page of items under key with Syncro's meta.
func listPage[T any](w http.ResponseWriter, r *http.Request, key string, items []T, size int) {
	p := simkit.Page{Number: pageOf(r), Size: size, Total: len(items)}
	start, end := p.Bounds()
	out := items[start:end]
	if out == nil {
		out = []T{}
	}
	writeJSON(w, http.StatusOK, map[string]any{key: out, "meta": metaOf(p)})
}

// metaOf is Syncro's paging block for a page.
func metaOf(p simkit.Page) map[string]any {
	return map[string]any{"total_pages": p.Last(), "total_entries": p.Total, "per_page": p.Size, "page": p.Number}
}
