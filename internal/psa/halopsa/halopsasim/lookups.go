package halopsasim

import (
	"net/http"
	"strconv"
	"strings"
)

// Small lookup lists answer bare arrays.

func (s *Sim) getStatuses(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	var out []status
	for _, st := range s.statuses {
		if l.flag("excludeclosed") && st.ID == ClosedStatusID {
			continue
		}
		if id != "" && strconv.Itoa(st.ID) != id {
			continue
		}
		out = append(out, st)
	}
	s.answerLookup(w, id, "Status", out)
}

func (s *Sim) getTicketTypes(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	var out []ticketType
	for _, t := range s.types {
		if (t.Inactive && !l.flag("showinactive")) || (id != "" && strconv.Itoa(t.ID) != id) {
			continue
		}
		out = append(out, t)
	}
	s.answerLookup(w, id, "Ticket Type", out)
}

func (s *Sim) getPriorities(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	sla, filter := l.num("slaid")
	var out []priority
	for _, p := range s.prios {
		if (filter && p.SLAID != sla) || (id != "" && strconv.Itoa(p.PriorityID) != id) {
			continue
		}
		out = append(out, p)
	}
	s.answerLookup(w, id, "Priority", out)
}

func (s *Sim) getOutcomes(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	var out []outcome
	for _, o := range s.outcomes {
		if (o.system && l.flag("excludesystemactions")) || (id != "" && strconv.Itoa(o.ID) != id) {
			continue
		}
		out = append(out, o)
	}
	s.answerLookup(w, id, "Outcome", out)
}

func (s *Sim) getCategories(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	typ, filter := l.num("type_id")
	var out []category
	for _, c := range s.cats {
		if (filter && c.TypeID != typ) || (id != "" && strconv.Itoa(c.ID) != id) {
			continue
		}
		out = append(out, c)
	}
	s.answerLookup(w, id, "Category", out)
}

// answerLookup answers a bare array, or the one record for /{id}.
func answerOne[T any](s *Sim, w http.ResponseWriter, id, what string, out []T) {
	if id == "" {
		if out == nil {
			out = []T{}
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	if len(out) == 0 {
		s.notFound(w, what, id)
		return
	}
	writeJSON(w, http.StatusOK, out[0])
}

func (s *Sim) answerLookup(w http.ResponseWriter, id, what string, out any) {
	switch v := out.(type) {
	case []status:
		answerOne(s, w, id, what, v)
	case []ticketType:
		answerOne(s, w, id, what, v)
	case []priority:
		answerOne(s, w, id, what, v)
	case []outcome:
		answerOne(s, w, id, what, v)
	case []category:
		answerOne(s, w, id, what, v)
	}
}

// Bigger lists answer Halo's wrapper.

func (s *Sim) getTeams(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	var out []team
	for _, t := range s.teams {
		if (t.Inactive && !l.flag("includedisabled")) || (id != "" && strconv.Itoa(t.ID) != id) {
			continue
		}
		out = append(out, t)
	}
	if id != "" {
		answerOne(s, w, id, "Team", out)
		return
	}
	writeList(w, l, "teams", out, 1000)
}

func (s *Sim) getAgents(w http.ResponseWriter, r *http.Request, c *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "me" {
		id = strconv.Itoa(c.agent)
	}
	var out []agent
	for _, a := range s.agents {
		if id == "" || strconv.Itoa(a.ID) == id {
			out = append(out, a)
		}
	}
	if id != "" {
		answerOne(s, w, id, "Agent", out)
		return
	}
	writeList(w, query(r), "agents", out, 1000)
}

func (s *Sim) getTopLevels(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []topLevel
	for _, t := range s.tops {
		if id == "" || strconv.Itoa(t.ID) == id {
			out = append(out, t)
		}
	}
	if id != "" {
		answerOne(s, w, id, "Top Level", out)
		return
	}
	writeList(w, query(r), "tree", out, 1000)
}

func (s *Sim) getClients(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	top, byTop := l.num("toplevel_id")
	var out []client
	for _, c := range s.clients {
		switch {
		case id != "" && strconv.Itoa(c.ID) != id:
		case id == "" && c.Inactive && !l.flag("includeinactive"):
		case byTop && c.TopLevelID != top:
		case l.str("search") != "" && !contains(c.Name, l.str("search")):
		default:
			out = append(out, c)
		}
	}
	if id != "" {
		answerOne(s, w, id, "Client", out)
		return
	}
	sortBy(l, out, map[string]func(a, b client) int{
		"name": func(a, b client) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) },
	}, func(a, b client) int { return a.ID - b.ID })
	writeList(w, l, "clients", out, 1000)
}

func (s *Sim) getSites(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	cid, byClient := l.num("client_id")
	var out []site
	for _, st := range s.sites {
		if (id != "" && strconv.Itoa(st.ID) != id) || (byClient && st.ClientID != cid) {
			continue
		}
		out = append(out, st)
	}
	if id != "" {
		answerOne(s, w, id, "Site", out)
		return
	}
	writeList(w, l, "sites", out, 1000)
}

// getUsers lists end users; search matches name and email address.
func (s *Sim) getUsers(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	cid, byClient := l.num("client_id")
	sid, bySite := l.num("site_id")
	search := l.str("search")
	var out []user
	for _, u := range s.users {
		switch {
		case id != "" && strconv.Itoa(u.ID) != id:
		case id == "" && u.Inactive && !l.flag("includeinactive"):
		case byClient && u.ClientID != cid, bySite && u.SiteID != sid:
		case search != "" && !contains(u.Name, search) && !contains(u.Email, search) && !contains(u.Email2, search) && !contains(u.Email3, search):
		default:
			out = append(out, u)
		}
	}
	if id != "" {
		answerOne(s, w, id, "User", out)
		return
	}
	writeList(w, l, "users", out, 1000)
}

func (s *Sim) getContracts(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	cid, byClient := l.num("client_id")
	var out []contract
	for _, k := range s.contracts {
		switch {
		case id != "" && strconv.Itoa(k.ID) != id:
		case byClient && k.ClientID != cid:
		case id == "" && !k.Active && !l.flag("includeinactive"):
		default:
			out = append(out, k)
		}
	}
	if id != "" {
		answerOne(s, w, id, "Contract", out)
		return
	}
	writeList(w, l, "contracts", out, 1000)
}

func (s *Sim) getItems(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	var out []item
	for _, it := range s.items {
		switch {
		case id != "" && strconv.Itoa(it.ID) != id:
		case l.flag("recurringonly") && !it.IsRecurring:
		case l.str("search") != "" && !contains(it.Name, l.str("search")):
		default:
			out = append(out, it)
		}
	}
	if id != "" {
		answerOne(s, w, id, "Item", out)
		return
	}
	writeList(w, l, "items", out, 1000)
}
