package connectwise

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/psahttp"
)

// Signing-key cache tuning. A cached key is fetched again when a callout
// fails to verify with it, at most once per keyRefresh (ConnectWise may
// rotate it); unknown key_urls are fetched at most maxKeyFetches times per
// keyRefresh in all, so forged callouts cannot turn our receiver into a
// stream of requests to ConnectWise. maxKeys bounds the cache.
const (
	keyFetchTimeout = 10 * time.Second
	keyRefresh      = time.Minute
	maxKeyFetches   = 10
	maxKeys         = 16
	keyURLPath      = "/system/callbackkey/index.rails"
)

// keyCache holds ConnectWise's callback signing keys by key_url, each as
// the HMAC key it is used as (SHA-256 of the signing key), never logged.
type keyCache struct {
	mu      sync.Mutex // guards the maps; held while fetching, so one fetch runs at a time
	keys    map[string]cachedKey
	fetches []time.Time // recent fetches, for maxKeyFetches
}

type cachedKey struct {
	mac     []byte
	fetched time.Time
}

// trustedKeyURL accepts a key_url only on the origin of the configured
// ConnectWise site or API host, at the callback key path: the URL
// comes from the unverified body, and the key it names decides whether
// the body verifies.
func (c *Connector) trustedKeyURL(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || !strings.HasSuffix(strings.ToLower(u.Path), keyURLPath) {
		return "", false
	}
	for _, base := range []string{c.api, c.cfg.Site} {
		b, err := url.Parse(base)
		if err == nil && psahttp.SameOrigin(b, u) == nil {
			return u.String(), true
		}
	}
	return "", false
}

// verifyCallout checks signature over body with the key at keyURL,
// fetching the key when it is unknown, or stale and not matching.
func (c *Connector) verifyCallout(ctx context.Context, keyURL string, body []byte, signature string) error {
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(got) != sha256.Size {
		return psa.ErrBadSignature
	}
	c.keys.mu.Lock()
	defer c.keys.mu.Unlock()
	k, ok := c.keys.keys[keyURL]
	if ok && hmac.Equal(got, calloutMAC(k.mac, body)) {
		return nil
	}
	if ok && c.now().Sub(k.fetched) < keyRefresh {
		return psa.ErrBadSignature
	}
	if !c.keys.allowFetch(c.now()) {
		return psa.ErrBadSignature
	}
	if k, err = c.fetchKey(ctx, keyURL); err != nil {
		var pe *psa.Error
		if errors.As(err, &pe) && pe.Class == psa.Permanent {
			// No such key (404) or no key in the answer: nothing can
			// verify this body, so it is not ConnectWise's.
			return fmt.Errorf("%w: %w", psa.ErrBadSignature, err)
		}
		return err
	}
	c.keys.store(keyURL, k)
	if !hmac.Equal(got, calloutMAC(k.mac, body)) {
		return psa.ErrBadSignature
	}
	return nil
}

// calloutMAC is HMAC-SHA256 of body under key.
func calloutMAC(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)
}

// allowFetch counts a fetch against maxKeyFetches; callers hold mu.
func (k *keyCache) allowFetch(now time.Time) bool {
	recent := k.fetches[:0]
	for _, t := range k.fetches {
		if now.Sub(t) < keyRefresh {
			recent = append(recent, t)
		}
	}
	k.fetches = recent
	if len(recent) >= maxKeyFetches {
		return false
	}
	k.fetches = append(k.fetches, now)
	return true
}

// store caches a key, dropping the oldest when full; callers hold mu.
func (k *keyCache) store(keyURL string, ck cachedKey) {
	if k.keys == nil {
		k.keys = make(map[string]cachedKey)
	}
	if _, ok := k.keys[keyURL]; !ok && len(k.keys) >= maxKeys {
		oldest := ""
		for u, e := range k.keys {
			if oldest == "" || e.fetched.Before(k.keys[oldest].fetched) {
				oldest = u
			}
		}
		delete(k.keys, oldest)
	}
	k.keys[keyURL] = ck
}

// fetchKey reads the signing key at keyURL. The call carries no
// credentials (key_url needs none). Its answer is {"signing_key":"…"}, or
// that object as a JSON string: clients disagree on which, so both are
// read.
func (c *Connector) fetchKey(ctx context.Context, keyURL string) (cachedKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, keyURL, nil)
	if err != nil {
		return cachedKey{}, fmt.Errorf("connectwise callback key: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	_, body, err := c.http.Do(ctx, req, "callbackkey.get", true)
	if err != nil {
		return cachedKey{}, c.wrap("callbackkey.get", body, err)
	}
	signing, ok := signingKey(body)
	if !ok {
		return cachedKey{}, &psa.Error{Class: psa.Permanent, Message: "callbackkey.get: answer holds no signing_key"}
	}
	mac := sha256.Sum256([]byte(signing))
	return cachedKey{mac: mac[:], fetched: c.now()}, nil
}

// signingKey reads signing_key from a plain or string-encoded object.
func signingKey(body []byte) (string, bool) {
	var doc struct {
		SigningKey string `json:"signing_key"`
	}
	if err := json.Unmarshal(body, &doc); err == nil && doc.SigningKey != "" {
		return doc.SigningKey, true
	}
	var inner string
	if err := json.Unmarshal(body, &inner); err != nil {
		return "", false
	}
	if err := json.Unmarshal([]byte(inner), &doc); err != nil || doc.SigningKey == "" {
		return "", false
	}
	return doc.SigningKey, true
}
