package halopsasim

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// caller is who an API request comes from.
type caller struct {
	agent  int
	scopes []string
}

// may reports whether the caller's scopes allow a read or a write of area.
func (c *caller) may(area string, write bool) bool {
	for _, sc := range c.scopes {
		switch {
		case sc == "all", sc == "all:standard" && area != "admin", sc == "admin" && area == "admin":
			return true
		case sc == "edit:"+area, !write && sc == "read:"+area:
			return true
		}
	}
	return false
}

// authInfo names the authorisation server, unauthenticated.
func (s *Sim) authInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"auth_url": "http://" + r.Host + "/auth", "tenant_id": s.opt.Tenant})
}

// issueToken is the client-credentials grant of Halo's authorisation
// server.
func (s *Sim) issueToken(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	if s.opt.Tenant != "" && !strings.EqualFold(r.URL.Query().Get("tenant"), s.opt.Tenant) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "unknown tenant"})
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := simkit.BasicAuth(r); ok {
		id, secret = u, p
	}
	app, ok := s.app(id, secret)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	scopes, ok := grant(app.Scopes, strings.Fields(r.PostForm.Get("scope")))
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_scope"})
		return
	}
	tok := s.newToken(app.AgentID, scopes)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int(s.opt.TokenLifetime.Seconds()),
		"scope": strings.Join(scopes, " "),
	})
}

// grant returns the scopes asked for that the app holds; none asked
// means all it holds.
func grant(held, asked []string) ([]string, bool) {
	if len(asked) == 0 {
		return held, true
	}
	for _, a := range asked {
		if !slices.Contains(held, a) && !slices.Contains(held, "all") {
			return nil, false
		}
	}
	return asked, true
}

func (s *Sim) app(id, secret string) (App, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.apps {
		if a.ClientID == id && simkit.EqualSecret(secret, a.ClientSecret) {
			return a, true
		}
	}
	return App{}, false
}

func (s *Sim) newToken(agent int, scopes []string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenSeq++
	s.tokens[tok] = token{agent: agent, scopes: scopes, expires: s.now().Add(s.opt.TokenLifetime)}
	return tok
}

// TokensIssued counts the tokens handed out so far.
func (s *Sim) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenSeq
}

// authenticate finds the live token of r.
func (s *Sim) authenticate(r *http.Request) (*caller, bool) {
	bearer, ok := simkit.BearerToken(r)
	if !ok {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[bearer]
	if !ok || !s.now().Before(t.expires) {
		return nil, false
	}
	return &caller{agent: t.agent, scopes: t.scopes}, true
}
