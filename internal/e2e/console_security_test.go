package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ticketbridge/ticketbridge/internal/demo"
	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// TestConsoleRefusesForgedFormsAndStaleSessions runs in Chromium: a form
// whose CSRF token was tampered with and a form posted from another site
// are refused without effect, an idle session ends at its TTL, and no
// credential or token appears in any page, including the wizard editing
// the stored integration.
func TestConsoleRefusesForgedFormsAndStaleSessions(t *testing.T) {
	ctx := browser(t)
	var skew atomic.Int64 // the app's clock runs this far ahead
	e := start(t, "", func(o *demo.Options) {
		o.PSA = "autotask"
		o.AppOpts.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	})
	b := &page{t: t, ctx: ctx}
	signIn := func(step string) {
		b.do(step,
			chromedp.Navigate(e.BaseURL+"/signin"),
			chromedp.WaitVisible(chromedp.ID("token")),
			chromedp.SendKeys(chromedp.ID("token"), e.AdminToken),
			chromedp.Submit(chromedp.ID("token")),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/integrations/new"]`)),
		)
	}
	signedIn := func(step string) bool {
		b.do(step, chromedp.Navigate(e.BaseURL+"/integrations"), chromedp.WaitVisible(chromedp.CSS("h1")))
		return b.text("h1") == "Integrations"
	}
	signIn("sign in")
	if got := b.text("#tenant"); got != "default" {
		t.Errorf("the header names tenant %q, want default", got)
	}

	// The sign-out form with its CSRF token replaced: refused, and the
	// session is still there.
	b.do("tampered CSRF token",
		chromedp.SetAttributeValue(chromedp.CSS(`form.signout input[name="csrf"]`), "value", "forged-token"),
		chromedp.Submit(chromedp.CSS(`form.signout button`)),
		chromedp.WaitVisible(chromedp.CSS("pre")),
	)
	if body := b.text("body"); !strings.Contains(body, "the form is stale") {
		t.Errorf("a tampered CSRF token answered %q, want the refusal", body)
	}
	if !signedIn("after the tampered form") {
		t.Fatal("the tampered sign-out form signed out")
	}

	// Another site's page posting to the console: the browser does not
	// send the session cookie (SameSite=Lax) and the form has no token,
	// so nothing happens. localhost and 127.0.0.1 are different sites.
	_, port, err := net.SplitHostPort(strings.TrimPrefix(e.BaseURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form method="post" action="http://127.0.0.1:%s/signout"><input type="hidden" name="csrf" value="guess"><button id="go">Win a prize</button></form>`, port)
	}))
	defer evil.Close()
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	b.do("cross-site form",
		chromedp.Navigate(evilURL),
		chromedp.WaitVisible(chromedp.ID("go")),
		chromedp.Click(chromedp.ID("go")),
		// The refusal is plain text, which Chromium shows in a pre.
		chromedp.WaitVisible(chromedp.CSS("pre")),
	)
	if body := b.text("body"); !strings.Contains(body, "sign in first") && !strings.Contains(body, "the form is stale") {
		t.Errorf("a cross-site form answered %q, want a refusal", body)
	}
	if !signedIn("after the cross-site form") {
		t.Fatal("the cross-site form signed out")
	}

	// Every page the admin sees, including the wizard over the stored
	// integration (whose secrets are stored) and its review.
	name := e.IntegrationName()
	for _, path := range []string{"/integrations", "/integrations/" + name, "/alerts", "/deliveries", "/integrations/" + name + "/edit", "/setup/yaml", "/setup/review"} {
		b.do("visit "+path, chromedp.Navigate(e.BaseURL+path), chromedp.WaitVisible(chromedp.CSS("h1")))
		b.capture()
	}
	// Editing keeps the stored secrets: the plan says only that they are
	// now the database's (the console has no env or file to read).
	if got := b.text("main"); !strings.Contains(got, "Save") || strings.Contains(got, "Invalid") {
		t.Errorf("the review of the unchanged stored integration:\n%s", got)
	} else {
		for _, line := range strings.Split(got, "\n") {
			if strings.HasPrefix(line, "~ ") && !strings.HasSuffix(line, "→ (stored)") {
				t.Errorf("editing without a change plans %q", line)
			}
		}
	}

	// An idle session ends at its TTL (8 hours): the next page is the
	// sign-in form.
	skew.Store(int64(9 * time.Hour))
	b.do("after the session's TTL", chromedp.Navigate(e.BaseURL+"/alerts"), chromedp.WaitVisible(chromedp.ID("token")))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/signin") {
		t.Errorf("an expired session went to %s, want /signin", loc)
	}
	b.capture()

	docs, err := integration.Decode(strings.NewReader(e.DefaultSettings()))
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, ref := range docs[0].Connection.SecretRefs() {
		if ref.Env != "" && e.Getenv(ref.Env) != "" {
			secrets = append(secrets, e.Getenv(ref.Env))
		}
	}
	if len(secrets) == 0 {
		t.Fatal("the demo settings hold no secret to look for")
	}
	secrets = append(secrets, e.AdminToken, e.Token)
	for i, p := range b.pages {
		for _, s := range secrets {
			if strings.Contains(p, s) {
				t.Errorf("page %d shows a credential or token", i)
			}
		}
	}
}
