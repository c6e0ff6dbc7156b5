package e2e

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.yaml.in/yaml/v4"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// screenshots rewrites the README's console screenshots in
// docs/console/ from the browser test: go test ./internal/e2e -run
// TestConsole -screenshots.
var screenshots = flag.Bool("screenshots", false, "rewrite the console screenshots in docs/console/")

// chromiumPath finds Debian's chromium. Without it the browser tests
// skip, unless TICKETBRIDGE_REQUIRE_BROWSER is set (CI sets it), when a
// missing browser fails them.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "chromium-headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TICKETBRIDGE_REQUIRE_BROWSER") != "" {
		t.Fatal("chromium is not installed and TICKETBRIDGE_REQUIRE_BROWSER is set: apt-get install chromium")
	}
	t.Skip("chromium is not installed (apt-get install chromium); set TICKETBRIDGE_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// browser starts a headless chromium at a 1280×800 window.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// wizardInput is the demo settings split as an admin types them: the
// connection fields, the secret values, and the rest as YAML.
type wizardInput struct {
	name, psa, url, yaml string
	// plain are the connection fields that are not secrets, by form id.
	plain map[string]string
	creds map[string]string
}

func wizardInputOf(t *testing.T, e *demo.Env) wizardInput {
	t.Helper()
	docs, err := integration.Decode(strings.NewReader(e.DefaultSettings()))
	if err != nil {
		t.Fatal(err)
	}
	s := docs[0]
	in := wizardInput{name: s.Name, psa: s.PSA, url: e.SimURL, creds: map[string]string{}, plain: map[string]string{}}
	for name, ref := range s.Connection.SecretRefs() {
		if ref.Env != "" {
			in.creds[name] = e.Getenv(ref.Env)
		}
	}
	c := s.Connection
	for id, v := range map[string]string{
		"username": c.Username, "company": c.Company, "public_key": c.PublicKey, "member_id": c.MemberID,
		"tenant": c.Tenant, "subdomain": c.Subdomain, "region": c.Region, "table": c.Table,
	} {
		if v != "" {
			in.plain[id] = v
		}
	}
	s.Name, s.PSA, s.Connection = "", "", integration.Connection{}
	b, err := yaml.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	in.yaml = string(b)
	return in
}

// TestConsoleConnectAndFollowAnAlert signs in to the console in real
// Chromium, connects the simulated PSA through the wizard (test, plan,
// save), sends an alert and finds its ticket and timeline.
// It runs against the simulator of every PSA driver, one after another
// (each starts a browser).
func TestConsoleConnectAndFollowAnAlert(t *testing.T) {
	chromiumPath(t)
	for _, psa := range psaNames() {
		t.Run(psa, func(t *testing.T) { consoleWalk(t, psa) })
	}
}

func consoleWalk(t *testing.T, psa string) {
	ctx := browser(t)
	e := start(t, "", func(o *demo.Options) { o.PSA = psa; o.SkipApply = true })
	in := wizardInputOf(t, e.Env)
	b := &page{t: t, ctx: ctx}

	b.do("sign in",
		chromedp.Navigate(e.BaseURL+"/integrations"),
		chromedp.WaitVisible(chromedp.ID("token")),
	)
	b.capture()
	b.do("sign in",
		chromedp.SendKeys(chromedp.ID("token"), e.AdminToken),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/integrations/new"]`)),
	)
	if h := b.text("h1"); h != "Integrations" {
		t.Fatalf("after sign-in the page is %q, want Integrations", h)
	}

	b.do("connect: choose the PSA",
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
	// First with one credential wrong: the PSA's refusal shows on the
	// form, which keeps everything but the credentials.
	wrong := slices.Sorted(maps.Keys(in.creds))[0]
	for name, v := range in.creds {
		if name == wrong {
			v = "wrong-" + v
		}
		fill = append(fill, chromedp.SendKeys(chromedp.ID("cred_"+name), v))
	}
	b.do("connect: fill and test a wrong credential", append(fill,
		chromedp.Click(chromedp.ID("test")),
		chromedp.WaitVisible(chromedp.CSS("#tested, #problem")),
	)...)
	b.capture()
	got := b.text("#tested, #problem")
	if !strings.Contains(got, "PSA") || strings.Contains(got, "Connection works") {
		t.Fatalf("test connection with a wrong %s: %q, want the PSA's refusal", wrong, got)
	}
	t.Logf("test connection with a wrong %s: %s", wrong, got)
	// Only the wrong one is typed again; the others are kept.
	b.do("connect: test again",
		chromedp.SendKeys(chromedp.ID("cred_"+wrong), in.creds[wrong]),
		chromedp.Click(chromedp.ID("test")),
		// Not #problem: the page being left still shows the last one.
		chromedp.WaitVisible(chromedp.ID("tested")),
	)
	b.capture()
	b.screenshot(psa, "wizard")

	// Test connection posted the form; the steps between it and YAML
	// are skipped by the step list's link.
	b.do("settings as YAML",
		chromedp.Click(chromedp.CSS(`a[href="/setup/yaml"]`)),
		chromedp.WaitVisible(chromedp.ID("settings")),
		chromedp.SetValue(chromedp.ID("settings"), in.yaml),
	)
	b.do("review", chromedp.Click(chromedp.ID("next")), chromedp.WaitVisible(chromedp.CSS("#changes, #problem")))
	b.capture()
	b.screenshot(psa, "plan")
	if plan := b.text("main"); !strings.Contains(plan, "Save") || strings.Contains(plan, "Nothing would change") {
		t.Fatalf("plan page:\n%s", plan)
	}
	b.do("connect: save", chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.CSS("pre.settings")))
	b.capture()
	if title := b.text("h1"); title != in.name {
		t.Fatalf("after save the page is %q, want the integration %q", title, in.name)
	}

	e.send(testAlert{ID: "console-1", Type: "Too Many Downloads", Email: "jane@acme.example"})
	link, ok := e.ticketOf("console-1")
	if !ok {
		t.Fatal("the alert made no ticket")
	}
	number := link.TicketNumber
	if number == "" {
		number = link.PSATicketID
	}

	b.do("alerts", chromedp.Click(chromedp.CSS(`a[href="/alerts"]`)), chromedp.WaitVisible(chromedp.ID("alerts")))
	b.capture()
	b.screenshot(psa, "alerts")
	if list := b.text("#alerts"); !strings.Contains(list, "console-1") || !strings.Contains(list, number) {
		t.Errorf("alerts list lacks the alert or its ticket %s:\n%s", number, list)
	}
	b.do("timeline", chromedp.Click(chromedp.CSS(`#alerts a[href^="/alerts/"]`)), chromedp.WaitVisible(chromedp.ID("timeline")))
	b.capture()
	b.screenshot(psa, "timeline")
	timeline := b.text("main")
	if !strings.Contains(timeline, "console-1") || !strings.Contains(timeline, number) {
		t.Errorf("alert page lacks the alert or ticket %s:\n%s", number, timeline)
	}
	tl := e.timelineText("console-1")
	for _, line := range strings.Split(strings.TrimSpace(tl), "\n") {
		event, _, _ := strings.Cut(line, " ")
		if !strings.Contains(timeline, event) {
			t.Errorf("the page's timeline lacks event %q (store: %s)", event, tl)
		}
	}

	retryInConsole(t, e, b)

	// At a phone's width nothing runs off the side: wide tables scroll
	// in their own box.
	for _, path := range []string{"/alerts", "/integrations", "/integrations/new"} {
		b.do("phone width "+path, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.BaseURL+path), chromedp.WaitVisible(chromedp.CSS("h1")))
		width, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
		if err != nil {
			t.Fatal(err)
		}
		if width > 390 {
			t.Errorf("%s at 390 px wide is %d px wide", path, width)
		}
	}

	pages := b.pages
	for i, p := range pages {
		for name, v := range in.creds {
			if v != "" && strings.Contains(p, v) {
				t.Errorf("page %d shows credential %s", i, name)
			}
		}
		if strings.Contains(p, e.AdminToken) {
			t.Errorf("page %d shows the admin token", i)
		}
	}
}

