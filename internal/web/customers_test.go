package web

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// fakeCompanies are the PSA companies the fake lists: Initech's company
// is not its exact name, so auto-match proposes Acme Corp and Globex only.
var fakeCompanies = []string{"Acme Corp", "Default Account", "Globex", "Initech Holdings"}

// fakeOrgs are the tenant's organizations, alphabetically.
func (f *fakeAPI) fakeOrgs() [][2]string {
	orgs := [][2]string{{"org-1", "Acme Corp"}, {"org-2", "Globex"}, {"org-3", "Initech"}}
	for i := range f.extraOrgs {
		orgs = append(orgs, [2]string{fmt.Sprintf("org-x%03d", i), fmt.Sprintf("Zeta %03d", i)})
	}
	return orgs
}

// serveCustomers answers the customer mapping routes; false for any
// other route.
func (f *fakeAPI) serveCustomers(w http.ResponseWriter, r *http.Request, body map[string]any) bool {
	p, q := r.URL.Path, r.URL.Query()
	switch {
	case r.Method == "GET" && p == "/api/v1/organizations":
		f.serveOrgs(w, q)
	case r.Method == "POST" && strings.HasSuffix(p, "/companies"):
		if q.Get("search") == "down" {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, `{"title":"The PSA refused or could not be reached","status":502,"detail":"list companies: connection refused"}`)
			return true
		}
		found := []map[string]string{}
		for i, name := range fakeCompanies {
			if strings.Contains(strings.ToLower(name), strings.ToLower(q.Get("search"))) {
				found = append(found, map[string]string{"id": strconv.Itoa(i + 1), "name": name})
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"integration": "main", "companies": found, "total": len(found)})
	case r.Method == "POST" && strings.HasSuffix(p, "/auto-match"):
		if _, ok := body["accept"]; ok {
			_, _ = io.WriteString(w, `{"name":"main","changes":["~ companies.map: org-1 → Acme Corp"],"effects":[],"warnings":[],"applied":true}`)
			return true
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"integration": "main", "proposals": f.fakeProposals(body)})
	case strings.HasPrefix(p, "/api/v1/integrations/main/organizations"):
		if strings.HasSuffix(p, "/org-bad") {
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = io.WriteString(w, `{"title":"Invalid settings","status":422,"detail":"1 problem(s) in the settings","errors":[{"field":"company","reason":"\"Globx\" is not a company: did you mean \"Globex\"?"}]}`)
			return true
		}
		_, _ = io.WriteString(w, `{"name":"main","changes":["~ companies.map"],"effects":[],"warnings":[],"applied":true}`)
	default:
		return false
	}
	return true
}

// fakeProposals proposes, for each organization the body's draft does
// not map, the company of its exact name; auto_matched when the draft
// turns auto_match on.
func (f *fakeAPI) fakeProposals(body map[string]any) []map[string]string {
	var co struct {
		AutoMatch bool `json:"auto_match"`
		Map       []struct {
			Organization string `json:"organization"`
		} `json:"map"`
	}
	if s, ok := body["settings"].(map[string]any); ok {
		b, _ := json.Marshal(s["companies"])
		_ = json.Unmarshal(b, &co)
	}
	status := "catch_all"
	if co.AutoMatch {
		status = "auto_matched"
	}
	out := []map[string]string{}
	for _, o := range f.fakeOrgs() {
		mapped := slices.ContainsFunc(co.Map, func(m struct {
			Organization string `json:"organization"`
		}) bool {
			return m.Organization == o[0]
		})
		if slices.Contains(fakeCompanies, o[1]) && !mapped {
			out = append(out, map[string]string{"organization": o[0], "organization_name": o[1], "status": status, "company": o[1], "company_id": "1"})
		}
	}
	return out
}

// serveOrgs lists the organizations with their stored statuses: org-1
// mapped, org-3 disabled, the rest catch-all.
func (f *fakeAPI) serveOrgs(w http.ResponseWriter, q url.Values) {
	limit, _ := strconv.Atoi(q.Get("limit"))
	from, _ := strconv.Atoi(q.Get("cursor"))
	var rows []map[string]any
	next := ""
	for i, o := range f.fakeOrgs() {
		status, company := "catch_all", "Default Account"
		switch o[0] {
		case "org-1":
			status, company = "mapped", "Acme Corp"
		case "org-3":
			status, company = "disabled", ""
		}
		if i < from || !strings.Contains(strings.ToLower(o[1]), strings.ToLower(q.Get("q"))) || (q.Get("status") != "" && q.Get("status") != status) {
			continue
		}
		if len(rows) == limit {
			next = strconv.Itoa(i)
			break
		}
		rows = append(rows, map[string]any{"key": o[0], "name": o[1], "origin": "alert",
			"integrations": []map[string]string{{"integration": "main", "status": status, "company": company}}})
	}
	out := map[string]any{"organizations": rows, "warnings": []string{}}
	if next != "" {
		out["next_cursor"] = next
	}
	_ = json.NewEncoder(w).Encode(out)
}

