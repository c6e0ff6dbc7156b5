package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// TestConsoleTicketSteps sets an integration's ticket fields through the
// wizard's drop-downs in real Chromium, with htmx narrowing the
// sub-issue types to the chosen issue type, adds an override and sets
// the notes; after the review and save, alerts open tickets carrying
// the queue, priority and issue type chosen. On every PSA driver.
// TestConsoleWholeWizard walks every step of the setup wizard in
// Chromium on every PSA driver, typing no YAML: the connection, the
// catch-all company found by search, the ticket fields from the PSA's
// drop-downs (the sub-issue list narrowing in place), an override, notes,
// contracts and status sync at their defaults, the sync window, the
// review, Save. Then alerts make tickets with what was chosen, and the
// console shows the ticket and the timeline.
func TestConsoleWholeWizard(t *testing.T) {
	chromiumPath(t)
	for _, p := range psaNames() {
		t.Run(p, func(t *testing.T) { consoleWholeWizard(t, p) })
	}
}

func consoleWholeWizard(t *testing.T, psaName string) {
	ctx := browser(t)
	e := start(t, "", func(o *demo.Options) { o.PSA = psaName; o.SkipApply = true })
	in := wizardInputOf(t, e.Env)
	docs, err := integration.Decode(strings.NewReader(e.DefaultSettings()))
	if err != nil {
		t.Fatal(err)
	}
	demoSettings := docs[0]
	dt := demoSettings.Ticket
	lists, err := e.Tech.Picklists(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b := &page{t: t, ctx: ctx}
	consoleConnect(b, e, in)

	// Customers: the demo's catch-all company, found by search, and its
	// contact and switches.
	dc := demoSettings.Companies
	b.do("customers", chromedp.WaitVisible(chromedp.ID("catchall_search")),
		chromedp.SetValue(chromedp.ID("catchall_search"), strings.ToLower(dc.CatchAll.Company.Name)))
	b.reload("customers: search the catch-all", chromedp.Click(chromedp.ID("catchall_find")))
	b.do("customers: choose the catch-all",
		chromedp.SetValue(chromedp.ID("catchall_company"), dc.CatchAll.Company.Name),
		chromedp.SetValue(chromedp.ID("catchall_contact"), dc.CatchAll.Contact.Name))
	for id, on := range map[string]bool{"attach_contacts": dc.AttachContacts, "auto_match": dc.AutoMatch} {
		if checked := b.eval(id, fmt.Sprintf("document.getElementById(%q).checked", id)) == true; checked != on {
			b.do("customers: "+id, chromedp.Click(chromedp.ID(id)))
		}
	}
	b.screenshot(psaName, "customers")
	b.next()

	// Ticket fields: the demo's values, chosen from the PSA's lists.
	b.nextUntil("subject")
	b.capture()
	for _, f := range []struct {
		id   string
		pick integration.Pick
	}{{"category", dt.Category}, {"type", dt.Type}, {"status", dt.Status}, {"queue", dt.Queue}, {"source", dt.Source}} {
		if b.exists(f.id) && !f.pick.IsZero() {
			b.do("choose "+f.id, chromedp.SetValue(chromedp.ID(f.id), f.pick.Name))
		}
	}
	if !dt.IssueType.IsZero() && b.exists("issue_type") {
		chooseIssueType(t, b, lists, dt.IssueType.Name)
		if !dt.SubIssueType.IsZero() && b.exists("sub_issue_type") {
			b.do("choose the sub-issue type", chromedp.SetValue(chromedp.ID("sub_issue_type"), dt.SubIssueType.Name))
		}
	}
	// The test alerts are "high": a priority other than the demo's shows
	// the drop-down's choice reached the ticket.
	high := otherLabel(lists, psa.FieldPriority, dt.Priority["high"].Name)
	override := otherLabel(lists, psa.FieldPriority, high)
	for sev, p := range dt.Priority {
		if sev == "high" {
			p = integration.Pick{Name: high}
		}
		b.do("priority "+sev, chromedp.SetValue(chromedp.ID("priority_"+sev), p.Name))
	}
	b.screenshot(psaName, "ticket")
	b.do("ticket: next", chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(chromedp.CSS("#add-override, #problem")))
	b.capture()
	if b.exists("problem") {
		t.Fatalf("ticket step refused: %s", b.text("#problem"))
	}

	// One override: uploads get another priority.
	b.do("overrides: add a row", chromedp.Click(chromedp.ID("add-override")), chromedp.WaitVisible(chromedp.ID("match_0")))
	b.do("overrides: fill the row",
		chromedp.SetValue(chromedp.ID("kind_0"), "alert_type"),
		chromedp.SetValue(chromedp.ID("match_0"), "Too Many Uploads"),
		chromedp.SetValue(chromedp.ID("priority_0"), override),
	)
	b.capture()
	// At a phone's width the table scrolls in its own box.
	b.do("phone width", chromedp.EmulateViewport(390, 844))
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if err != nil {
		t.Fatal(err)
	}
	if width > 390 {
		wide := b.eval("widest", `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 390 && !(e.parentElement && e.parentElement.closest(".scroll"))).map(e => e.tagName + "#" + e.id + "." + e.className + ":" + Math.round(e.getBoundingClientRect().right)).slice(0, 8).join(" ")`)
		t.Errorf("the overrides step at 390 px wide is %d px wide: %v", width, wide)
	}
	b.do("desk width", chromedp.EmulateViewport(1280, 800))
	b.do("overrides: next", chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(chromedp.CSS("#visibility, #problem")))
	if b.exists("problem") {
		t.Fatalf("overrides step refused: %s", b.text("#problem"))
	}

	// Notes.
	if b.exists("note_type") && !demoSettings.Notes.Type.IsZero() {
		b.do("notes: type", chromedp.SetValue(chromedp.ID("note_type"), demoSettings.Notes.Type.Name))
	}
	b.do("notes", chromedp.SetValue(chromedp.ID("visibility"), "internal"), chromedp.SetValue(chromedp.ID("title"), "Again: {{.Type}}"))
	b.capture()
	b.next()
	// Contracts and status sync keep their defaults; the sync window is
	// the demo's.
	b.nextUntil("since")
	b.do("sync window",
		chromedp.SetValue(chromedp.ID("since"), demoSettings.Sync.Since),
		chromedp.SetValue(chromedp.ID("exclude_types"), strings.Join(demoSettings.Sync.ExcludeTypes, "\n")))
	if checked := b.eval("update", `document.getElementById("update").checked`) == true; checked != demoSettings.Sync.Update {
		b.do("sync: update", chromedp.Click(chromedp.ID("update")))
	}
	b.capture()
	b.next()
	// The YAML step shows the draft; nothing is typed there.
	b.nextUntil("settings")
	b.capture()
	b.do("review", chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(chromedp.CSS("#changes, #problem")))
	b.capture()
	if b.exists("problem") {
		t.Fatalf("review refused the draft: %s", b.text("#problem"))
	}
	b.screenshot(psaName, "review")
	b.do("save", chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.CSS("pre.settings")))

	e.send(testAlert{ID: "tk-1", Type: "Too Many Downloads", Email: "jane@acme.example"},
		testAlert{ID: "tk-2", Type: "Too Many Uploads", Email: "jane@acme.example"})
	tk := techTicket(t, e, lists, "tk-1")
	want := techView{Queue: dt.Queue.Name, Priority: high, IssueType: dt.IssueType.Name, SubIssueType: dt.SubIssueType.Name}
	t.Logf("ticket of tk-1: %+v", tk)
	if !strings.EqualFold(fmt.Sprint(tk), fmt.Sprint(want)) {
		t.Errorf("ticket of tk-1: %+v, want %+v", tk, want)
	}
	if got := techTicket(t, e, lists, "tk-2").Priority; !strings.EqualFold(got, override) {
		t.Errorf("ticket of tk-2 (the override's alert type): priority %q, want %q", got, override)
	}
	if l, ok := e.ticketOf("tk-1"); ok {
		ids := companyIDs(t, e)
		if l.CompanyID != ids[dc.CatchAll.Company.Name] {
			t.Errorf("ticket of tk-1: company %q, want the catch-all %s (%s)", l.CompanyID, dc.CatchAll.Company.Name, ids[dc.CatchAll.Company.Name])
		}
	}

	// The console shows the ticket and the alert's timeline.
	// A PSA whose create answers with the id alone gets the number read
	// after the round: wait for it, so the page and the link agree.
	link, _ := e.ticketOf("tk-1")
	for i := 0; i < 100 && link.TicketNumber == ""; i++ {
		time.Sleep(30 * time.Millisecond)
		link, _ = e.ticketOf("tk-1")
	}
	number := link.TicketNumber
	if number == "" {
		number = link.PSATicketID
	}
	b.do("alerts", chromedp.Navigate(e.BaseURL+"/alerts"), chromedp.WaitVisible(chromedp.ID("alerts")))
	b.capture()
	if list := b.text("#alerts"); !strings.Contains(list, "tk-1") || !strings.Contains(list, number) {
		t.Errorf("alerts list lacks tk-1 or its ticket %s:\n%s", number, list)
	}
	seq := e.storedAlert("tk-1").Seq
	b.do("timeline", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#alerts a[href="/alerts/%d"]`, seq))), chromedp.WaitVisible(chromedp.ID("timeline")))
	b.capture()
	if page := b.text("main"); !strings.Contains(page, number) || !strings.Contains(page, "ticket_created") {
		t.Errorf("the alert page lacks its ticket %s:\n%s", number, page)
	}
	for i, p := range b.pages {
		for name, v := range in.creds {
			if v != "" && strings.Contains(p, v) {
				t.Errorf("page %d shows credential %s", i, name)
			}
		}
	}
}

// consoleConnect signs in and fills the connection step, then moves on.
func consoleConnect(b *page, e *env, in wizardInput) {
	b.t.Helper()
	b.do("sign in",
		chromedp.Navigate(e.BaseURL+"/integrations/new"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), e.AdminToken),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/integrations/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/integrations/new"]`)),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SetValue(chromedp.ID("name"), in.name),
		chromedp.SetValue(chromedp.ID("psa"), in.psa),
		chromedp.Click(chromedp.ID("choose")),
		chromedp.WaitVisible(chromedp.ID("test")),
	)
	fill := []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.ID("url"), in.url)}
	for id, v := range in.plain {
		fill = append(fill, chromedp.SetValue(chromedp.ID(id), v))
	}
	for name, v := range in.creds {
		fill = append(fill, chromedp.SendKeys(chromedp.ID("cred_"+name), v))
	}
	b.do("connect", fill...)
	b.next()
}

