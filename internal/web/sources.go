package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// sourceInfo is a source as GET /api/v1/sources lists it: never a token.
type sourceInfo struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Format      string    `json:"format"`
	CallbackURL string    `json:"callback_url"`
	CreatedAt   time.Time `json:"created_at"`
	Revoked     bool      `json:"revoked"`
}

// shownToken is a source token the API just issued, kept in the session
// until the one page that shows it has been rendered.
type shownToken struct {
	source, token, callbackSecret string
	rotated                       bool
}

// sources lists the tenant's sources with their formats, and the form
// that creates one.
func (c *Console) sources(w http.ResponseWriter, r *http.Request, sess *session) {
	c.sourcesPage(w, r, sess, http.StatusOK, nil, "")
}

func (c *Console) sourcesPage(w http.ResponseWriter, r *http.Request, sess *session, status int, form url.Values, problem string) {
	var list struct {
		Sources []sourceInfo `json:"sources"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/sources", nil, &list); err != nil {
		c.fail(w, r, sess, "list sources", err)
		return
	}
	var formats struct {
		Formats []struct {
			Name  string `json:"name"`
			Title string `json:"title"`
		} `json:"formats"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/formats", nil, &formats); err != nil {
		c.fail(w, r, sess, "list formats", err)
		return
	}
	if form == nil {
		form = url.Values{}
	}
	c.render(w, status, "sources", sess, map[string]any{
		"Sources": list.Sources, "Formats": formats.Formats, "Form": form, "Problem": problem,
		"Revoked": r.URL.Query().Get("revoked"),
	})
}

// createSource creates a source through the API and sends the browser to
// the page that shows its token once.
func (c *Console) createSource(w http.ResponseWriter, r *http.Request, sess *session) {
	body := map[string]string{"id": strings.TrimSpace(r.PostFormValue("id")), "name": strings.TrimSpace(r.PostFormValue("name")), "format": r.PostFormValue("format")}
	var created struct {
		ID             string `json:"id"`
		Token          string `json:"token"`
		CallbackSecret string `json:"callback_secret"`
	}
	if err := c.call(r.Context(), sess, "POST", "/api/v1/sources", body, &created); err != nil {
		if p, ok := err.(*problem); ok && p.Status < 500 && p.Status != http.StatusUnauthorized {
			c.sourcesPage(w, r, sess, p.Status, r.PostForm, p.Error())
			return
		}
		c.fail(w, r, sess, "create source", err)
		return
	}
	sess.setShown(&shownToken{source: created.ID, token: created.Token, callbackSecret: created.CallbackSecret})
	http.Redirect(w, r, "/sources/"+url.PathEscape(created.ID)+"/token", http.StatusSeeOther)
}

// sourceToken shows a token just issued, once: the session forgets it as
// the page is rendered, so a reload (or the back button) finds it gone.
// The page is no-store, as every console page is.
func (c *Console) sourceToken(w http.ResponseWriter, r *http.Request, sess *session) {
	shown := sess.takeShown(r.PathValue("id"))
	data := map[string]any{"Source": r.PathValue("id")}
	if shown != nil {
		data["Token"], data["CallbackSecret"], data["Rotated"] = shown.token, shown.callbackSecret, shown.rotated
	}
	c.render(w, http.StatusOK, "source-token", sess, data)
}

// rotateSource gives the source a new token through the API; the old one
// stops working at once.
func (c *Console) rotateSource(w http.ResponseWriter, r *http.Request, sess *session) {
	id := r.PathValue("id")
	var rotated struct {
		Token string `json:"token"`
	}
	if err := c.call(r.Context(), sess, "POST", "/api/v1/sources/"+url.PathEscape(id)+"/rotate", nil, &rotated); err != nil {
		c.fail(w, r, sess, "rotate source token", err)
		return
	}
	sess.setShown(&shownToken{source: id, token: rotated.Token, rotated: true})
	http.Redirect(w, r, "/sources/"+url.PathEscape(id)+"/token", http.StatusSeeOther)
}

// revokeConfirm asks before a revoke: the sender's next alert is refused.
func (c *Console) revokeConfirm(w http.ResponseWriter, r *http.Request, sess *session) {
	c.render(w, http.StatusOK, "source-revoke", sess, map[string]any{"Source": r.PathValue("id")})
}

// revokeSource revokes the source's token through the API, once the
// confirmation form was posted.
func (c *Console) revokeSource(w http.ResponseWriter, r *http.Request, sess *session) {
	id := r.PathValue("id")
	if r.PostFormValue("confirm") != "yes" {
		http.Redirect(w, r, "/sources/"+url.PathEscape(id)+"/revoke", http.StatusSeeOther)
		return
	}
	if err := c.call(r.Context(), sess, "POST", "/api/v1/sources/"+url.PathEscape(id)+"/revoke", nil, nil); err != nil {
		c.fail(w, r, sess, "revoke source token", err)
		return
	}
	http.Redirect(w, r, "/sources?revoked="+url.QueryEscape(id), http.StatusSeeOther)
}
