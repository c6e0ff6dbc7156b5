package integration

import (
	"fmt"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func (r *resolver) companies(c *Companies) {
	catchAll := r.company("companies.catch_all.company", &c.CatchAll.Company, false)
	if catchAll != nil {
		r.contact("companies.catch_all.contact", &c.CatchAll.Contact, catchAll)
		if c.AttachContacts && len(activeContacts(r.c.Contacts[catchAll.ID])) == 0 {
			r.ps.add("companies.catch_all.company", "company %q has no active contact, and companies.attach_contacts is true: add a contact to it in the PSA, choose another catch-all company, or set attach_contacts: false", catchAll.Name)
		}
	}
	for i := range c.Filter.Types {
		r.pick(psa.FieldCompanyType, fmt.Sprintf("companies.filter.types[%d]", i), &c.Filter.Types[i], "")
	}
	for i := range c.Filter.MarketSegments {
		r.pick(psa.FieldMarketSegment, fmt.Sprintf("companies.filter.market_segments[%d]", i), &c.Filter.MarketSegments[i], "")
	}
	for i := range c.Filter.Classifications {
		r.pick(psa.FieldClassification, fmt.Sprintf("companies.filter.classifications[%d]", i), &c.Filter.Classifications[i], "")
	}
	for i := range c.Ignore {
		// An inactive company may stay ignored: deactivating it in the PSA
		// must not break the next apply.
		r.company(fmt.Sprintf("companies.ignore[%d]", i), &c.Ignore[i], true)
	}
	for i := range c.Map {
		m := &c.Map[i]
		path := MappingPath(i, *m)
		if co := r.company(path+".company", &m.Company, false); co != nil {
			r.contact(path+".contact", &m.Contact, co)
		}
	}
}

// company resolves a company by name (case-insensitive, trimmed) and
// returns it, or nil with a problem.
func (r *resolver) company(path string, p *Pick, allowInactive bool) *psa.Company {
	name := strings.TrimSpace(p.Name)
	if name == "" {
		if p.ID == "" {
			return nil
		}
		for i := range r.c.Companies {
			if r.c.Companies[i].ID == p.ID {
				return &r.c.Companies[i]
			}
		}
		return &psa.Company{ID: p.ID, Active: true}
	}
	var inactive *psa.Company
	for i := range r.c.Companies {
		co := &r.c.Companies[i]
		if !strings.EqualFold(strings.TrimSpace(co.Name), name) {
			continue
		}
		if co.Active || allowInactive {
			*p = Pick{Name: co.Name, ID: co.ID}
			return co
		}
		inactive = co
	}
	valid := r.activeCompanyNames()
	if inactive != nil {
		r.ps.add(path, "company %q is inactive in the PSA%s", inactive.Name, suggest(name, valid, "company"))
		return nil
	}
	r.ps.add(path, "unknown company %q%s", name, suggest(name, valid, "company"))
	return nil
}

func (r *resolver) activeCompanyNames() []string {
	var out []string
	for _, co := range r.c.Companies {
		if co.Active {
			out = append(out, co.Name)
		}
	}
	return out
}

// contact resolves a contact of company by email or "First Last" name.
func (r *resolver) contact(path string, p *Pick, company *psa.Company) {
	name := strings.TrimSpace(p.Name)
	if name == "" {
		return
	}
	var inactive *psa.Contact
	for _, ct := range r.c.Contacts[company.ID] {
		if !strings.EqualFold(strings.TrimSpace(ct.Email), name) && !strings.EqualFold(ct.Name(), name) {
			continue
		}
		if ct.Active {
			p.ID = ct.ID
			return
		}
		inactive = &ct
	}
	var valid []string
	for _, ct := range activeContacts(r.c.Contacts[company.ID]) {
		for _, v := range []string{ct.Email, ct.Name()} {
			if v != "" {
				valid = append(valid, v)
			}
		}
	}
	if inactive != nil {
		r.ps.add(path, "contact %q of %q is inactive in the PSA%s", name, company.Name, suggest(name, valid, "contact"))
		return
	}
	r.ps.add(path, "unknown contact %q in company %q (write an email or \"First Last\")%s", name, company.Name, suggest(name, valid, "contact"))
}

func activeContacts(cs []psa.Contact) []psa.Contact {
	var out []psa.Contact
	for _, c := range cs {
		if c.Active {
			out = append(out, c)
		}
	}
	return out
}
