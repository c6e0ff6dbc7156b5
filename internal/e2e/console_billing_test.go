package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// TestConsoleContractsStatusAndSync walks the wizard's contracts, status
// sync and sync steps in real Chromium on every PSA: the review shows
// their plan lines and the stored integration holds what was chosen.
// The steps before them are supplied through the YAML step.
func TestConsoleContractsStatusAndSync(t *testing.T) {
	chromiumPath(t)
	for _, psa := range psaNames() {
		t.Run(psa, func(t *testing.T) { consoleBillingWalk(t, psa) })
	}
}

func consoleBillingWalk(t *testing.T, psa string) {
	ctx := browser(t)
	e := start(t, "", func(o *demo.Options) { o.PSA = psa; o.SkipApply = true })
	in := wizardInputOf(t, e.Env)
	seed := seedOf(psa)
	b := &page{t: t, ctx: ctx}
	consoleConnect(b, e, in)
	b.do("customers", chromedp.WaitVisible(chromedp.CSS(`form[action="/setup/customers"]`)))
	// Customers, ticket and notes come from the YAML step (their own
	// steps have browser tests of their own); its Back posts it and lands
	// on the sync step.
	b.do("settings as YAML",
		chromedp.Click(chromedp.CSS(`a[href="/setup/yaml"]`)),
		chromedp.WaitVisible(chromedp.ID("settings")),
		chromedp.SetValue(chromedp.ID("settings"), in.yaml),
		chromedp.Click(chromedp.ID("back")),
		chromedp.WaitVisible(chromedp.ID("since")),
		chromedp.Click(chromedp.CSS(`a[href="/setup/contracts"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/setup/contracts"]`)),
	)
	b.capture()

	contracts := !lacks(psa, "contracts.attach_to_tickets")
	billing := contracts && !lacks(psa, "contracts.billable_users")
	if contracts {
		b.do("contracts",
			chromedp.Click(chromedp.ID("attach_to_tickets")),
			chromedp.SetValue(chromedp.ID("contract_0_organization"), "org-42"),
			chromedp.SetValue(chromedp.ID("contract_0_contract"), seed.Contract),
		)
		if billing {
			b.do("billable users",
				chromedp.Click(chromedp.ID("contract_0_add_service")),
				chromedp.Click(chromedp.ID("billing_enabled")),
				chromedp.SetValue(chromedp.ID("billing_day"), "5"),
				chromedp.SetValue(chromedp.ID("billing_service"), seed.Service),
				chromedp.SetValue(chromedp.ID("billing_price"), "2.5"),
			)
			if got := b.text("#preview-later"); !strings.Contains(got, "once the integration is saved") {
				t.Errorf("a new integration's contracts step says of the preview: %q", got)
			}
		}
	} else if got := b.text("main"); !strings.Contains(got, "nothing to set here") {
		t.Errorf("contracts step on %s does not explain their absence:\n%s", psa, got)
	}
	b.do("to status", chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(chromedp.ID("status_enabled")))
	b.capture()
	// The PSA's statuses are offered, read through the draft picklists
	// route before anything is saved.
	offered, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#issues_resolved option')).map(o => o.text)`))
	if err != nil || !slices.Contains(offered, seed.ClosedStatus) || !slices.Contains(offered, seed.UpdateStatus) {
		t.Errorf("the status step offers %q (%v), want the PSA's statuses with %q and %q", offered, err, seed.UpdateStatus, seed.ClosedStatus)
	}
	status := []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.ID("status_enabled"))}
	for _, kind := range []string{"issues", "incidents"} {
		status = append(status,
			chromedp.SetValue(chromedp.ID(kind+"_open"), "New"),
			chromedp.SetValue(chromedp.ID(kind+"_in_progress"), seed.UpdateStatus),
			chromedp.SetValue(chromedp.ID(kind+"_resolved"), seed.ClosedStatus),
		)
	}
	b.do("status sync", append(status, chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(chromedp.ID("since")))...)
	b.capture()
	b.do("sync",
		chromedp.SetValue(chromedp.ID("since"), "7d"),
		chromedp.Click(chromedp.ID("update")),
		chromedp.SetValue(chromedp.ID("exclude_types"), "Test Alert\nNew Device"),
		chromedp.SetValue(chromedp.ID("reconcile_every"), "1h"),
		chromedp.Click(chromedp.ID("next")),
		chromedp.WaitVisible(chromedp.ID("settings")),
		chromedp.Click(chromedp.ID("next")),
		chromedp.WaitVisible(chromedp.CSS("#changes, #problem")),
	)
	// At a phone's width the steps' tables scroll in their own box.
	for _, step := range []string{"contracts", "status", "sync"} {
		b.do("phone width "+step, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.BaseURL+"/setup/"+step), chromedp.WaitVisible(chromedp.CSS("h1")))
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
		if err != nil {
			t.Fatal(err)
		}
		if width > 390 {
			t.Errorf("/setup/%s at 390 px wide is %d px wide", step, width)
			// Name what sticks out, to make the failure easy to fix.
			dbg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('*')).filter(e => e.getBoundingClientRect().right > 400).map(e => e.tagName+'#'+e.id+'.'+e.className+':'+Math.round(e.getBoundingClientRect().right)).join(' ')`))
			t.Log(dbg)
		}
	}
	b.do("review", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(e.BaseURL+"/setup/review"), chromedp.WaitVisible(chromedp.CSS("#changes, #problem")))
	b.capture()
	plan := b.text("main")
	wantLines := []string{"status_sync.enabled", "status_sync.issues.resolved: " + seed.ClosedStatus, "sync.since: 7d", "sync.reconcile_every: 1h", "New Device"}
	if contracts {
		wantLines = append(wantLines, "contracts.attach_to_tickets", "contracts.map[org-42]")
	}
	for _, want := range wantLines {
		if !strings.Contains(plan, want) {
			t.Errorf("the plan lacks %q:\n%s", want, plan)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	b.do("save", chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.CSS("pre.settings")))

	var stored struct {
		Settings integration.Settings `json:"settings"`
	}
	if code := e.apiCall("GET", "/api/v1/integrations/"+in.name, nil, &stored); code != http.StatusOK {
		t.Fatalf("GET the stored integration: %d", code)
	}
	s := stored.Settings
	st := s.StatusSync
	if !st.Enabled || st.Issues.Open.Name != "New" || st.Incidents.InProgress.Name != seed.UpdateStatus || st.Issues.Resolved.Name != seed.ClosedStatus || st.Issues.Resolved.ID == "" {
		b, _ := json.Marshal(st)
		t.Errorf("stored status_sync: %s", b)
	}
	if s.Sync.Since != "7d" || s.Sync.SinceTime == "" || !s.Sync.Update || s.Sync.ReconcileEvery != "1h" ||
		strings.Join(s.Sync.ExcludeTypes, ",") != "Test Alert,New Device" {
		t.Errorf("stored sync: %+v", s.Sync)
	}
	if contracts {
		if m := s.Contracts.Map; !s.Contracts.AttachToTickets || len(m) != 1 || m[0].Organization != "org-42" || m[0].Contract.Name != seed.Contract || m[0].Contract.ID == "" {
			t.Errorf("stored contracts: %+v", s.Contracts)
		}
	}
	if billing {
		if bu := s.Contracts.BillableUsers; !bu.Enabled || bu.DayOfMonth != 5 || bu.UnitPrice != 2.5 || bu.DefaultService.ID == "" || !s.Contracts.Map[0].AddService {
			t.Errorf("stored billable users: %+v, add_service %v", bu, s.Contracts.Map[0].AddService)
		}
		// Stored now, the integration has a preview: edit it and ask.
		b.do("billing preview",
			chromedp.Navigate(e.BaseURL+"/integrations/"+in.name+"/edit"),
			chromedp.WaitVisible(chromedp.ID("test")),
			chromedp.Navigate(e.BaseURL+"/setup/contracts"),
			chromedp.WaitVisible(chromedp.ID("preview")),
			chromedp.Click(chromedp.ID("preview")),
			chromedp.WaitVisible(chromedp.CSS("#billing-preview, #preview-note")),
		)
		b.capture()
		if got := b.text("#billing-preview, #preview-note"); !strings.Contains(got, "org-42") || !strings.Contains(got, seed.Contract) {
			t.Errorf("billing preview of the stored integration:\n%s", got)
		}
	}
	for i, p := range b.pages {
		for name, v := range in.creds {
			if v != "" && strings.Contains(p, v) {
				t.Errorf("page %d shows credential %s", i, name)
			}
		}
	}
}