const wizardSecret = "s3cr3t-customers-never-shown"

// startDraft begins a draft named main on psa and moves to the customer
// step; it returns the session's CSRF token.
func (h *harness) startDraft(psa string) string {
	h.t.Helper()
	h.signIn(adminToken)
	_, page := h.do("GET", "/integrations/new", nil)
	csrf := h.csrfOf(page)
	form := url.Values{"csrf": {csrf}, "name": {"main"}, "psa": {psa}, "username": {"api@msp.example"}, "cred_secret": {wizardSecret}, "action": {"next"}}
	if resp, _ := h.do("POST", "/setup/connect", form); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/setup/customers" {
		h.t.Fatalf("connect, next: %d to %q, want the customer step", resp.StatusCode, resp.Header.Get("Location"))
	}
	return csrf
}

// reviewedCompanies shows the review and returns the companies section
// of the settings its dry run sent.
func (h *harness) reviewedCompanies() map[string]any {
	h.t.Helper()
	if resp, page := h.do("GET", "/setup/review", nil); resp.StatusCode != http.StatusOK {
		h.t.Fatalf("review: %d\n%s", resp.StatusCode, page)
	}
	calls := h.api.recorded()
	for i := len(calls) - 1; i >= 0; i-- {
		if c := calls[i]; c.Method == "PUT" && strings.Contains(c.Path, "dry_run=1") {
			s, _ := c.Body["settings"].(map[string]any)
			co, _ := s["companies"].(map[string]any)
			return co
		}
	}
	h.t.Fatal("the review ran no dry run")
	return nil
}

