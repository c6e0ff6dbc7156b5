package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// TestConsoleDailyViews walks the console's daily views in Chromium
// against one PSA: create a source and see its token once (a reload
// shows it no more), send two alerts with that token, find their ticket
// with both alerts on the tickets page, explain an alert, fail a
// delivery and retry all. No page captured after the token's own shows
// the token, the admin token or a PSA credential.
func TestConsoleDailyViews(t *testing.T) {
	chromiumPath(t)
	e, b, in := consoleSignedIn(t, "autotask")
	const sourceID = "edr-console"

	b.do("sources", chromedp.Click(chromedp.CSS(`nav a[href="/sources"]`)), chromedp.WaitVisible(chromedp.ID("create-source")))
	b.capture()
	b.do("create a source",
		chromedp.SetValue(chromedp.ID("source-id"), sourceID),
		chromedp.SetValue(chromedp.ID("source-name"), "EDR from the console"),
		chromedp.SetValue(chromedp.ID("source-format"), "canonical"),
		chromedp.Submit(chromedp.ID("source-id")),
		chromedp.WaitVisible(chromedp.ID("token")),
	)
	token, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID("token")))
	if err != nil || !strings.HasPrefix(token, "tbs_") {
		t.Fatalf("token on the answer page: %q %v", token, err)
	}
	b.capture()
	if !strings.Contains(b.pages[len(b.pages)-1], token) {
		t.Fatal("the captured answer page lacks the token it shows")
	}
	shown := len(b.pages) // pages from here on must not show it
	b.do("reload the token page", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("gone")))
	b.capture()

	// Alerts sent with the new token; user_alert grouping puts both on one
	// ticket.
	e.Token, e.SourceID = token, sourceID
	e.send(testAlert{ID: "daily-1", Type: "Too Many Downloads", Email: "jane@acme.example"},
		testAlert{ID: "daily-2", Type: "Too Many Downloads", Email: "jane@acme.example"})
	link, ok := e.ticketOf("daily-1")
	if other, _ := e.ticketOf("daily-2"); !ok || other.ID != link.ID {
		t.Fatalf("the two alerts are on tickets %d and %d, want one", link.ID, other.ID)
	}
	ticketsShowBoth(t, e, b, link)
	explainInConsole(t, e, b, sourceID, link)
	retryAllInConsole(t, e, b)

	for _, path := range []string{"/sources", "/explain", "/tickets", "/deliveries"} {
		b.do("phone width "+path, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.BaseURL+path), chromedp.WaitVisible(chromedp.CSS("h1")))
		b.capture()
		width, err := chromedp.Run(b.ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
		if err != nil {
			t.Fatal(err)
		}
		if width > 390 {
			t.Errorf("%s at 390 px wide is %d px wide", path, width)
		}
	}
	for i, p := range b.pages {
		if i >= shown && strings.Contains(p, token) {
			t.Errorf("page %d, after the one that showed it, shows the source token", i)
		}
		noSecrets(t, i, p, e, in)
	}
}

// TestConsoleTicketsEveryPSA: the tickets page shows each PSA's own
// ticket number (or id) with both alerts of a group on it.
func TestConsoleTicketsEveryPSA(t *testing.T) {
	chromiumPath(t)
	for _, psa := range psaNames() {
		t.Run(psa, func(t *testing.T) {
			e, b, in := consoleSignedIn(t, psa)
			e.send(testAlert{ID: "group-1", Type: "Too Many Logins", Email: "jane@acme.example"},
				testAlert{ID: "group-2", Type: "Too Many Logins", Email: "jane@acme.example"})
			link, ok := e.ticketOf("group-1")
			if other, _ := e.ticketOf("group-2"); !ok || other.ID != link.ID {
				t.Fatalf("the two alerts are on tickets %d and %d, want one", link.ID, other.ID)
			}
			ticketsShowBoth(t, e, b, link)
			for i, p := range b.pages {
				noSecrets(t, i, p, e, in)
			}
		})
	}
}

// consoleSignedIn starts the demo on psa (its integration applied) and
// a browser signed in to its console.
func consoleSignedIn(t *testing.T, psa string) (*env, *page, wizardInput) {
	t.Helper()
	ctx := browser(t)
	e := start(t, "", func(o *demo.Options) { o.PSA = psa })
	b := &page{t: t, ctx: ctx}
	b.do("sign in",
		chromedp.Navigate(e.BaseURL+"/integrations"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), e.AdminToken),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.ID("integrations")),
	)
	b.capture()
	return e, b, wizardInputOf(t, e.Env)
}

