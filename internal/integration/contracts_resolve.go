package integration

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// contracts resolves the default service and each entry's contract among
// its mapped company's active contracts, and rejects a default service
// that is already on any mapped contract, synced or not (SaaS Alerts: the
// service "cannot already be on a mapped contract": a sync would take
// over a line the MSP bills by hand, and turning add_service on later
// would meet the same line).
func (r *resolver) contracts(s *Settings) {
	c := &s.Contracts
	svc := r.service("contracts.billable_users.default_service", &c.BillableUsers.DefaultService)
	companies := mappedCompanies(s.Companies.Map)
	for i := range c.Map {
		e := &c.Map[i]
		path := ContractPath(i, *e)
		m, ok := companies[nameKey(e.Organization)]
		if !ok || m.Company.ID == "" {
			continue // Validate or the company's own resolution reports it
		}
		ct := r.contract(path+".contract", &e.Contract, m.Company)
		if ct == nil || svc == nil || !c.BillableUsers.Enabled {
			continue
		}
		fix := "choose another default service"
		if e.AddService {
			fix = "remove add_service or " + fix
		}
		for _, cs := range r.c.ContractServices[ct.ID] {
			if cs.ServiceID == svc.ID && !r.c.OwnContractServices[cs.ID] {
				r.ps.add(path, "%q is already on contract %q: %s (or take the service off the contract in the PSA)", svc.Name, ct.Name, fix)
				break
			}
		}
	}
}

// service resolves a billable service by name, case-insensitive.
func (r *resolver) service(path string, p *Pick) *psa.Service {
	name := strings.TrimSpace(p.Name)
	if name == "" {
		if p.ID == "" {
			return nil
		}
		for i := range r.c.Services {
			if r.c.Services[i].ID == p.ID {
				return &r.c.Services[i]
			}
		}
		return &psa.Service{ID: p.ID}
	}
	names := make([]string, 0, len(r.c.Services))
	for i := range r.c.Services {
		sv := &r.c.Services[i]
		if strings.EqualFold(strings.TrimSpace(sv.Name), name) {
			*p = Pick{Name: sv.Name, ID: sv.ID}
			return sv
		}
		names = append(names, sv.Name)
	}
	r.ps.add(path, "unknown service %q%s", name, suggest(name, names, "service"))
	return nil
}

// contract resolves a contract by name among company's active contracts.
// A name that is another company's contract, or inactive, says so.
func (r *resolver) contract(path string, p *Pick, company Pick) *psa.Contract {
	name := strings.TrimSpace(p.Name)
	own := r.c.Contracts[company.ID]
	if name == "" {
		for i := range own {
			if p.ID != "" && own[i].ID == p.ID {
				return &own[i]
			}
		}
		return nil
	}
	var active []string
	why := ""
	for i := range own {
		ct := &own[i]
		match := strings.EqualFold(strings.TrimSpace(ct.Name), name)
		switch {
		case match && ct.Active:
			*p = Pick{Name: ct.Name, ID: ct.ID}
			return ct
		case match:
			why = " (it is inactive)"
		case ct.Active:
			active = append(active, ct.Name)
		}
	}
	if why == "" {
		why = r.contractOwner(name, company.ID)
	}
	r.ps.add(path, "%q is not an active contract of %s%s%s", name, company.String(), why, contractHint(name, active))
	return nil
}

// contractOwner names the other company a contract belongs to, if any.
func (r *resolver) contractOwner(name, companyID string) string {
	for _, id := range slices.Sorted(maps.Keys(r.c.Contracts)) { // stable when two companies share a name
		if id == companyID {
			continue
		}
		for _, ct := range r.c.Contracts[id] {
			if strings.EqualFold(strings.TrimSpace(ct.Name), name) {
				return fmt.Sprintf(" (it belongs to %s)", r.companyName(id))
			}
		}
	}
	return ""
}

func (r *resolver) companyName(id string) string {
	for _, co := range r.c.Companies {
		if co.ID == id {
			return co.Name
		}
	}
	return "company " + id
}

// contractHint is the tail of a contract problem: the nearest names, else
// the company's active contracts, else what to do when it has none.
func contractHint(name string, active []string) string {
	if near := nearest(name, active, 3); len(near) > 0 {
		return ": did you mean " + quoteList(near) + "?"
	}
	if len(active) == 0 {
		return ": it has no active contract: add one in the PSA, or remove this entry"
	}
	shown := active[:min(len(active), maxListed)]
	q := make([]string, len(shown))
	for i, n := range shown {
		q[i] = fmt.Sprintf("%q", n)
	}
	msg := ": its active contracts are " + strings.Join(q, ", ")
	if rest := len(active) - len(shown); rest > 0 {
		msg += fmt.Sprintf(" (and %d more)", rest)
	}
	return msg
}
