package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"go.yaml.in/yaml/v4"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// TestConsoleCustomerMapping maps customers in the wizard in real
// Chromium on every PSA: the catch-all chosen by search, the company
// filter, Run auto-match (the wand on an exact-name organization), one
// organization mapped by hand and one disabled; the YAML step supplies
// the rest and the integration is saved. The stored integration's
// Customers page then shows those statuses, and an alert of the
// organization mapped by hand lands on its company.
func TestConsoleCustomerMapping(t *testing.T) {
	chromiumPath(t)
	for _, psa := range psaNames() {
		t.Run(psa, func(t *testing.T) { consoleCustomers(t, psa) })
	}
}

// reload clicks what submits the page's form and waits for the page the
// answer brings, not the one being left (both have the same fields).
func (p *page) reload(step string, click chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool]("(document.body.dataset.stale = '1', true)")); err != nil {
		p.t.Fatalf("%s: mark the page: %v", step, err)
	}
	p.do(step, click, chromedp.WaitVisible(chromedp.CSS("body:not([data-stale]) main")))
	p.capture()
}

func row(key, css string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`tr[data-org=%q] %s`, key, css))
}

func consoleCustomers(t *testing.T, psa string) {
	ctx := browser(t)
	e := start(t, "", func(o *demo.Options) { o.PSA = psa; o.SkipApply = true })
	in := wizardInputOf(t, e.Env)
	orgs := []struct{ id, name string }{
		{"org-42", "Acme Corp"}, {"org-7", "Globex Corporation"}, {"org-8", "Initech"},
		{"org-9", "Umbrella Prospect"}, {"org-10", "Hooli"},
	}
	for _, o := range orgs {
		e.send(testAlert{ID: "seed-" + o.id, Org: o.id, OrgName: o.name, Type: "Malware", Email: "it@" + o.id + ".example"})
	}
	b := &page{t: t, ctx: ctx}
	consoleConnect(b, e, in)
	b.do("customers", chromedp.WaitVisible(chromedp.ID("catchall_search")))
	b.capture()

	b.do("catch-all: search", chromedp.SetValue(chromedp.ID("catchall_search"), "default account"))
	b.reload("catch-all: search", chromedp.Click(chromedp.ID("catchall_find")))
	if opts := b.text("#catchall_company"); !strings.Contains(opts, "Default Account") || strings.Contains(opts, "Initech") {
		t.Fatalf("catch-all choices after the search: %q", opts)
	}
	b.do("catch-all: choose, filter customers", chromedp.SetValue(chromedp.ID("catchall_company"), "Default Account"),
		chromedp.SetValue(chromedp.ID("filter_types"), seedOf(psa).CustomerType))
	b.reload("run auto-match", chromedp.Click(chromedp.ID("automatch")))
	if got := b.text(`tr[data-org="org-42"] .status`); !strings.Contains(got, "✦ auto-matched") {
		t.Fatalf("Acme Corp after auto-match: %q, want the wand\n%s", got, b.text("main"))
	}
	if got := b.text(`tr[data-org="org-9"] .status`); strings.Contains(got, "✦") {
		t.Errorf("the prospect, outside the filter, was auto-matched: %q", got)
	}
	b.do("map Hooli: search", chromedp.SetValue(row("org-10", "input[type=search]"), "globex"))
	b.reload("map Hooli: search", chromedp.Click(row("org-10", "button")))
	b.do("map Hooli, disable the prospect",
		chromedp.SetValue(row("org-10", "select"), "Globex Corporation"),
		chromedp.Click(row("org-9", "input[type=checkbox]")),
	)
	b.next()
	b.nextUntil("settings")

	// The YAML step holds the draft's customers; the rest comes from
	// the demo's settings.
	draftYAML, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("settings")))
	if err != nil {
		t.Fatal(err)
	}
	var drafted integration.Settings
	if err := yaml.Unmarshal([]byte(draftYAML), &drafted); err != nil {
		t.Fatalf("the YAML step's draft: %v\n%s", err, draftYAML)
	}
	var rest integration.Settings
	if err := yaml.Unmarshal([]byte(in.yaml), &rest); err != nil {
		t.Fatal(err)
	}
	rest.Companies = drafted.Companies
	whole, err := yaml.Marshal(rest)
	if err != nil {
		t.Fatal(err)
	}
	b.do("settings as YAML", chromedp.SetValue(chromedp.ID("settings"), string(whole)))
	b.reload("review", chromedp.Click(chromedp.ID("next")))
	b.reload("save", chromedp.Click(chromedp.ID("save")))
	b.reload("customers page", chromedp.Click(chromedp.ID("customers-link")))
	for key, want := range map[string]string{"org-42": "mapped", "org-7": "mapped", "org-8": "mapped", "org-10": "mapped", "org-9": "disabled"} {
		if got := b.text(fmt.Sprintf(`#customers tr[data-org=%q] .status`, key)); got != want {
			t.Errorf("%s on the Customers page: %q, want %s", key, got, want)
		}
	}
	if got := b.text(`#customers tr[data-org="org-10"]`); !strings.Contains(got, "Globex Corporation") {
		t.Errorf("Hooli's row: %q, want Globex Corporation", got)
	}

	e.send(testAlert{ID: "hooli-1", Org: "org-10", OrgName: "Hooli", Type: "Malware", Email: "it@hooli.example"})
	ids := companyIDs(t, e)
	if l, ok := e.ticketOf("hooli-1"); !ok || l.CompanyID != ids["Globex Corporation"] {
		t.Errorf("Hooli's alert: ticket company %q (made %v), want Globex Corporation (%s)", l.CompanyID, ok, ids["Globex Corporation"])
	}
	b.do("phone width", chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.BaseURL+"/integrations/"+in.name+"/customers"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if width, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth")); err != nil || width > 390 {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 390 && (!e.parentElement.closest(".scroll"))).map(e => e.tagName + "#" + e.id + "." + e.className).slice(0, 5).join(" ")`))
		t.Errorf("the Customers page at 390 px wide is %d px wide (%v): %s", width, err, wide)
	}
	for i, p := range b.pages {
		for name, v := range in.creds {
			if v != "" && strings.Contains(p, v) {
				t.Errorf("page %d shows credential %s", i, name)
			}
		}
	}
}