// rowOf is the table row of an organization.
func rowOf(t *testing.T, page, key string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr data-org="` + regexp.QuoteMeta(key) + `">.*?</tr>`).FindString(page)
	if m == "" {
		t.Fatalf("no row of %s in:\n%s", key, page)
	}
	return m
}

// customersForm is the customer step's form as a browser posts it with
// the first three rows shown.
func customersForm(csrf, action string) url.Values {
	return url.Values{
		"csrf": {csrf}, "action": {action}, "catchall_search": {""}, "catchall_company": {""}, "catchall_contact": {""},
		"has_filter_types": {"1"}, "has_filter_classifications": {"1"}, "org_q": {""}, "org_status": {""},
		"org.0": {"org-1"}, "company.0": {""}, "contact.0": {""}, "enabled.0": {"on"},
		"org.1": {"org-2"}, "company.1": {""}, "contact.1": {""}, "enabled.1": {"on"},
		"org.2": {"org-3"}, "company.2": {""}, "contact.2": {""}, "enabled.2": {"on"},
	}
}

func TestCustomersStepWritesTheDraft(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.startDraft("autotask")
	resp, page := h.do("GET", "/setup/customers", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("customer step: %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{`<option value="Default Account">`, `<option value="Customer">`, `<option value="Gold">`, `id="automatch"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the step lacks %s", want)
		}
	}
	if strings.Contains(page, `value="Retired"`) {
		t.Error("an inactive company type is offered")
	}
	for _, key := range []string{"org-1", "org-2", "org-3"} {
		if row := rowOf(t, page, key); !strings.Contains(row, "catch_all") || strings.Contains(row, "✦") {
			t.Errorf("%s before any mapping: %s", key, row)
		}
	}

	// No JavaScript: Search re-renders the catch-all's select with the
	// matches.
	form := customersForm(csrf, "search-catchall")
	form.Set("catchall_search", "def")
	resp, page = h.do("POST", "/setup/customers", form)
	sel := regexp.MustCompile(`(?s)<select id="catchall_company".*?</select>`).FindString(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(sel, "Default Account") || strings.Contains(sel, "Globex") {
		t.Fatalf("catch-all search: %d\n%s", resp.StatusCode, sel)
	}

	// Choose the catch-all, filter, map Globex by hand, disable Initech,
	// then Run auto-match: Acme Corp is the only proposal left.
	form = customersForm(csrf, "automatch")
	form.Set("catchall_company", "Default Account")
	form.Set("catchall_contact", "Jane Doe")
	form.Set("attach_contacts", "on")
	form["filter_types"] = []string{"Customer"}
	form.Set("company.1", "Globex")
	form.Set("contact.1", "ops@globex.example")
	form.Del("enabled.2")
	resp, page = h.do("POST", "/setup/customers", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Auto-match mapped 1 organization") {
		t.Fatalf("run auto-match: %d\n%s", resp.StatusCode, page)
	}
	if row := rowOf(t, page, "org-1"); !strings.Contains(row, "mapped") || !strings.Contains(row, "✦ auto-matched") || !strings.Contains(row, `<option value="Acme Corp" selected>`) {
		t.Errorf("auto-filled row: %s", row)
	}
	if row := rowOf(t, page, "org-2"); !strings.Contains(row, "mapped") || strings.Contains(row, "✦") {
		t.Errorf("row mapped by hand: %s", row)
	}
	if row := rowOf(t, page, "org-3"); !strings.Contains(row, "disabled") || strings.Contains(row, "checked") {
		t.Errorf("disabled row: %s", row)
	}

	// The mark survives a walk through other steps.
	h.do("GET", "/setup/yaml", nil)
	_, page = h.do("GET", "/setup/customers", nil)
	if row := rowOf(t, page, "org-1"); !strings.Contains(row, "✦ auto-matched") {
		t.Errorf("after leaving the step, the auto-filled row lost its mark: %s", row)
	}

	co := h.reviewedCompanies()
	raw, _ := json.Marshal(co)
	var got integration.Companies
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	var mapped []string
	for _, m := range got.Map {
		mapped = append(mapped, fmt.Sprintf("%s=%s/%s/%v", m.Organization, m.Company, m.Contact, m.IsEnabled()))
	}
	if g, want := strings.Join(mapped, ","), "org-2=Globex/ops@globex.example/true,org-3=//false,org-1=Acme Corp//true"; g != want {
		t.Errorf("companies.map sent to the dry run: %s, want %s", g, want)
	}
	if got.CatchAll.Company.Name != "Default Account" || got.CatchAll.Contact.Name != "Jane Doe" || !got.AttachContacts ||
		len(got.Filter.Types) != 1 || got.Filter.Types[0].Name != "Customer" || len(got.Filter.Classifications) != 0 {
		t.Errorf("companies sent to the dry run: %s", raw)
	}
	if got.AutoMatch {
		t.Errorf("auto_match was not ticked but is set: %s", raw)
	}
}

func TestCustomersStepStatuses(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.startDraft("autotask")
	// auto_match on: the proposals the API gives say auto_matched.
	form := customersForm(csrf, "filter")
	form.Set("auto_match", "on")
	form.Set("company.2", "Initech Holdings")
	_, page := h.do("POST", "/setup/customers", form)
	if row := rowOf(t, page, "org-2"); !strings.Contains(row, "auto_matched") || !strings.Contains(row, "✦ auto-matched") {
		t.Errorf("proposed with auto_match on: %s", row)
	}
	if row := rowOf(t, page, "org-3"); !strings.Contains(row, "mapped") || strings.Contains(row, "✦") {
		t.Errorf("mapped by hand: %s", row)
	}
	// Changing an auto-filled row's company by hand drops its mark.
	form = customersForm(csrf, "automatch")
	form.Set("auto_match", "on")
	form.Set("company.2", "Initech Holdings")
	h.do("POST", "/setup/customers", form)
	form = customersForm(csrf, "filter")
	form.Set("auto_match", "on")
	form.Set("company.0", "Default Account")
	form.Set("company.1", "Globex")
	form.Set("company.2", "Initech Holdings")
	form.Set("org_status", "mapped")
	_, page = h.do("POST", "/setup/customers", form)
	if row := rowOf(t, page, "org-1"); strings.Contains(row, "✦") {
		t.Errorf("a company changed by hand keeps the mark: %s", row)
	}
	if row := rowOf(t, page, "org-2"); !strings.Contains(row, "✦ auto-matched") {
		t.Errorf("an auto-filled row left as it was lost its mark: %s", row)
	}
	// The status filter: disabled shows none of them.
	form.Set("org_status", "disabled")
	_, page = h.do("POST", "/setup/customers", form)
	if strings.Contains(page, "data-org=") || !strings.Contains(page, "No organization matches") {
		t.Errorf("status disabled lists rows:\n%s", page)
	}
}

func TestCustomersStepPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.api.extraOrgs = 120
	csrf := h.startDraft("autotask")
	_, page := h.do("GET", "/setup/customers", nil)
	if n := strings.Count(page, "data-org="); n != orgRowsPerPage || !strings.Contains(page, "123 organization(s), page 1 of 3") {
		t.Fatalf("first page: %d rows\n%s", n, page)
	}
	form := url.Values{"csrf": {csrf}, "action": {"page:2"}, "org_q": {""}, "org_status": {""}}
	_, page = h.do("POST", "/setup/customers", form)
	if n := strings.Count(page, "data-org="); n != 23 || !strings.Contains(page, `data-org="org-x119"`) || strings.Contains(page, `id="next_page"`) {
		t.Fatalf("last page: %d rows\n%s", n, page)
	}
	form = url.Values{"csrf": {csrf}, "action": {"filter"}, "org_q": {"zeta 11"}, "org_status": {""}}
	_, page = h.do("POST", "/setup/customers", form)
	if n := strings.Count(page, "data-org="); n != 10 || !strings.Contains(page, "10 organization(s)</caption>") {
		t.Fatalf("search: %d rows\n%s", n, page)
	}
	for _, c := range h.api.recorded() {
		if c.Method == "GET" && strings.HasPrefix(c.Path, "/api/v1/organizations") && !strings.Contains(c.Path, "limit=500") {
			t.Errorf("organizations read a small page at a time: %s", c.Path)
		}
	}
}

func TestCustomersStepRowSearchAndProblems(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.startDraft("autotask")
	form := customersForm(csrf, "find:1")
	form.Set("find.1", "hold")
	_, page := h.do("POST", "/setup/customers", form)
	sel := regexp.MustCompile(`(?s)<select id="company-1".*?</select>`).FindString(page)
	if !strings.Contains(sel, "Initech Holdings") || strings.Contains(sel, "Acme Corp") {
		t.Errorf("row search: %s", sel)
	}
	if other := regexp.MustCompile(`(?s)<select id="company-0".*?</select>`).FindString(page); !strings.Contains(other, "Acme Corp") {
		t.Errorf("another row's choices changed: %s", other)
	}
	// The PSA's refusal shows as a problem; the page still shows.
	form = customersForm(csrf, "search-catchall")
	form.Set("catchall_search", "down")
	resp, page := h.do("POST", "/setup/customers", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `role="alert"`) || !strings.Contains(page, "connection refused") || !strings.Contains(page, `data-org="org-1"`) {
		t.Errorf("a PSA refusal: %d\n%s", resp.StatusCode, page)
	}
	if strings.Contains(page, wizardSecret) {
		t.Error("the step shows the secret")
	}
	for _, c := range h.api.recorded() {
		if c.Method != "POST" || !strings.Contains(c.Path, "/integrations/main/") {
			continue
		}
		if creds, _ := c.Body["credentials"].(map[string]any); creds["secret"] != wizardSecret {
			t.Errorf("%s %s: credentials %v, want the draft's", c.Method, c.Path, creds)
		}
	}
}

func TestCustomersStepHidesAFilterThePSALacks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.startDraft("syncro")
	_, page := h.do("GET", "/setup/customers", nil)
	if !strings.Contains(page, `id="filter_types"`) || strings.Contains(page, `id="filter_classifications"`) {
		t.Errorf("syncro's filter: want types only\n%s", page)
	}
}

func TestCustomersPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(adminToken)
	resp, page := h.do("GET", "/integrations/main/customers?status=&q=", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("customers page: %d\n%s", resp.StatusCode, page)
	}
	for key, status := range map[string]string{"org-1": "mapped", "org-2": "catch_all", "org-3": "disabled"} {
		if row := rowOf(t, page, key); !strings.Contains(row, `<td class="status">`+status+`</td>`) {
			t.Errorf("%s: want %s: %s", key, status, row)
		}
	}
	if !strings.Contains(rowOf(t, page, "org-3"), `aria-label="Enable Initech"`) {
		t.Errorf("a disabled organization offers no Enable")
	}
	if !strings.Contains(page, `<option value="Globex">`) {
		t.Error("no company suggestions")
	}
	csrf := h.csrfOf(page)

	_, page = h.do("POST", "/integrations/main/customers/auto-match", url.Values{"csrf": {csrf}})
	if !strings.Contains(page, `id="proposals"`) || !strings.Contains(page, `name="company.0" value="Acme Corp"`) {
		t.Fatalf("proposals:\n%s", page)
	}
	resp, page = h.do("POST", "/integrations/main/customers/accept", url.Values{"csrf": {csrf}, "accept": {"0"},
		"org.0": {"org-1"}, "company.0": {"Acme Corp"}, "org.1": {"org-2"}, "company.1": {"Globex"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "org-1 → Acme Corp") || !strings.Contains(page, "applied") {
		t.Fatalf("accept: %d\n%s", resp.StatusCode, page)
	}

	resp, page = h.do("POST", "/integrations/main/customers/map", url.Values{"csrf": {csrf}, "org": {"org-bad"}, "company": {"Globx"}, "q": {"glob"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `role="alert"`) || !strings.Contains(page, "did you mean &#34;Globex&#34;") {
		t.Fatalf("a refused mapping: %d\n%s", resp.StatusCode, page)
	}
	h.do("POST", "/integrations/main/customers/disable", url.Values{"csrf": {csrf}, "org": {"org-2"}})
	h.do("POST", "/integrations/main/customers/unmap", url.Values{"csrf": {csrf}, "org": {"org-1"}})
	h.do("POST", "/integrations/main/customers/import", url.Values{"csrf": {csrf}, "company": {"Initech Holdings"}})

	var writes []string
	for _, c := range h.api.recorded() {
		if c.Method != "GET" && !strings.HasSuffix(c.Path, "/companies?limit=500") {
			b, _ := json.Marshal(c.Body)
			writes = append(writes, c.Method+" "+c.Path+" "+string(b))
		}
	}
	want := []string{
		`POST /api/v1/integrations/main/auto-match null`,
		`POST /api/v1/integrations/main/auto-match {"accept":[{"company":"Acme Corp","organization":"org-1"}]}`,
		`PUT /api/v1/integrations/main/organizations/org-bad {"company":"Globx","contact":""}`,
		`PUT /api/v1/integrations/main/organizations/org-2 {"enabled":false}`,
		`DELETE /api/v1/integrations/main/organizations/org-1 null`,
		`POST /api/v1/integrations/main/organizations {"company":"Initech Holdings","contact":""}`,
	}
	if strings.Join(writes, "\n") != strings.Join(want, "\n") {
		t.Errorf("API writes:\n%s\nwant:\n%s", strings.Join(writes, "\n"), strings.Join(want, "\n"))
	}
	// A write keeps the list where the admin was.
	var kept bool
	for _, c := range h.api.recorded() {
		kept = kept || (c.Method == "GET" && strings.Contains(c.Path, "q=glob"))
	}
	if !kept {
		t.Error("after a write the list lost its search")
	}
}

func TestCustomersPageNextPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.api.extraOrgs = 60
	h.signIn(adminToken)
	_, page := h.do("GET", "/integrations/main/customers", nil)
	m := regexp.MustCompile(`id="next_page" href="([^"]+)"`).FindStringSubmatch(page)
	if n := strings.Count(page, "data-org="); n != orgsPerPage || m == nil {
		t.Fatalf("first page: %d rows, next link %v", n, m)
	}
	_, page = h.do("GET", strings.ReplaceAll(m[1], "&amp;", "&"), nil)
	if n := strings.Count(page, "data-org="); n != 13 || strings.Contains(page, `id="next_page"`) {
		t.Fatalf("second page: %d rows\n%s", n, page)
	}
}

// TestDraftRowStatuses: each organization's status in the draft comes
// from companies.map and the API's answer, ignored ones included.
func TestDraftRowStatuses(t *testing.T) {
	t.Parallel()
	off := false
	d := &draft{Settings: integration.Settings{Companies: integration.Companies{Map: []integration.Mapping{
		{Organization: "org-1", Company: integration.Pick{Name: "Acme Corp"}},
		{Organization: "org-4", Enabled: &off},
	}}}}
	orgs := []orgView{{Key: "org-1", Name: "Acme"}, {Key: "org-2", Name: "Globex"}, {Key: "org-3", Name: "Initech"}, {Key: "org-4", Name: "Umbrella"}, {Key: "org-5", Name: "Hooli"}}
	props := []proposal{{Organization: "org-2", Status: "auto_matched", Company: "Globex"}, {Organization: "org-3", Status: "ignored"}}
	got := map[string]string{}
	for _, r := range draftRows(d, orgs, props) {
		got[r.Key] = r.Status
	}
	want := map[string]string{"org-1": "mapped", "org-2": "auto_matched", "org-3": "ignored", "org-4": "disabled", "org-5": "catch_all"}
	if !maps.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}
