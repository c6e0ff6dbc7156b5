package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// htmxSHA256 is the sum of the vendored htmx.min.js (2.0.11 as
// published). A file swapped or edited in place fails
// TestVendoredHTMX; an update changes both together.
const htmxSHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"

func TestVendoredHTMX(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, page := h.do("GET", "/signin", nil)
	m := regexp.MustCompile(`<script src="(/assets/htmx\.min\.[0-9a-f]{8}\.js)" defer></script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no checksummed htmx script in:\n%s", page)
	}
	resp, js := h.do("GET", m[1], nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET %s: %d, Content-Type %q", m[1], resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sum := sha256.Sum256([]byte(js))
	if got := hex.EncodeToString(sum[:]); got != htmxSHA256 {
		t.Errorf("served htmx.min.js has sha256 %s, want %s (the vendored file changed)", got, htmxSHA256)
	}
	// The license and README beside it are not served.
	for _, f := range []string{"htmx.LICENSE", "README.md"} {
		if _, err := fs.Stat(staticFS, "static/"+f); err != nil {
			t.Errorf("static/%s: %v", f, err)
		}
	}
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	for name := range p.urls {
		if name != "console.css" && name != "htmx.min.js" {
			t.Errorf("static/%s is served; only the stylesheet and script are", name)
		}
	}
}

// TestHTMXConfig holds the settings that keep htmx inside the CSP: no
// injected style, no eval, no script from swapped content.
func TestHTMXConfig(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, page := h.do("GET", "/signin", nil)
	m := regexp.MustCompile(`<meta name="htmx-config" content='([^']+)'>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no htmx-config meta in:\n%s", page)
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &cfg); err != nil {
		t.Fatalf("htmx-config %q: %v", m[1], err)
	}
	for _, key := range []string{"includeIndicatorStyles", "allowEval", "allowScriptTags"} {
		if cfg[key] != false {
			t.Errorf("htmx-config %s = %v, want false", key, cfg[key])
		}
	}
	if cfg["selfRequestsOnly"] != true {
		t.Errorf("htmx-config selfRequestsOnly = %v, want true", cfg["selfRequestsOnly"])
	}
}

var (
	hxRequest  = regexp.MustCompile(`\shx-(get|post|put|patch|delete)="([^"]*)"`)
	hxAction   = regexp.MustCompile(`hx-vals='\{"action":\s*"([^"]+)"\}'`)
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
)

// TestPagesWorkWithoutHTMX holds every htmx request to a plain form
// doing the same: it posts to a form's own action, and the action it
// asks for is a submit button of that page, so without script the
// button does it with a whole page.
func TestPagesWorkWithoutHTMX(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	var requests int
	for _, name := range names {
		b, err := templateFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if strings.Contains(text, "hx-boost") {
			t.Errorf("%s: hx-boost makes links depend on script; use forms", name)
		}
		var actions []string
		for _, m := range formAction.FindAllStringSubmatch(text, -1) {
			actions = append(actions, m[1])
		}
		for _, m := range hxRequest.FindAllStringSubmatch(text, -1) {
			requests++
			if m[1] != "post" || !slices.Contains(actions, m[2]) {
				t.Errorf("%s: hx-%s=%q is not a post to a form of the page (%v)", name, m[1], m[2], actions)
			}
		}
		for _, m := range hxAction.FindAllStringSubmatch(text, -1) {
			if !strings.Contains(text, `name="action" value="`+m[1]+`"`) {
				t.Errorf("%s: htmx asks for action %q, which no button of the page offers", name, m[1])
			}
		}
	}
	if requests == 0 {
		t.Error("no template makes an htmx request: this test checks nothing")
	}
}
