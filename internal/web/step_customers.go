package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// customersStep maps the tenant's organizations to the PSA's companies:
// the catch-all company, the company filter, and one row per
// organization. Statuses come from the draft's companies.map and the
// API's auto-match proposals for the draft, never from rules of its own.
var customersStep = wizardStep{
	key: "customers", title: "Customers",
	load: loadCustomers,
	read: readCustomers,
	act:  actCustomers,
}

// Page sizes of the customer step.
const (
	orgRowsPerPage = 50
	companyChoices = 50
)

// customersState is what the customer step keeps in the draft besides
// the settings: which rows Run auto-match filled (so their mark stays
// after the admin moves on), and where the admin is in the table.
type customersState struct {
	// AutoFilled holds the organization keys, lower case, whose
	// companies.map entry Run auto-match wrote.
	AutoFilled map[string]bool
	// Query and Status filter the table; Page is its page, from 0.
	Query, Status string
	Page          int
	// CatchAllSearch is the text the catch-all's company list was
	// searched with; FindOrg and FindText the one row searched last.
	CatchAllSearch, FindOrg, FindText string
}

func (s customersState) clone() customersState {
	s.AutoFilled = maps.Clone(s.AutoFilled)
	return s
}

// orgKey is how companies.map keys organizations: trimmed, any case.
func orgKey(key string) string { return strings.ToLower(strings.TrimSpace(key)) }

// customersPage is what the customer step's template shows.
type customersPage struct {
	CatchAll        companyChoice
	CatchAllContact string
	AttachContacts  bool
	AutoMatch       bool
	// Types and Classifications are nil when the PSA lacks them or its
	// picklists could not be read.
	Types, Classifications []pickOption
	Rows                   []orgRow
	Query, Status          string
	Statuses               []string
	Shown                  int
	// PageNo counts from 1; Prev and Next are the neighbouring pages'
	// numbers from 0, -1 when there is none.
	PageNo, Pages, Prev, Next int
	Warnings                  []string
}

// companyChoice is a search box and the select it fills.
type companyChoice struct {
	Search   string
	Selected string
	Options  []string
}

type pickOption struct {
	Label    string
	Selected bool
}

// orgRow is one organization in the mapping table.
type orgRow struct {
	Index             int
	Key, Name, Status string
	// Wand marks a company found by exact name: proposed by auto-match
	// or written by Run auto-match.
	Wand    bool
	Company companyChoice
	Contact string
	Enabled bool
}

func loadCustomers(c *Console, r *http.Request, sess *session, d *draft) (any, error) {
	if err := d.needName(); err != nil {
		return nil, err
	}
	ctx, body, st := r.Context(), d.apiBody(), d.Customers
	co := d.Settings.Companies
	page := &customersPage{
		CatchAll:        companyChoice{Search: st.CatchAllSearch, Selected: co.CatchAll.Company.String()},
		CatchAllContact: co.CatchAll.Contact.String(),
		AttachContacts:  co.AttachContacts, AutoMatch: co.AutoMatch,
		Query: st.Query, Status: st.Status, Statuses: orgStatuses,
	}
	var problems []error
	// One companies call per distinct search: the catch-all's, the
	// rows' default list, and the row searched last.
	lists := map[string][]string{}
	choices := func(search string) []string {
		if got, ok := lists[search]; ok {
			return got
		}
		found, _, err := c.companies(ctx, sess, d.Settings.Name, search, companyChoices, body)
		if err != nil {
			problems = append(problems, err)
		}
		names := make([]string, len(found))
		for i, f := range found {
			names[i] = f.Name
		}
		lists[search] = names
		return names
	}
	page.CatchAll.Options = withSelected(choices(st.CatchAllSearch), page.CatchAll.Selected)
	if err := c.loadFilter(r, sess, d, page); err != nil {
		problems = append(problems, err)
	}
	props, err := c.proposals(ctx, sess, d.Settings.Name, body)
	if err != nil {
		problems = append(problems, err)
	}
	orgs, warnings, err := c.allOrgs(ctx, sess, st.Query, d.Editing)
	if err != nil {
		problems = append(problems, err)
	}
	page.Warnings = warnings
	rows := draftRows(d, orgs, props)
	page.Shown = len(rows)
	page.Pages = max(1, (len(rows)+orgRowsPerPage-1)/orgRowsPerPage)
	at := min(max(st.Page, 0), page.Pages-1)
	page.PageNo, page.Prev, page.Next = at+1, at-1, at+1
	if page.Next >= page.Pages {
		page.Next = -1
	}
	rows = rows[at*orgRowsPerPage : min(len(rows), (at+1)*orgRowsPerPage)]
	for i := range rows {
		search, find := "", ""
		if st.FindOrg != "" && orgKey(rows[i].Key) == orgKey(st.FindOrg) {
			search, find = st.FindText, st.FindText
		}
		rows[i].Index = i
		rows[i].Company.Search = find
		rows[i].Company.Options = withSelected(choices(search), rows[i].Company.Selected)
	}
	page.Rows = rows
	for _, err := range problems {
		if p, ok := err.(*problem); ok && p.Status == http.StatusUnauthorized {
			return page, err // ends the session rather than showing it
		}
	}
	return page, errors.Join(problems...)
}

