package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// contractsStep attaches contracts to tickets per organization and keeps
// a contract service's units equal to the billable user count. Parts the
// PSA lacks are explained instead of asked for.
var contractsStep = wizardStep{
	key: "contracts", title: "Contracts and billing",
	load: loadContracts,
	read: readContracts,
	act: func(_ *Console, _ *http.Request, _ *session, d *draft, action string) (string, error) {
		if action == "add-contract" {
			// read kept the filled rows; the page always ends with a
			// blank one, which is the row added.
			return "", nil
		}
		if s, ok := strings.CutPrefix(action, "remove-contract:"); ok {
			i, err := strconv.Atoi(s)
			m := d.Settings.Contracts.Map
			if err != nil || i < 0 || i >= len(m) {
				return "", fmt.Errorf("no contract row %q to remove", s)
			}
			org := m[i].Organization
			d.Settings.Contracts.Map = slices.Delete(m, i, i+1)
			return fmt.Sprintf("Removed the contract of %s.", org), nil
		}
		return "", fmt.Errorf("unknown action %q", action)
	},
}

// contractsPage is what the contracts form shows.
type contractsPage struct {
	Title string
	// AttachLacks and BillingLacks say what the PSA does instead, when
	// it lacks contracts on tickets or billable user sync.
	AttachLacks, BillingLacks string
	Attach                    bool
	Billing                   billingForm
	Rows                      []contractRow
	// Orgs are the organizations known so far, offered for the rows;
	// OrgsNote says why there are none.
	Orgs     []orgOption
	OrgsNote string
	// Preview is the billing preview of the stored integration, when
	// asked for; PreviewNote says why there is none.
	CanPreview  bool
	Preview     []billingLine
	PreviewNote string
}

type billingForm struct {
	Enabled                                bool
	Day, TimeZone, Service, Price, Cost    string
	DefaultDay, DefaultTimeZone, MaxDayStr string
}

type contractRow struct {
	Index                        int
	Organization, Contract       string
	Price, Cost                  string
	AddService, Blank, Removable bool
}

type orgOption struct{ Key, Label string }

// billingLine is one line of GET /api/v1/billing/preview.
type billingLine struct {
	Organization  string  `json:"organization"`
	Contract      string  `json:"contract"`
	Current       float64 `json:"current_units"`
	Reported      *int    `json:"reported_count"`
	Change        float64 `json:"change"`
	Action        string  `json:"action"`
	UnitPrice     float64 `json:"unit_price"`
	UnitCost      float64 `json:"unit_cost"`
	EffectiveDate string  `json:"effective_date"`
}

func loadContracts(c *Console, r *http.Request, sess *session, d *draft) (any, error) {
	ct := d.Settings.Contracts
	page := contractsPage{Title: c.psaTitle(*d), Attach: ct.AttachToTickets}
	page.AttachLacks, _ = c.lacks(*d, "contracts.attach_to_tickets")
	page.BillingLacks, _ = c.lacks(*d, "contracts.billable_users")
	b := ct.BillableUsers
	page.Billing = billingForm{
		Enabled: b.Enabled, Service: b.DefaultService.String(), TimeZone: b.TimeZone,
		Day: strconv.Itoa(b.DayOfMonth), DefaultDay: strconv.Itoa(integration.DefaultDayOfMonth),
		DefaultTimeZone: integration.DefaultTimeZone, MaxDayStr: strconv.Itoa(integration.MaxDayOfMonth),
	}
	// The defaults are the starting values; reading them back leaves
	// them unset (keepDefault).
	if b.DayOfMonth == 0 {
		page.Billing.Day = page.Billing.DefaultDay
	}
	if b.TimeZone == "" {
		page.Billing.TimeZone = integration.DefaultTimeZone
	}
	if b.UnitPrice != 0 {
		page.Billing.Price = showAmount(&b.UnitPrice)
	}
	if b.UnitCost != 0 {
		page.Billing.Cost = showAmount(&b.UnitCost)
	}
	for i, m := range ct.Map {
		page.Rows = append(page.Rows, contractRow{Index: i, Organization: m.Organization, Contract: m.Contract.String(),
			AddService: m.AddService, Price: showAmount(m.UnitPrice), Cost: showAmount(m.UnitCost), Removable: true})
	}
	page.Rows = append(page.Rows, contractRow{Index: len(ct.Map), Blank: true})
	if page.AttachLacks != "" && page.BillingLacks != "" {
		return page, nil // nothing to ask: the page explains
	}
	if err := c.loadOrgOptions(r, sess, d, &page); err != nil {
		return page, err
	}
	return page, c.loadBillingPreview(r, sess, d, &page)
}

