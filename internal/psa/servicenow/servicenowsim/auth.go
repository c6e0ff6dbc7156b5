package servicenowsim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// authenticate finds the user a request signs in as: Basic, an OAuth
// bearer token that has not expired, or (with Options.APIKeys) an API key.
func (s *Sim) authenticate(r *http.Request) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name, pass, ok := simkit.BasicAuth(r); ok {
		u := s.users[name]
		if u == nil || !simkit.EqualSecret(pass, u.Password) {
			return User{}, false
		}
		return *u, true
	}
	if tok, ok := simkit.BearerToken(r); ok {
		t, found := s.tokens[tok]
		if !found || !s.now().Before(t.expires) {
			return User{}, false
		}
		return *s.users[t.user], true
	}
	if key := apiKey(r); key != "" && s.opt.APIKeys {
		for _, u := range s.users {
			if u.APIKey != "" && simkit.EqualSecret(key, u.APIKey) {
				return *u, true
			}
		}
	}
	return User{}, false
}

func apiKey(r *http.Request) string {
	if k := r.Header.Get("x-sn-apikey"); k != "" {
		return k
	}
	return r.URL.Query().Get("x-sn-apikey")
}

// tokenAnswer is the token endpoint's success body.
type tokenAnswer struct {
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	AccessToken  string `json:"access_token"`
}

// serveToken is POST /oauth_token.do: the password and refresh_token
// grants of the one OAuth application registry entry.
func (s *Sim) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		tokenDenied(w)
		return
	}
	f := r.PostForm
	if !simkit.EqualSecret(f.Get("client_id"), s.clientID) || !simkit.EqualSecret(f.Get("client_secret"), s.clientSecret) {
		tokenDenied(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var user string
	switch f.Get("grant_type") {
	case "password":
		u := s.users[f.Get("username")]
		if u == nil || !simkit.EqualSecret(f.Get("password"), u.Password) {
			tokenDenied(w)
			return
		}
		user = u.UserName
	case "refresh_token":
		user = s.refresh[f.Get("refresh_token")]
	}
	if user == "" {
		tokenDenied(w)
		return
	}
	access, refresh := opaqueToken(), f.Get("refresh_token")
	if refresh == "" {
		refresh = opaqueToken()
		s.refresh[refresh] = user
	}
	s.tokens[access] = token{user: user, expires: s.now().Add(s.opt.TokenLife)}
	b, _ := json.Marshal(tokenAnswer{Scope: "useraccount", TokenType: "Bearer", ExpiresIn: int(s.opt.TokenLife.Seconds()) - 1,
		RefreshToken: refresh, AccessToken: access})
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_, _ = w.Write(b)
}

func tokenDenied(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"error_description":"access_denied","error":"server_error"}`))
}

// opaqueToken is an 86-character URL-safe string, like the instance's.
func opaqueToken() string {
	b := make([]byte, 64)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:86]
}

// hasRole reports whether u holds any of roles (admin holds every one).
func (u User) hasRole(roles ...string) bool {
	return slices.Contains(u.Roles, "admin") || slices.ContainsFunc(roles, func(r string) bool { return slices.Contains(u.Roles, r) })
}

// ExpireTokens ends every access token now, as if their life had passed.
func (s *Sim) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}
