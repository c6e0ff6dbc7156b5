package source

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SvixTolerance is how far a signed timestamp may be from now: a captured
// delivery replayed later than this is refused.
const SvixTolerance = 5 * time.Minute

// Signature check errors; callers answer 401 for all of them and log the
// reason, never the secret.
var (
	ErrSignatureMissing = errors.New("signature headers missing")
	ErrSignatureStale   = errors.New("signature timestamp outside the replay window")
	ErrSignatureInvalid = errors.New("signature does not match")
	ErrSecretInvalid    = errors.New("signing secret is not whsec_<base64>")
)

// VerifySvix checks a Svix / Standard Webhooks signature (Huntress signs
// its webhooks this way): HMAC-SHA256 over "<id>.<timestamp>.<body>" with
// the secret after its "whsec_" prefix, base64-decoded, compared with each
// "v1,<base64>" entry of the signature header. The headers may carry the
// "svix-" or the "webhook-" prefix.
func VerifySvix(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return ErrSecretInvalid
	}
	id, ts, sigs := svixHeaders(h)
	if id == "" || ts == "" || sigs == "" {
		return ErrSignatureMissing
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not Unix seconds", ErrSignatureMissing, ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > SvixTolerance || d < -SvixTolerance {
		return ErrSignatureStale
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrSignatureInvalid
}

// SignSvix returns the signature header value of a body, as a Svix sender
// computes it; tests and `ticketbridge send` use it.
func SignSvix(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return "", ErrSecretInvalid
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

func svixHeaders(h http.Header) (id, ts, sigs string) {
	for _, p := range []string{"Svix-", "Webhook-"} {
		if id = h.Get(p + "Id"); id != "" {
			return id, h.Get(p + "Timestamp"), h.Get(p + "Signature")
		}
	}
	return "", "", ""
}
