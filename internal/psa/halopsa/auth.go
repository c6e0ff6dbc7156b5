package halopsa

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// refreshAhead is how long before its expiry a token is replaced, so no
// request leaves with a token about to lapse on the way.
const refreshAhead = time.Minute

// tokens holds the access token. The lock is held while a token is
// fetched, so concurrent callers wait for one fetch instead of each
// making their own.
type tokens struct {
	c *Connector

	mu       sync.Mutex
	tokenURL string // discovered once
	tok      *oauth2.Token
}

// token returns a live access token, fetching one when there is none or
// it is about to expire; fresh says it was fetched by this call.
func (t *tokens) token(ctx context.Context) (tok string, fresh bool, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && t.c.now().Add(refreshAhead).Before(t.tok.Expiry) {
		return t.tok.AccessToken, false, nil
	}
	if t.tokenURL == "" {
		if t.tokenURL, err = t.c.discover(ctx); err != nil {
			return "", false, err
		}
	}
	cc := clientcredentials.Config{
		ClientID:     t.c.cfg.ClientID.Reveal(),
		ClientSecret: t.c.cfg.ClientSecret.Reveal(),
		TokenURL:     t.tokenURL,
		Scopes:       []string{"all"},
		// Halo reads the credentials from the form; auto-detection would
		// spend a second request on every refused attempt.
		AuthStyle: oauth2.AuthStyleInParams,
	}
	got, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: tokenTransport{t.c}}))
	if err != nil {
		return "", false, tokenError(err)
	}
	// The oauth2 package dates the expiry by the wall clock; the
	// connector's clock (a test's, a simulator's) may differ, so the time
	// left is carried over to it.
	if !got.Expiry.IsZero() {
		got.Expiry = t.c.now().Add(time.Until(got.Expiry))
	}
	t.tok = got
	return got.AccessToken, true, nil
}

// forget drops the token after the API refused it, unless it has been
// replaced since.
func (t *tokens) forget(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && t.tok.AccessToken == tok {
		t.tok = nil
	}
}

// tokenError keeps the classified error of the token call; anything else
// the oauth2 package reports (an answer without a token) is permanent.
func tokenError(err error) error {
	var pe *psa.Error
	if errors.As(err, &pe) {
		return pe
	}
	return &psa.Error{Class: psa.Permanent, Message: "token: the authorisation server gave no usable token: check connection.url"}
}

// tokenTransport sends the oauth2 package's token request through
// psahttp, so it is budgeted, capped, retried and classified like every
// other call. A failure comes back as the classified error, with Halo's
// OAuth error code as its message.
type tokenTransport struct{ c *Connector }

func (tt tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	status, body, err := tt.c.http.Do(req.Context(), req, "token.create", true)
	if err != nil {
		var pe *psa.Error
		if errors.As(err, &pe) && pe.Status != 0 {
			cp := *pe
			cp.Message = "token: " + errorText(body, pe.Message) + tokenHint(pe.Status)
			return nil, &cp
		}
		return nil, err
	}
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
	}, nil
}

func tokenHint(status int) string {
	if status == http.StatusUnauthorized || status == http.StatusBadRequest {
		return " (check connection.client_id, connection.client_secret and connection.tenant)"
	}
	return ""
}

// discover asks /api/authinfo where the authorisation server is; an
// instance without it (404) serves tokens at /auth/token.
func (c *Connector) discover(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.host+"/api/authinfo", nil)
	if err != nil {
		return "", &psa.Error{Class: psa.Permanent, Message: "authinfo: bad instance URL", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	_, body, err := c.http.Do(ctx, req, "authinfo.get", true)
	var pe *psa.Error
	if errors.As(err, &pe) && pe.Status == http.StatusNotFound {
		return c.withTenant(c.host + "/auth/token"), nil
	}
	if err != nil {
		return "", c.wrap("authinfo.get", body, err)
	}
	var info struct {
		AuthURL string `json:"auth_url"`
	}
	if json.Unmarshal(body, &info) != nil || info.AuthURL == "" {
		return c.withTenant(c.host + "/auth/token"), nil
	}
	u, err := url.Parse(info.AuthURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", &psa.Error{Class: psa.Permanent, Message: "authinfo names an unusable auth_url"}
	}
	return c.withTenant(strings.TrimRight(info.AuthURL, "/") + "/token"), nil
}

// withTenant adds ?tenant= when the connection names one.
func (c *Connector) withTenant(tokenURL string) string {
	if c.cfg.Tenant == "" {
		return tokenURL
	}
	return tokenURL + "?tenant=" + url.QueryEscape(c.cfg.Tenant)
}
