package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"maps"
	"net/http"
	"sync"
	"time"
)

// Cookie names. The session cookie holds only a random id; the token it
// stands for stays in this process's memory, so a restart signs everyone
// out (the trade-off for never writing the token anywhere).
const (
	sessionCookie = "tb_session"
	signInCookie  = "tb_signin"
)

// session is one signed-in admin.
type session struct {
	id      string
	token   string // the admin API token, for in-process API calls
	tenant  string // the token's tenant
	csrf    string
	expires time.Time

	// draft is the Connect a PSA wizard's work in progress; two tabs of
	// one session may post at once, hence the lock.
	mu    sync.Mutex
	draft *draft
	// shown is a source token issued by this session and not yet shown.
	shown *shownToken
}

// setShown keeps a token just issued for the page that shows it once.
func (s *session) setShown(t *shownToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shown = t
}

// takeShown returns the token issued for source and forgets it, so it
// is rendered once; nil when there is none (already shown, or another
// source's).
func (s *session) takeShown(source string) *shownToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.shown
	if t == nil || t.source != source {
		return nil
	}
	s.shown = nil
	return t
}

// getDraft returns a copy of the wizard's draft, or false without one.
func (s *session) getDraft() (draft, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.draft == nil {
		return draft{}, false
	}
	d := *s.draft
	d.creds = maps.Clone(s.draft.creds)
	return d, true
}

// setDraft replaces the draft; nil ends it.
func (s *session) setDraft(d *draft) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.draft = d
}

// sessions are the live sessions, expired lazily on lookup.
type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
	now  func() time.Time
	ttl  time.Duration
}

func newSessions(now func() time.Time, ttl time.Duration) *sessions {
	return &sessions{byID: map[string]*session{}, now: now, ttl: ttl}
}

func (s *sessions) create(token, tenant string) *session {
	sess := &session{id: randomString(), token: token, tenant: tenant, csrf: randomString(), expires: s.now().Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Sessions nobody comes back to are dropped here, so the map holds
	// at most those of the last TTL.
	now := s.now()
	for id, old := range s.byID {
		if !now.Before(old.expires) {
			delete(s.byID, id)
		}
	}
	s.byID[sess.id] = sess
	return sess
}

// lookup returns the live session of id and extends it.
func (s *sessions) lookup(id string) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.byID[id]
	if !ok {
		return nil, false
	}
	now := s.now()
	if !now.Before(sess.expires) {
		delete(s.byID, id)
		return nil, false
	}
	sess.expires = now.Add(s.ttl)
	return sess, true
}

func (s *sessions) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// randomString is 32 random bytes, URL-safe.
func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

func sameString(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// setCookie writes a console cookie: HttpOnly, SameSite=Lax, and Secure
// when the request came over TLS or users reach the console over https
// through a proxy.
func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || c.cfg.SecureCookies,
	})
}

// signedIn wraps a handler that needs a session: without one it sends
// the browser to sign in; a POST must carry the session's CSRF token.
func (c *Console) signedIn(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var sess *session
		if ck, err := r.Cookie(sessionCookie); err == nil {
			sess, _ = c.sessions.lookup(ck.Value)
		}
		if sess == nil {
			if r.Method != http.MethodGet {
				http.Error(w, "sign in first", http.StatusForbidden)
				return
			}
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !sameString(sess.csrf, r.PostFormValue("csrf")) {
			http.Error(w, "the form is stale or was not sent by this console: reload the page and try again", http.StatusForbidden)
			return
		}
		h(w, r, sess)
	}
}
