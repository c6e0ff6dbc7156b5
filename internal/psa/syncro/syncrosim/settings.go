package syncrosim

import (
	"net/http"
	"strconv"
)

// me answers GET /me with the token's user, bare.
func (s *Sim) me(w http.ResponseWriter, r *http.Request) {
	tok := tokenOf(r)
	s.mu.Lock()
	u, _ := s.t.user(tok.UserID)
	s.mu.Unlock()
	rw := func(read, write bool) map[string]bool {
		return map[string]bool{"read": read, "write": write, "delete": write}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"user_email": u.Email, "user_name": u.Name, "user_id": u.ID, "admin": u.Admin,
		"can_use_app": true, "two_factor_required": false, "subdomain": s.opt.Subdomain,
		"permissions": map[string]any{
			"ticket":   rw(tok.Perms.TicketRead, tok.Perms.TicketWrite),
			"customer": rw(tok.Perms.CustomerRead, tok.Perms.CustomerWrite),
		},
	})
}

// settings answers GET /settings: problem types and priorities live here.
func (s *Sim) settings(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"customers": map[string]any{"required_fields": nil, "customer_fields": []any{}, "customer_field_answers": []any{}},
		"locale":    map[string]any{"iso_code": "en", "time_zone": "UTC", "time_offset": "+00:00"},
		"ticket": map[string]any{
			"ticket_types": s.ticketTypesJSON(), "ticket_type_fields": []any{}, "ticket_type_field_answers": []any{},
			"problem_types": s.t.problems, "priorities": s.t.priorities,
		},
	})
}

// ticketSettings answers GET /tickets/settings: statuses, ticket types
// and users.
func (s *Sim) ticketSettings(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	users := make([]map[string]any, 0, len(s.t.users))
	for _, u := range s.t.users {
		users = append(users, map[string]any{"id": u.ID, "name": u.Name})
	}
	var require any
	if s.opt.RequireTicketType {
		require = true
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ticket_status_list": s.t.statuses, "ticket_types": s.ticketTypesJSON(),
		"ticket_type_fields": []any{}, "ticket_type_field_answers": []any{},
		"users": users, "require_ticket_type": require,
	})
}

func (s *Sim) ticketTypesJSON() []map[string]any {
	out := make([]map[string]any, 0, len(s.t.ticketTypes))
	for _, tt := range s.t.ticketTypes {
		out = append(out, map[string]any{"id": tt.ID, "name": tt.Name, "account_id": 1, "disabled": tt.Disabled,
			"skip_intake": true, "skip_outtake": true, "ticket_fields": []any{}})
	}
	return out
}

// users answers GET /users as [[id, "name"], ...] pairs.
func (s *Sim) users(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pairs := make([][]any, 0, len(s.t.users))
	for _, u := range s.t.users {
		pairs = append(pairs, []any{u.ID, u.Name})
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": pairs})
}

func (s *Sim) userByID(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	u, ok := s.t.user(id)
	s.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": map[string]any{"id": u.ID, "full_name": u.Name, "email": u.Email, "admin": u.Admin}})
}