// retryInConsole stages the alert's ticket delivery as failed with the
// PSA's error, and retries it with the console's button: the retry goes
// through the API's route (state back to pending, "retry requested" in
// the timeline). The delivery was spent, so its payload is gone and the
// engine has nothing to send again; a retry the engine completes is the
// API's own tests' business.
func retryInConsole(t *testing.T, e *env, b *page) {
	t.Helper()
	ctx := context.Background()
	seq := e.storedAlert("console-1").Seq
	ds, err := e.App.Store.Deliveries(ctx, store.DeliveryFilter{TenantID: store.DefaultTenant, AlertSeq: seq})
	if err != nil || len(ds) == 0 {
		t.Fatalf("deliveries of the alert: %v %v", ds, err)
	}
	d := ds[0]
	err = e.App.Store.InTx(ctx, func(q store.Queries) error {
		full, err := q.Delivery(ctx, d.ID)
		if err != nil {
			return err
		}
		full.State, full.LastError = store.DeliveryFailed, "staged by the test: the PSA said no"
		return q.UpdateDelivery(ctx, full)
	})
	if err != nil {
		t.Fatal(err)
	}
	b.do("failed deliveries", chromedp.Click(chromedp.CSS(`a[href="/deliveries"]`)), chromedp.WaitVisible(chromedp.ID("deliveries")))
	b.capture()
	if list := b.text("#deliveries"); !strings.Contains(list, "the PSA said no") {
		t.Fatalf("failed deliveries lack the PSA's error:\n%s", list)
	}
	b.do("retry", chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[aria-label="Retry delivery %d"]`, d.ID))), chromedp.WaitVisible(chromedp.CSS(`p[role="status"]`)))
	b.capture()
	got, err := e.App.Store.Delivery(ctx, d.ID)
	if err != nil || got.State == store.DeliveryFailed {
		t.Errorf("delivery %d after the retry: %s %v, want it back in the queue", d.ID, got.State, err)
	}
	if tl := e.timelineText("console-1"); !strings.Contains(tl, "retry requested") {
		t.Errorf("the timeline lacks the retry:\n%s", tl)
	}
}

// page drives one browser tab and keeps the HTML of every page it
// captured, to search for secrets.
type page struct {
	t     *testing.T
	ctx   context.Context
	pages []string
}

// do runs browser actions as one named step.
func (p *page) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", step, err)
	}
}

// text is the visible text of the first element matching a CSS selector.
func (p *page) text(css string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		p.t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// capture keeps the current page's HTML.
func (p *page) capture() {
	p.t.Helper()
	html, err := chromedp.Run(p.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		p.t.Fatalf("read page: %v", err)
	}
	p.pages = append(p.pages, html)
}

// screenshot saves the viewport as docs/console/<name>.png when
// -screenshots is given.
func (p *page) screenshot(psa, name string) {
	p.t.Helper()
	if !*screenshots || psa != "autotask" { // the README shows one PSA's
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "docs", "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}