// withSelected puts the chosen company first when a search left it out,
// so a select never loses what the draft holds.
func withSelected(names []string, selected string) []string {
	if selected == "" || slices.Contains(names, selected) {
		return names
	}
	return append([]string{selected}, names...)
}

// draftRows gives every organization its status in the draft, filtered
// by the status the admin chose: companies.map says mapped or disabled;
// the auto-match proposals say which of the rest auto-match would send
// to the company of their name; the others go to the catch-all.
func draftRows(d *draft, orgs []orgView, props []proposal) []orgRow {
	byOrg := make(map[string]proposal, len(props))
	for _, p := range props {
		byOrg[orgKey(p.Organization)] = p
	}
	entries := make(map[string]integration.Mapping, len(d.Settings.Companies.Map))
	for _, m := range d.Settings.Companies.Map {
		if _, dup := entries[orgKey(m.Organization)]; !dup {
			entries[orgKey(m.Organization)] = m
		}
	}
	rows := []orgRow{}
	for _, o := range orgs {
		k := orgKey(o.Key)
		row := orgRow{Key: o.Key, Name: o.Label(), Status: "catch_all", Enabled: true}
		m, mapped := entries[k]
		if mapped {
			row.Company.Selected, row.Contact, row.Enabled = m.Company.String(), m.Contact.String(), m.IsEnabled()
		}
		switch p, proposed := byOrg[k]; {
		case mapped && !m.IsEnabled():
			row.Status = "disabled"
		case mapped && !m.Company.IsZero():
			row.Status, row.Wand = "mapped", d.Customers.AutoFilled[k]
		case proposed && p.Status == "auto_matched":
			row.Status, row.Wand = "auto_matched", true
		case proposed && p.Status == "ignored":
			row.Status = "ignored"
		}
		if d.Customers.Status == "" || d.Customers.Status == row.Status {
			rows = append(rows, row)
		}
	}
	return rows
}

// loadFilter offers the PSA's company types and classifications, where
// its profile has them, from the draft's picklists.
func (c *Console) loadFilter(r *http.Request, sess *session, d *draft, page *customersPage) error {
	p, _ := c.cfg.Profiles.Lookup(d.Settings.PSA)
	_, noTypes := p.Lacks("companies.filter.types")
	_, noClasses := p.Lacks("companies.filter.classifications")
	if noTypes && noClasses {
		return nil
	}
	var out struct {
		Picklists map[string][]struct {
			Label  string `json:"label"`
			Active bool   `json:"active"`
		} `json:"picklists"`
	}
	if err := c.call(r.Context(), sess, "POST", d.integrationPath("/picklists"), d.apiBody(), &out); err != nil {
		return err
	}
	options := func(field string, chosen []integration.Pick) []pickOption {
		opts := []pickOption{}
		for _, v := range out.Picklists[field] {
			on := slices.ContainsFunc(chosen, func(p integration.Pick) bool { return strings.EqualFold(p.String(), v.Label) })
			if v.Active || on {
				opts = append(opts, pickOption{Label: v.Label, Selected: on})
			}
		}
		return opts
	}
	f := d.Settings.Companies.Filter
	if !noTypes {
		page.Types = options(psa.FieldCompanyType, f.Types)
	}
	if !noClasses {
		page.Classifications = options(psa.FieldClassification, f.Classifications)
	}
	return nil
}

// readCustomers takes the customer form into the draft: the catch-all,
// the toggles, the filter (when it was shown) and the table rows of the
// page that was shown.
func readCustomers(r *http.Request, d *draft) error {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	co, st := &d.Settings.Companies, &d.Customers
	co.CatchAll.Company = keepPick(co.CatchAll.Company, f("catchall_company"))
	co.CatchAll.Contact = keepPick(co.CatchAll.Contact, f("catchall_contact"))
	co.AttachContacts, co.AutoMatch = f("attach_contacts") == "on", f("auto_match") == "on"
	if f("has_filter_types") != "" {
		co.Filter.Types = keepPicks(co.Filter.Types, r.PostForm["filter_types"])
	}
	if f("has_filter_classifications") != "" {
		co.Filter.Classifications = keepPicks(co.Filter.Classifications, r.PostForm["filter_classifications"])
	}
	for i := 0; ; i++ {
		n := strconv.Itoa(i)
		key, shown := r.PostForm["org."+n]
		if !shown {
			break
		}
		setRow(d, key[0], f("company."+n), f("contact."+n), f("enabled."+n) == "on")
	}
	if q, s := f("org_q"), f("org_status"); q != st.Query || s != st.Status {
		st.Query, st.Status, st.Page = q, s, 0
	}
	if st.Status != "" && !slices.Contains(orgStatuses, st.Status) {
		st.Status = ""
	}
	st.CatchAllSearch = f("catchall_search")
	return nil
}

