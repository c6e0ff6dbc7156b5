package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the parsed templates and the embedded assets by their
// checksummed names.
type pages struct {
	byName map[string]*template.Template
	// assets maps a checksummed name (console.1a2b3c4d.css) to its file,
	// urls a plain name to its checksummed URL. A checksummed URL never
	// changes content, so browsers may keep it forever.
	assets map[string][]byte
	urls   map[string]string
}

func mustParsePages() *pages {
	p, err := parsePages()
	if err != nil {
		panic(fmt.Sprintf("web: embedded templates: %v", err)) // fixed at build time
	}
	return p
}

func parsePages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}, assets: map[string][]byte{}, urls: map[string]string{}}
	files, err := fs.Glob(staticFS, "static/*")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		// The license and README beside the assets are for readers.
		if _, served := assetTypes[path.Ext(f)]; !served {
			continue
		}
		b, err := staticFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		base := path.Base(f)
		ext := path.Ext(base)
		hashed := strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		p.assets[hashed], p.urls[base] = b, "/assets/"+hashed
	}
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			if u, ok := p.urls[name]; ok {
				return u, nil
			}
			return "", fmt.Errorf("no asset %q", name)
		},
		"window": window,
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04:05Z")
		},
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if path.Base(n) == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, err
		}
		p.byName[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return p, nil
}

// assetTypes are the kinds of file served from static/, by extension.
var assetTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
}

func (p *pages) serveAsset(w http.ResponseWriter, r *http.Request) {
	b, ok := p.assets[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", assetTypes[path.Ext(r.PathValue("file"))])
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(b)
}

// view is what every page template gets.
type view struct {
	SignedIn bool
	// Tenant is the signed-in admin's tenant: every page shows its data
	// only.
	Tenant string
	CSRF   string
	Data   any
}

// render executes a page into a buffer first, so a failing template
// answers 500 rather than half a page.
func (c *Console) render(w http.ResponseWriter, status int, name string, sess *session, data any) {
	t, ok := c.pages.byName[name]
	if !ok {
		c.cfg.Logger.Error("console: no such page", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := view{Data: data}
	if sess != nil {
		v.SignedIn, v.Tenant, v.CSRF = true, sess.tenant, sess.csrf
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		c.cfg.Logger.Error("console: render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail shows an error page: the API's own words for a refusal, a
// generic line (and the log) for anything else.
// A token revoked since sign-in ends the session.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, sess *session, what string, err error) {
	if p, ok := err.(*problem); ok && p.Status == http.StatusUnauthorized {
		c.sessions.remove(sess.id)
		c.setCookie(w, r, sessionCookie, "", -1)
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	if p, ok := err.(*problem); ok {
		c.render(w, p.Status, "error", sess, map[string]any{"What": what, "Message": p.Error()})
		return
	}
	c.cfg.Logger.Error("console: "+what, "err", err)
	c.render(w, http.StatusInternalServerError, "error", sess, map[string]any{"What": what, "Message": "the request failed; the server log has the details"})
}

// window says a budget window shortly: 1h, 15m, or as Go writes it.
func window(d time.Duration) string {
	switch {
	case d > 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d > 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