// chooseIssueType picks the issue type as a person does, so the change
// event fires and htmx swaps the sub-issue drop-down in place; it checks
// the swap happened without leaving the page, under the CSP, and lists
// the issue type's sub-issue types only.
func chooseIssueType(t *testing.T, b *page, lists psa.Picklists, issue string) {
	t.Helper()
	hasSub := b.exists("sub_issue_type")
	b.eval("watch the page", `window.tbMarker = "kept"; window.tbCSP = [];
		document.addEventListener("securitypolicyviolation", e => window.tbCSP.push(e.violatedDirective)); true`)
	if got := b.eval("htmx loaded", `typeof htmx === "object" && document.querySelectorAll("style").length === 0`); got != true {
		t.Fatalf("htmx is not loaded, or injected a style element: %v", got)
	}
	if hasSub {
		if before := b.subIssues(); len(before) != 0 {
			t.Errorf("sub-issue types offered before an issue type is chosen: %v", before)
		}
	}
	// SetValue fires input and change, as a person's choice does.
	b.do("choose the issue type", chromedp.SetValue(chromedp.ID("issue_type"), issue))
	if !hasSub {
		return
	}
	want := subIssuesOf(lists, issue)
	if len(want) == 0 {
		t.Fatalf("the demo's issue type %s has no sub-issue types: nothing to see narrow", issue)
	}
	var got []string
	for range 100 { // htmx's request is in flight; no deadline is asserted
		// Done when swapped and no request is left in flight (one still
		// out would write the draft after the fields set next).
		if got = b.subIssues(); len(got) > 0 && b.eval("htmx idle", `document.querySelector(".htmx-request") === null`) == true {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !slices.Equal(got, want) {
		t.Errorf("sub-issue types of %s: %v, want %v", issue, got, want)
	}
	all := distinctActive(lists, psa.FieldSubIssueType)
	if len(want) >= len(all) {
		t.Errorf("every sub-issue type (%d) belongs to %s: the narrowing shows nothing", len(all), issue)
	}
	t.Logf("sub-issue types of %s: %v of %d", issue, got, len(all))
	if b.eval("still the same page", `window.tbMarker`) != "kept" {
		t.Error("choosing the issue type reloaded the page: htmx did not swap the field")
	}
	if v := b.eval("CSP violations", `window.tbCSP.join(",")`); v != "" {
		t.Errorf("CSP violations after the swap: %v", v)
	}
}

// subIssuesOf are the active sub-issue types under issue (any of its
// ids: values may be per board), once each, in the PSA's order.
func subIssuesOf(lists psa.Picklists, issue string) []string {
	ids := map[string]bool{}
	for _, v := range lists[psa.FieldIssueType] {
		if strings.EqualFold(v.Label, issue) {
			ids[v.ID] = true
		}
	}
	var out []string
	for _, v := range lists[psa.FieldSubIssueType] {
		if v.Active && ids[v.Parent] && !slices.Contains(out, v.Label) {
			out = append(out, v.Label)
		}
	}
	return out
}

func distinctActive(lists psa.Picklists, field string) []string {
	var out []string
	for _, v := range lists[field] {
		if v.Active && !slices.Contains(out, v.Label) {
			out = append(out, v.Label)
		}
	}
	return out
}

// otherLabel is an active value of field other than not.
func otherLabel(lists psa.Picklists, field, not string) string {
	for _, l := range distinctActive(lists, field) {
		if !strings.EqualFold(l, not) {
			return l
		}
	}
	return not
}

// techView is what a technician sees of a ticket's fields, by name.
type techView struct{ Queue, Priority, IssueType, SubIssueType string }

func techTicket(t *testing.T, e *env, lists psa.Picklists, alertID string) techView {
	t.Helper()
	link, ok := e.ticketOf(alertID)
	if !ok {
		t.Fatalf("%s made no ticket", alertID)
	}
	tk, err := e.Tech.Ticket(context.Background(), link.PSATicketID)
	if err != nil {
		t.Fatalf("read the ticket of %s: %v", alertID, err)
	}
	label := func(field, id string) string {
		if id == "" {
			return ""
		}
		return lists.Label(field, id)
	}
	return techView{Queue: label(psa.FieldQueue, tk.Queue), Priority: label(psa.FieldPriority, tk.Priority),
		IssueType: label(psa.FieldIssueType, tk.IssueType), SubIssueType: label(psa.FieldSubIssueType, tk.SubIssueType)}
}

// exists reports whether the page has an element with the id.
func (p *page) exists(id string) bool {
	p.t.Helper()
	return p.eval("find #"+id, fmt.Sprintf("document.getElementById(%q) !== null", id)) == true
}

// eval runs an expression in the page (as the DevTools do, outside the
// page's CSP) and returns its value.
func (p *page) eval(step, expr string) any {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[any](expr))
	if err != nil {
		p.t.Fatalf("%s: %v", step, err)
	}
	return v
}

// subIssues are the sub-issue drop-down's choices, without the empty one.
func (p *page) subIssues() []string {
	p.t.Helper()
	v := p.eval("sub-issue types", `Array.from(document.querySelectorAll("#sub_issue_type option")).map(o => o.value).filter(v => v !== "")`)
	var out []string
	list, _ := v.([]any)
	for _, s := range list {
		out = append(out, fmt.Sprint(s))
	}
	return out
}

// nextUntil clicks Next until the step with the element id shows: the
// steps between are other screens' (their defaults pass).
func (p *page) nextUntil(id string) {
	p.t.Helper()
	for range 12 {
		p.do("wait for a step", chromedp.WaitVisible(chromedp.CSS("#next, #"+id)))
		if p.exists(id) {
			return
		}
		if p.exists("problem") {
			p.t.Fatalf("a step refused its defaults on the way to #%s: %s", id, p.text("#problem"))
		}
		p.capture()
		p.next()
	}
	p.t.Fatalf("no step with #%s", id)
}

// next clicks Next and waits for the next page to replace this one.
func (p *page) next() {
	p.t.Helper()
	p.eval("mark the page", `window.tbLeaving = true`)
	p.do("next", chromedp.Click(chromedp.ID("next")))
	for range 200 { // no deadline is asserted: the browser's own 2 minutes bound it
		// An error is the page going away under the question: ask again.
		left, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`window.tbLeaving === undefined && document.readyState === "complete"`))
		if err == nil && left {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatal("Next did not leave the page")
}