// keepPick keeps a stored value (with its id) when the form sends its
// name back unchanged.
func keepPick(old integration.Pick, name string) integration.Pick {
	if name == old.String() {
		return old
	}
	return integration.Pick{Name: name}
}

func keepPicks(old []integration.Pick, names []string) []integration.Pick {
	var out []integration.Pick
	for _, n := range names {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		i := slices.IndexFunc(old, func(p integration.Pick) bool { return p.String() == n })
		if i >= 0 {
			out = append(out, old[i])
		} else {
			out = append(out, integration.Pick{Name: n})
		}
	}
	return out
}

// setRow writes one table row into companies.map: an entry that says
// nothing (no company, no contact, enabled) is removed, so the
// organization goes back to auto-match or the catch-all.
func setRow(d *draft, key, companyName, contact string, enabled bool) {
	ms := &d.Settings.Companies.Map
	i := slices.IndexFunc(*ms, func(m integration.Mapping) bool { return orgKey(m.Organization) == orgKey(key) })
	if companyName == "" && contact == "" && enabled {
		if i >= 0 {
			*ms = slices.Delete(*ms, i, i+1)
		}
		delete(d.Customers.AutoFilled, orgKey(key))
		return
	}
	if i < 0 {
		*ms = append(*ms, integration.Mapping{Organization: strings.TrimSpace(key)})
		i = len(*ms) - 1
	}
	m := &(*ms)[i]
	if companyName != m.Company.String() {
		// A company chosen by hand is no longer auto-matched.
		delete(d.Customers.AutoFilled, orgKey(key))
	}
	m.Company, m.Contact = keepPick(m.Company, companyName), keepPick(m.Contact, contact)
	m.Enabled = nil
	if !enabled {
		m.Enabled = new(bool)
	}
}

// actCustomers runs the step's own buttons: Run auto-match, the
// searches, the table's filter and pages.
func actCustomers(c *Console, r *http.Request, sess *session, d *draft, action string) (string, error) {
	st := &d.Customers
	switch {
	case action == "automatch":
		return runAutoMatch(c, r, sess, d)
	case action == "search-catchall", action == "filter":
		return "", nil // read took the search text
	case strings.HasPrefix(action, "page:"):
		n, err := strconv.Atoi(strings.TrimPrefix(action, "page:"))
		if err != nil || n < 0 {
			return "", fmt.Errorf("unknown page %q", action)
		}
		st.Page = n
		return "", nil
	case strings.HasPrefix(action, "find:"):
		n := strings.TrimPrefix(action, "find:")
		key, ok := r.PostForm["org."+n]
		if !ok {
			return "", fmt.Errorf("unknown row %q", n)
		}
		st.FindOrg, st.FindText = key[0], strings.TrimSpace(r.PostFormValue("find."+n))
		return "", nil
	}
	return "", fmt.Errorf("unknown action %q", action)
}

// runAutoMatch writes every auto-match proposal for the draft into
// companies.map and remembers those rows, so they keep their mark.
func runAutoMatch(c *Console, r *http.Request, sess *session, d *draft) (string, error) {
	if err := d.needName(); err != nil {
		return "", err
	}
	props, err := c.proposals(r.Context(), sess, d.Settings.Name, d.apiBody())
	if err != nil {
		return "", err
	}
	if d.Customers.AutoFilled == nil {
		d.Customers.AutoFilled = map[string]bool{}
	}
	filled := 0
	for _, p := range props {
		if p.Company == "" || slices.ContainsFunc(d.Settings.Companies.Map, func(m integration.Mapping) bool { return orgKey(m.Organization) == orgKey(p.Organization) }) {
			continue
		}
		d.Settings.Companies.Map = append(d.Settings.Companies.Map, integration.Mapping{Organization: p.Organization, Company: integration.Pick{Name: p.Company}})
		d.Customers.AutoFilled[orgKey(p.Organization)] = true
		filled++
	}
	if filled == 0 {
		return "Auto-match found no organization left whose name is one of the PSA's companies.", nil
	}
	return fmt.Sprintf("Auto-match mapped %d organization(s) to the company of their name (marked ✦).", filled), nil
}
