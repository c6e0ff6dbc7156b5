package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// storedMain is the stored integration the fake API's GET
// /api/v1/integrations/main returns, with billable users on.
const storedMain = `{"name":"main","psa":"autotask","version":3,"settings":{"name":"main","psa":"autotask",
"connection":{"username":"api@msp.example","secret":{"stored":true}},
"contracts":{"attach_to_tickets":true,"billable_users":{"enabled":true,"day_of_month":1,"time_zone":"UTC","default_service":{"name":"SaaS Alerts User","id":"77"}},
"map":[{"organization":"org-42","contract":{"name":"Acme Managed Services","id":"601"},"add_service":true}]}}}`

// startBlankDraft signs in and starts a draft named main on psa; it returns
// the session's CSRF token.
func (h *harness) startBlankDraft(psa string) string {
	h.t.Helper()
	h.signIn(adminToken)
	_, page := h.do("GET", "/integrations/new?psa="+psa, nil)
	csrf := h.csrfOf(page)
	resp, _ := h.do("POST", "/setup/connect", url.Values{"csrf": {csrf}, "name": {"main"}, "psa": {psa}, "url": {"https://psa.example"}, "action": {"next"}})
	if resp.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("connect: %d", resp.StatusCode)
	}
	return csrf
}

// post posts a step's form and fails unless the answer is want.
func (h *harness) post(step string, form url.Values, want int) string {
	h.t.Helper()
	resp, page := h.do("POST", "/setup/"+step, form)
	if resp.StatusCode != want {
		h.t.Fatalf("POST /setup/%s: %d, want %d\n%s", step, resp.StatusCode, want, page)
	}
	return page
}

// reviewed shows the review and returns the settings its dry run sent
// the API, decoded, and the raw JSON of the settings.
func (h *harness) reviewed() (integration.Settings, map[string]any) {
	h.t.Helper()
	if resp, page := h.do("GET", "/setup/review", nil); resp.StatusCode != http.StatusOK {
		h.t.Fatalf("review: %d\n%s", resp.StatusCode, page)
	}
	calls := h.api.recorded()
	for i := len(calls) - 1; i >= 0; i-- {
		c := calls[i]
		if c.Method != "PUT" || !strings.Contains(c.Path, "dry_run=1") {
			continue
		}
		raw, _ := c.Body["settings"].(map[string]any)
		b, err := json.Marshal(raw)
		if err != nil {
			h.t.Fatal(err)
		}
		var s integration.Settings
		if err := json.Unmarshal(b, &s); err != nil {
			h.t.Fatal(err)
		}
		return s, raw
	}
	h.t.Fatal("the review ran no dry run")
	return integration.Settings{}, nil
}

func contractsForm(csrf string) url.Values {
	return url.Values{
		"csrf": {csrf}, "action": {"next"}, "has_attach": {"1"}, "has_billing": {"1"},
		"attach_to_tickets": {"1"}, "contract_rows": {"2"},
		"contract_0_organization": {"org-42"}, "contract_0_contract": {"Acme Managed Services"},
		"contract_0_add_service": {"1"}, "contract_0_price": {"3,5"}, "contract_0_cost": {""},
		"contract_1_organization": {""}, "contract_1_contract": {""},
		"billing_enabled": {"1"}, "billing_day": {"5"}, "billing_time_zone": {"UTC"},
		"billing_service": {"SaaS Alerts User"}, "billing_price": {"2.5"}, "billing_cost": {"1"},
	}
}

func TestContractsStepToAPIBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.startBlankDraft("autotask")
	_, page := h.do("GET", "/setup/contracts", nil)
	for _, want := range []string{`<option value="org-1" label="Acme Corp (org-1)">`, `id="billing_day" name="billing_day" inputmode="numeric" value="1"`, `value="UTC"`, `id="preview-later"`} {
		if !strings.Contains(page, want) {
			t.Errorf("contracts page lacks %s", want)
		}
	}
	h.post("contracts", contractsForm(csrf), http.StatusSeeOther)
	s, raw := h.reviewed()
	price, one := 3.5, 1.0
	want := integration.Contracts{
		AttachToTickets: true,
		BillableUsers: integration.BillableUsers{Enabled: true, DayOfMonth: 5, DefaultService: integration.Pick{Name: "SaaS Alerts User"},
			UnitPrice: 2.5, UnitCost: one},
		Map: []integration.ContractMap{{Organization: "org-42", Contract: integration.Pick{Name: "Acme Managed Services"}, AddService: true, UnitPrice: &price}},
	}
	if diff := cmp.Diff(want, s.Contracts); diff != "" {
		t.Errorf("contracts sent to the dry run (-want +got):\n%s", diff)
	}
	// UTC is the default shown as the starting value: left unset.
	bu := raw["contracts"].(map[string]any)["billable_users"].(map[string]any)
	if _, set := bu["time_zone"]; set {
		t.Errorf("time_zone was written though the default was kept: %v", bu)
	}
}

func TestContractRowsAddAndRemove(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.startBlankDraft("autotask")
	form := contractsForm(csrf)
	form.Set("action", "add-contract")
	page := h.post("contracts", form, http.StatusOK)
	// The filled row is kept and a blank one follows it.
	if !strings.Contains(page, `id="contract_0_organization" name="contract_0_organization" list="organizations" value="org-42"`) ||
		!strings.Contains(page, `id="contract_1_organization" name="contract_1_organization" list="organizations" value=""`) {
		t.Fatalf("after add, rows:\n%s", page)
	}
	form.Set("contract_rows", "2")
	form.Set("contract_1_organization", "Globex")
	form.Set("contract_1_contract", "Globex Security Bundle")
	form.Set("action", "remove-contract:0")
	page = h.post("contracts", form, http.StatusOK)
	if !strings.Contains(page, "Removed the contract of org-42") {
		t.Errorf("no notice of the removal:\n%s", page)
	}
	s, _ := h.reviewed()
	if len(s.Contracts.Map) != 1 || s.Contracts.Map[0].Organization != "Globex" || s.Contracts.Map[0].Contract.Name != "Globex Security Bundle" {
		t.Errorf("contract map after removing org-42: %+v", s.Contracts.Map)
	}
}

func TestContractsStepProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, field, value, want string
	}{
		{"row price", "contract_0_price", "a lot", "contract row 1 price: write an amount"},
		{"default cost", "billing_cost", "1.2.3", "cost per user: write an amount"},
		{"sync day", "billing_day", "first", "sync day: write a day of the month from 1 to 28"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			form := contractsForm(h.startBlankDraft("autotask"))
			form.Set(tt.field, tt.value)
			page := h.post("contracts", form, http.StatusUnprocessableEntity)
			if !strings.Contains(page, `role="alert"`) || !strings.Contains(page, tt.want) {
				t.Errorf("problem %q not shown:\n%s", tt.want, page)
			}
		})
	}
}

func TestContractsStepWherePSALacksContracts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	csrf := h.startBlankDraft("syncro")
	_, page := h.do("GET", "/setup/contracts", nil)
	if !strings.Contains(page, `id="contracts-unsupported"`) || !strings.Contains(page, "cannot set a ticket&#39;s contract") {
		t.Errorf("the page does not explain why there are no contracts:\n%s", page)
	}
	for _, absent := range []string{`name="has_attach"`, `name="has_billing"`, `id="billing_enabled"`} {
		if strings.Contains(page, absent) {
			t.Errorf("the page asks for %s, which Syncro lacks", absent)
		}
	}
	// A forged form cannot set them: the sections were not shown.
	h.post("contracts", url.Values{"csrf": {csrf}, "action": {"next"}, "attach_to_tickets": {"1"}}, http.StatusSeeOther)
	if s, _ := h.reviewed(); s.Contracts.AttachToTickets {
		t.Error("attach_to_tickets set from a section the page did not show")
	}
}

// startEdit opens the wizard on the stored integration name.
func (h *harness) startEdit(name string) {
	h.t.Helper()
	if resp, _ := h.do("GET", "/integrations/"+name+"/edit", nil); resp.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("edit %s: %d", name, resp.StatusCode)
	}
}

// TestConnectAPSADoesNotResumeAnEdit: "Connect a PSA" while an edit is
// under way starts a new integration, not the edited one under a new
// title; a new draft under way is resumed.
func TestConnectAPSADoesNotResumeAnEdit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(adminToken)
	h.startEdit("main")
	if _, page := h.do("GET", "/setup/connect", nil); !strings.Contains(page, "<h1>Edit main</h1>") {
		t.Fatalf("the edit did not start:\n%s", page)
	}
	_, page := h.do("GET", "/integrations/new", nil)
	if !strings.Contains(page, "<h1>Connect a PSA</h1>") || strings.Contains(page, `value="main"`) {
		t.Fatalf("Connect a PSA resumed the edit of main:\n%s", page)
	}
	h.post("connect", url.Values{"csrf": {h.csrfOf(page)}, "action": {"next"}, "name": {"second"}, "psa": {"autotask"}}, http.StatusSeeOther)
	if _, page = h.do("GET", "/integrations/new", nil); !strings.Contains(page, `value="second"`) {
		t.Errorf("the new draft under way was not resumed:\n%s", page)
	}
}

func TestBillingPreviewOfAStoredIntegration(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.signIn(adminToken)
	h.startEdit("main")
	_, page := h.do("GET", "/setup/contracts", nil)
	if !strings.Contains(page, `href="/setup/contracts?preview=1"`) || strings.Contains(page, `id="billing-preview"`) {
		t.Fatalf("before asking, the page should offer the preview and not run it:\n%s", page)
	}
	for _, c := range h.api.recorded() {
		if strings.HasPrefix(c.Path, "/api/v1/billing/preview") {
			t.Fatal("the preview ran before it was asked for")
		}
		if c.Path == "/api/v1/organizations?limit=500" {
			t.Error("organizations listed for every integration; want the edited one only")
		}
	}
	resp, page := h.do("GET", "/setup/contracts?preview=1", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d", resp.StatusCode)
	}
	table := page[strings.Index(page, `id="billing-preview"`):]
	for _, want := range []string{"org-42", "Acme Managed Services", "<td>3</td><td>5</td><td>2</td><td>adjust</td>"} {
		if !strings.Contains(table, want) {
			t.Errorf("preview lacks %q:\n%s", want, table)
		}
	}
	// The stored contract keeps its resolved id when its name is kept.
	h.post("contracts", url.Values{"csrf": {h.csrfOf(page)}, "action": {"next"}, "has_attach": {"1"}, "has_billing": {"1"},
		"attach_to_tickets": {"1"}, "billing_enabled": {"1"}, "billing_day": {"1"}, "billing_time_zone": {"UTC"}, "billing_service": {"SaaS Alerts User"},
		"contract_rows": {"1"}, "contract_0_organization": {"org-42"}, "contract_0_contract": {"Acme Managed Services"}, "contract_0_add_service": {"1"},
	}, http.StatusSeeOther)
	s, _ := h.reviewed()
	if got := s.Contracts.Map[0].Contract; got.ID != "601" {
		t.Errorf("contract pick %+v, want the stored id kept", got)
	}
	if got := s.Contracts.BillableUsers; got.DefaultService.ID != "77" || got.DayOfMonth != 1 || got.TimeZone != "UTC" {
		t.Errorf("billable users %+v, want the stored values kept", got)
	}
}
