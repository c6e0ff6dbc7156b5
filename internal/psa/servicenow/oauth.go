package servicenow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/psahttp"
)

// tokenSource keeps one OAuth access token from POST /oauth_token.do and
// renews it shortly before it expires. Concurrent callers wait on one
// renewal rather than each asking for a token.
type tokenSource struct {
	c    *Connector
	http *psahttp.Client

	mu      sync.Mutex
	access  string
	refresh string // the latest refresh token, configured or issued
	expires time.Time
}

// tokenEarly renews a token this long before its stated expiry.
const tokenEarly = time.Minute

func (ts *tokenSource) current() string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.access
}

// forget drops tok when it is still the current token, so the next call
// asks for a new one; a token another caller has renewed already stays.
func (ts *tokenSource) forget(tok string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.access == tok {
		ts.access = ""
	}
}

// token returns a valid access token, asking for one when needed: the
// refresh_token grant when a refresh token is known, the password grant
// when it is refused or none is.
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := ts.c.cfg.Now()
	if ts.access != "" && now.Before(ts.expires.Add(-tokenEarly)) {
		return ts.access, nil
	}
	cfg := ts.c.cfg
	if ts.refresh == "" {
		ts.refresh = cfg.RefreshToken.Reveal()
	}
	var err error
	if ts.refresh != "" {
		if err = ts.grant(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {ts.refresh}}); err == nil {
			return ts.access, nil
		}
		if psa.ClassOf(err) != psa.Permanent || cfg.Username == "" || cfg.Password.IsZero() {
			return "", err
		}
	}
	if err = ts.grant(ctx, url.Values{"grant_type": {"password"}, "username": {cfg.Username}, "password": {cfg.Password.Reveal()}}); err != nil {
		return "", err
	}
	return ts.access, nil
}

// grant asks the token endpoint; callers hold mu.
func (ts *tokenSource) grant(ctx context.Context, form url.Values) error {
	form.Set("client_id", ts.c.cfg.ClientID.Reveal())
	form.Set("client_secret", ts.c.cfg.ClientSecret.Reveal())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.c.base+"/oauth_token.do", strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("servicenow oauth: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	_, body, err := ts.http.Do(ctx, req, "oauth.token", true)
	if err != nil {
		if pe, ok := err.(*psa.Error); ok && pe.Status == http.StatusUnauthorized {
			pe.Message = "OAuth token refused (access_denied): check connection.client_id, connection.client_secret and the grant's credentials"
		}
		return fmt.Errorf("servicenow oauth.token: %w", err)
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int    `json:"expires_in"`
	}
	if json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
		return &psa.Error{Class: psa.Retryable, Message: "oauth.token: answer holds no access token"}
	}
	ts.access, ts.expires = tok.AccessToken, ts.c.cfg.Now().Add(time.Duration(tok.ExpiresIn)*time.Second)
	if tok.RefreshToken != "" {
		ts.refresh = tok.RefreshToken
	}
	return nil
}