// loadOrgOptions lists the organizations alerts and mappings have named
// so far. None yet is not a problem: an organization's id may be typed
// before its first alert.
func (c *Console) loadOrgOptions(r *http.Request, sess *session, d *draft, page *contractsPage) error {
	path := "/api/v1/organizations?limit=500"
	if d.Editing != "" {
		// Matching is computed per integration (it reads the PSA's
		// companies): ask for the one being edited only.
		path += "&integration=" + url.QueryEscape(d.Editing)
	}
	var out struct {
		Organizations []struct{ Key, ID, Name string } `json:"organizations"`
	}
	if err := c.call(r.Context(), sess, "GET", path, nil, &out); err != nil {
		if unauthorized(err) {
			return err
		}
		page.OrgsNote = "The organizations could not be listed (" + err.Error() + "): type their ids."
		return nil
	}
	for _, o := range out.Organizations {
		label := o.Key
		if o.Name != "" && o.Name != o.Key {
			label = o.Name + " (" + o.Key + ")"
		}
		page.Orgs = append(page.Orgs, orgOption{Key: o.Key, Label: label})
	}
	if len(page.Orgs) == 0 {
		page.OrgsNote = "No organization is known yet (they are recorded from alerts and mappings): type the organization's id as the source sends it."
	}
	return nil
}

// loadBillingPreview fills the preview when the page asks for it. The
// API previews stored integrations only (GET /api/v1/billing/preview
// takes no settings: it reads every stored integration with billable
// users on), so the preview shows the stored settings, not the draft.
func (c *Console) loadBillingPreview(r *http.Request, sess *session, d *draft, page *contractsPage) error {
	page.CanPreview = d.Editing != "" && page.BillingLacks == ""
	if !page.CanPreview || r.URL.Query().Get("preview") != "1" {
		return nil
	}
	var out struct {
		Integrations []struct {
			Integration string        `json:"integration"`
			Lines       []billingLine `json:"lines"`
		} `json:"integrations"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/billing/preview", nil, &out); err != nil {
		if unauthorized(err) {
			return err
		}
		page.PreviewNote = "The preview failed: " + err.Error()
		return nil
	}
	for _, it := range out.Integrations {
		if it.Integration == d.Editing {
			page.Preview = it.Lines
			if len(it.Lines) == 0 {
				page.PreviewNote = "No organization has a contract with add service: nothing would be posted."
			}
			return nil
		}
	}
	page.PreviewNote = "The stored " + d.Editing + " has billable users off: save it with billable users on to preview."
	return nil
}

// readContracts takes the contracts form. Only the sections the page
// showed are read, so settings a PSA lacks (written in YAML) stay for
// the API to explain.
func readContracts(r *http.Request, d *draft) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("read the form: %w", err)
	}
	ct := &d.Settings.Contracts
	var errs []error
	if formShown(r, "has_attach") {
		ct.AttachToTickets = formChecked(r, "attach_to_tickets")
		rows, err := readContractRows(r, ct.Map)
		errs = append(errs, err)
		ct.Map = rows
	}
	if formShown(r, "has_billing") {
		errs = append(errs, readBillableUsers(r, &ct.BillableUsers))
	}
	return joinProblems(errs...)
}

func readBillableUsers(r *http.Request, b *integration.BillableUsers) error {
	b.Enabled = formChecked(r, "billing_enabled")
	var errs []error
	day := keepDefault(dayString(b.DayOfMonth), formField(r, "billing_day"), strconv.Itoa(integration.DefaultDayOfMonth))
	b.DayOfMonth = 0
	if day != "" {
		n, err := strconv.Atoi(day)
		if err != nil {
			errs = append(errs, fmt.Errorf("sync day: write a day of the month from 1 to %d", integration.MaxDayOfMonth))
		}
		b.DayOfMonth = n // the API says when it is out of range
	}
	b.TimeZone = keepDefault(b.TimeZone, formField(r, "billing_time_zone"), integration.DefaultTimeZone)
	b.DefaultService = pickNamed(b.DefaultService, formField(r, "billing_service"))
	for _, f := range []struct {
		form, label string
		into        *float64
	}{{"billing_price", "price per user", &b.UnitPrice}, {"billing_cost", "cost per user", &b.UnitCost}} {
		v, err := parseAmount(f.label, formField(r, f.form))
		errs = append(errs, err)
		*f.into = 0
		if v != nil {
			*f.into = *v
		}
	}
	return joinProblems(errs...)
}

func dayString(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// readContractRows reads the contract rows; a row left blank is none.
// Rows keep the contract picks held for them when the name is the same.
func readContractRows(r *http.Request, old []integration.ContractMap) ([]integration.ContractMap, error) {
	var out []integration.ContractMap
	var errs []error
	for i := range formRows(r, "contract_rows") {
		f := func(k string) string { return formField(r, fmt.Sprintf("contract_%d_%s", i, k)) }
		org, contract := f("organization"), f("contract")
		price, cost := f("price"), f("cost")
		if org == "" && contract == "" && price == "" && cost == "" {
			continue
		}
		var held integration.ContractMap
		if i < len(old) {
			held = old[i]
		}
		m := integration.ContractMap{Organization: org, Contract: pickNamed(held.Contract, contract), AddService: f("add_service") != ""}
		var err error
		what := "contract row " + strconv.Itoa(i+1)
		if m.UnitPrice, err = parseAmount(what+" price", price); err != nil {
			errs = append(errs, err)
		}
		if m.UnitCost, err = parseAmount(what+" cost", cost); err != nil {
			errs = append(errs, err)
		}
		out = append(out, m)
	}
	return out, joinProblems(errs...)
}
