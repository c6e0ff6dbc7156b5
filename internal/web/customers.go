package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// orgsPerPage is how many organizations the Customers page lists at once.
const orgsPerPage = 50

// customersView is what the Customers page of a stored integration shows.
type customersView struct {
	Integration string
	Rows        []customerRow
	Query       string
	Status      string
	Statuses    []string
	// Cursor is the page shown ("" for the first), NextCursor the next
	// page's ("" at the end).
	Cursor, NextCursor string
	Warnings           []string
	// Companies fill the company fields' suggestions; empty when the PSA
	// could not be read (the fields still take a typed name).
	Companies []string
	// Proposals are auto-match's, shown after Run auto-match.
	Proposals []proposal
	// Result is the API's answer to the write just made: a plan, or a
	// problem.
	Result  *planView
	Problem string
	Did     string
}

// customerRow is one organization under the integration.
type customerRow struct {
	Key, Name, Status, Company string
}

// customers serves the Customers page: the organizations with their
// status under the integration, searched, filtered and paged by the API.
func (c *Console) customers(w http.ResponseWriter, r *http.Request, sess *session) {
	c.renderCustomers(w, r, sess, r.URL.Query(), http.StatusOK, customersView{})
}

// renderCustomers lists the organizations as q asks, below what v
// already holds (a write's answer, proposals).
func (c *Console) renderCustomers(w http.ResponseWriter, r *http.Request, sess *session, q url.Values, status int, v customersView) {
	name := r.PathValue("name")
	v.Integration, v.Statuses = name, orgStatuses
	v.Query, v.Status, v.Cursor = strings.TrimSpace(q.Get("q")), q.Get("status"), q.Get("cursor")
	api := url.Values{"integration": {name}, "limit": {strconv.Itoa(orgsPerPage)}}
	for k, val := range map[string]string{"q": v.Query, "status": v.Status, "cursor": v.Cursor} {
		if val != "" {
			api.Set(k, val)
		}
	}
	page, err := c.listOrgs(r.Context(), sess, api)
	if err != nil {
		c.fail(w, r, sess, "list organizations", err)
		return
	}
	v.NextCursor, v.Warnings = page.NextCursor, page.Warnings
	for _, o := range page.Organizations {
		row := customerRow{Key: o.Key, Name: o.Label()}
		for _, in := range o.Integrations {
			if in.Integration == name {
				row.Status, row.Company = in.Status, in.Company
			}
		}
		v.Rows = append(v.Rows, row)
	}
	// Suggestions only: a PSA that cannot be read now should not hide
	// the list, and the API checks whatever name is typed.
	if found, _, err := c.companies(r.Context(), sess, name, "", 500, nil); err == nil {
		for _, f := range found {
			v.Companies = append(v.Companies, f.Name)
		}
	}
	c.render(w, status, "customers", sess, v)
}

// customersPost runs one of the Customers page's writes through the API
// and shows its answer above the refreshed list.
func (c *Console) customersPost(w http.ResponseWriter, r *http.Request, sess *session) {
	name := r.PathValue("name")
	base := "/api/v1/integrations/" + url.PathEscape(name)
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	org := f("org")
	orgPath := base + "/organizations/" + url.PathEscape(org)
	var v customersView
	var method, path, did string
	var body any
	switch r.PathValue("action") {
	case "auto-match":
		props, err := c.proposals(r.Context(), sess, name, nil)
		if err != nil {
			c.customersAnswer(w, r, sess, v, err)
			return
		}
		// Ignored organizations have no company to accept; the list
		// above already shows their status.
		props = slices.DeleteFunc(props, func(p proposal) bool { return p.Status == "ignored" })
		v.Proposals = props
		if len(props) == 0 {
			v.Did = "Auto-match found no organization whose name is one of the PSA's companies."
		}
		c.customersAnswer(w, r, sess, v, nil)
		return
	case "accept":
		var accept []map[string]string
		for _, i := range r.PostForm["accept"] {
			accept = append(accept, map[string]string{"organization": f("org." + i), "company": f("company." + i)})
		}
		method, path, body, did = "POST", base+"/auto-match", map[string]any{"accept": accept}, "Accepted the proposals"
	case "map":
		method, path, body, did = "PUT", orgPath, map[string]any{"company": f("company"), "contact": f("contact")}, "Mapped "+org
	case "disable", "enable":
		on := r.PathValue("action") == "enable"
		method, path, body, did = "PUT", orgPath, map[string]any{"enabled": on}, r.PathValue("action")+"d "+org
	case "unmap":
		method, path, did = "DELETE", orgPath, "Unmapped "+org
	case "import":
		method, path, body, did = "POST", base+"/organizations", map[string]any{"company": f("company"), "contact": f("contact")}, "Imported "+f("company")
	default:
		http.NotFound(w, r)
		return
	}
	var plan planView
	err := c.call(r.Context(), sess, method, path, body, &plan)
	if err == nil {
		v.Result, v.Did = &plan, did
	}
	c.customersAnswer(w, r, sess, v, err)
}

// customersAnswer shows a write's outcome: the API's refusal in its own
// words, or the plan it applied, above the list the admin was on.
func (c *Console) customersAnswer(w http.ResponseWriter, r *http.Request, sess *session, v customersView, err error) {
	status := http.StatusOK
	if err != nil {
		p, ok := err.(*problem)
		if !ok || p.Status == http.StatusUnauthorized {
			c.fail(w, r, sess, "customers", err)
			return
		}
		v.Problem, status = p.Error(), http.StatusUnprocessableEntity
	}
	// The list stays where the admin was: the form carries its query.
	q := url.Values{"q": {r.PostFormValue("q")}, "status": {r.PostFormValue("status")}, "cursor": {r.PostFormValue("cursor")}}
	c.renderCustomers(w, r, sess, q, status, v)
}