// ticketsShowBoth opens the tickets page from the nav and finds the
// link's row: its PSA ticket number, and both alerts, each linking to
// its timeline.
func ticketsShowBoth(t *testing.T, e *env, b *page, link store.TicketLink) {
	t.Helper()
	seqs := []int64{}
	for _, id := range []string{"daily-1", "daily-2", "group-1", "group-2"} {
		if a, err := e.App.Store.AlertBySourceID(context.Background(), store.DefaultTenant, e.SourceID, id); err == nil {
			seqs = append(seqs, a.Seq)
		}
	}
	b.do("tickets", chromedp.Navigate(e.BaseURL+"/integrations"), chromedp.WaitVisible(chromedp.ID("integrations")),
		chromedp.Click(chromedp.CSS(`nav a[href="/tickets"]`)), chromedp.WaitVisible(chromedp.ID("tickets")))
	b.capture()
	number := link.TicketNumber
	if number == "" {
		number = link.PSATicketID
	}
	var row string
	for _, r := range strings.Split(b.text("#tickets tbody"), "\n") {
		if strings.Contains(r, number) {
			row = r
		}
	}
	html := b.pages[len(b.pages)-1]
	if row == "" {
		t.Fatalf("the tickets page lacks ticket %s:\n%s", number, b.text("#tickets"))
	}
	for _, seq := range seqs {
		if !strings.Contains(html, fmt.Sprintf(`href="/alerts/%d"`, seq)) {
			t.Errorf("the tickets page lacks alert %d's link", seq)
		}
	}
	if len(seqs) != 2 {
		t.Fatalf("found alerts %v, want 2", seqs)
	}
	b.do("a ticket's alert", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#tickets a[href="/alerts/%d"]`, seqs[0]))), chromedp.WaitVisible(chromedp.ID("timeline")))
	b.capture()
	if got := b.text("#tickets"); !strings.Contains(got, number) {
		t.Errorf("the alert's page lacks its ticket %s: %s", number, got)
	}
}

// explainInConsole explains a third alert of the same group: the page
// names the company the ticket went to and says it would be a note on
// that ticket.
func explainInConsole(t *testing.T, e *env, b *page, sourceID string, link store.TicketLink) {
	t.Helper()
	js := testAlert{ID: "daily-3", Type: "Too Many Downloads", Email: "jane@acme.example"}.json()
	b.do("explain",
		chromedp.Click(chromedp.CSS(`nav a[href="/explain"]`)),
		chromedp.WaitVisible(chromedp.ID("explain-alert")),
		chromedp.SetValue(chromedp.ID("explain-source"), sourceID),
		chromedp.SetValue(chromedp.ID("explain-alert"), js),
		chromedp.Submit(chromedp.ID("explain-alert")),
		chromedp.WaitVisible(chromedp.CSS("section.explanation, #problem")),
	)
	b.capture()
	got := b.text("main")
	if !strings.Contains(got, "Decision per integration") || !strings.Contains(got, "(id "+link.CompanyID+")") {
		t.Fatalf("explanation lacks the ticket's company %s:\n%s", link.CompanyID, got)
	}
	if !strings.Contains(got, "a note on ticket "+link.PSATicketID) {
		t.Errorf("explanation does not say the alert goes on ticket %s:\n%s", link.PSATicketID, got)
	}
	if n := len(e.tickets()); n == 0 {
		t.Error("the simulator has no ticket")
	}
}

// retryAllInConsole stages the first alert's delivery as failed, then
// Retry all puts it back and the page says how many.
func retryAllInConsole(t *testing.T, e *env, b *page) {
	t.Helper()
	ctx := context.Background()
	ds, err := e.App.Store.Deliveries(ctx, store.DeliveryFilter{TenantID: store.DefaultTenant, AlertSeq: e.storedAlert("daily-1").Seq})
	if err != nil || len(ds) == 0 {
		t.Fatalf("deliveries of the alert: %v %v", ds, err)
	}
	err = e.App.Store.InTx(ctx, func(q store.Queries) error {
		d, err := q.Delivery(ctx, ds[0].ID)
		if err != nil {
			return err
		}
		d.State, d.LastError = store.DeliveryFailed, "staged by the test: the PSA said no"
		return q.UpdateDelivery(ctx, d)
	})
	if err != nil {
		t.Fatal(err)
	}
	b.do("failed deliveries", chromedp.Click(chromedp.CSS(`nav a[href="/deliveries"]`)), chromedp.WaitVisible(chromedp.ID("retry-all")))
	b.capture()
	b.do("retry all", chromedp.Submit(chromedp.CSS(`#retry-all button`)), chromedp.WaitVisible(chromedp.ID("retried-all")))
	b.capture()
	if got := b.text("#retried-all"); got != "1 delivery is queued again." {
		t.Errorf("after Retry all: %q", got)
	}
	// The bulk retry commits before it answers, so the page's answer
	// means the row is back in the queue.
	if d, err := e.App.Store.Delivery(ctx, ds[0].ID); err != nil || d.State == store.DeliveryFailed {
		t.Errorf("delivery %d after Retry all: %s %v, want it back in the queue", ds[0].ID, d.State, err)
	}
}

// noSecrets fails when a captured page shows the admin token or a PSA
// credential.
func noSecrets(t *testing.T, i int, p string, e *env, in wizardInput) {
	t.Helper()
	if strings.Contains(p, e.AdminToken) {
		t.Errorf("page %d shows the admin token", i)
	}
	for name, v := range in.creds {
		if v != "" && strings.Contains(p, v) {
			t.Errorf("page %d shows credential %s", i, name)
		}
	}
}
