package web

import (
	"errors"
	"net/http"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// signInForm shows the sign-in form. Before there is a session, CSRF is
// a double-submit: a random cookie that the form must repeat.
func (c *Console) signInForm(w http.ResponseWriter, r *http.Request) {
	c.renderSignIn(w, r, http.StatusOK, "")
}

func (c *Console) renderSignIn(w http.ResponseWriter, r *http.Request, status int, problem string) {
	nonce := randomString()
	c.setCookie(w, r, signInCookie, nonce, 600)
	c.render(w, status, "signin", nil, map[string]any{"CSRF": nonce, "Problem": problem})
}

// signIn checks the admin API token against the tokens the API accepts
// and opens a session.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(signInCookie)
	if err != nil || !sameString(ck.Value, r.PostFormValue("csrf")) {
		http.Error(w, "the form is stale or was not sent by this console: reload the page and try again", http.StatusForbidden)
		return
	}
	token := r.PostFormValue("token")
	if token == "" {
		c.renderSignIn(w, r, http.StatusUnauthorized, "That token is not an admin API token.")
		return
	}
	hash := ingest.HashToken(token)
	tok, err := c.cfg.Tokens.APITokenByHash(r.Context(), hash)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && !sameString(tok.TokenHash, hash)):
		c.renderSignIn(w, r, http.StatusUnauthorized, "That token is not an admin API token.")
		return
	case err != nil:
		c.cfg.Logger.Error("console sign-in: look up api token", "err", err)
		c.renderSignIn(w, r, http.StatusInternalServerError, "Signing in failed; the server log has the details.")
		return
	}
	sess := c.sessions.create(token, tok.TenantID)
	c.setCookie(w, r, signInCookie, "", -1)
	c.setCookie(w, r, sessionCookie, sess.id, 0)
	c.cfg.Logger.Info("console sign-in", "tenant", tok.TenantID, "token_name", tok.Name)
	http.Redirect(w, r, "/integrations", http.StatusSeeOther)
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request, sess *session) {
	c.sessions.remove(sess.id)
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
