package source

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Signature schemes a source may require.
const (
	// SignatureSvix is the Svix / Standard Webhooks scheme (Huntress).
	SignatureSvix = "svix"
	// SignatureHMAC is an HMAC-SHA256 of the raw body in a header, hex
	// (default) or base64, after an optional prefix such as "sha256=".
	SignatureHMAC = "hmac-sha256"
	// SignatureHeader is a shared secret sent as is in a header (the
	// static custom header TrendAI Vision One webhooks can send).
	SignatureHeader = "header"
)

// Signature is how a source's requests are signed. The secret arrives
// through the API as Secret and is stored only as SecretEncrypted (sealed
// by the keyring); neither is ever listed back.
type Signature struct {
	Scheme          string `json:"scheme"`
	Secret          string `json:"secret,omitempty"`
	SecretEncrypted string `json:"secret_encrypted,omitempty"`
	// Header names the header of the hmac-sha256 and header schemes.
	Header string `json:"header,omitempty"`
	// Prefix starts the hmac-sha256 header's value ("sha256=").
	Prefix string `json:"prefix,omitempty"`
	// Encoding of the hmac-sha256 digest: hex (default) or base64.
	Encoding string `json:"encoding,omitempty"`
}

// check names what is wrong with a signature setting.
func (s *Signature) check() error {
	if s.Secret == "" && s.SecretEncrypted == "" {
		return fmt.Errorf("%w: signature.secret: required", ErrInvalidMapping)
	}
	switch s.Scheme {
	case SignatureSvix:
		if s.Secret != "" {
			if _, err := SignSvix(s.Secret, "probe", time.Unix(0, 0), nil); err != nil {
				return fmt.Errorf("%w: signature.secret: %w", ErrInvalidMapping, err)
			}
		}
	case SignatureHMAC, SignatureHeader:
		if s.Header == "" {
			return fmt.Errorf("%w: signature.header: required for %s", ErrInvalidMapping, s.Scheme)
		}
		if s.Encoding != "" && s.Encoding != "hex" && s.Encoding != "base64" {
			return fmt.Errorf("%w: signature.encoding %q: hex or base64", ErrInvalidMapping, s.Encoding)
		}
	default:
		return fmt.Errorf("%w: signature.scheme %q: one of %s, %s, %s", ErrInvalidMapping, s.Scheme, SignatureSvix, SignatureHMAC, SignatureHeader)
	}
	return nil
}

// Verify checks a request's signature with the opened secret.
func (s *Signature) Verify(secret string, h http.Header, body []byte, now time.Time) error {
	switch s.Scheme {
	case SignatureSvix:
		return VerifySvix(secret, h, body, now)
	case SignatureHMAC:
		return verifyHMAC(secret, s, h.Get(s.Header), body)
	case SignatureHeader:
		got := h.Get(s.Header)
		if got == "" {
			return ErrSignatureMissing
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			return ErrSignatureInvalid
		}
		return nil
	}
	return fmt.Errorf("%w: scheme %q", ErrSignatureInvalid, s.Scheme)
}

func verifyHMAC(secret string, s *Signature, value string, body []byte) error {
	if value == "" {
		return ErrSignatureMissing
	}
	value = strings.TrimPrefix(strings.TrimSpace(value), s.Prefix)
	var got []byte
	var err error
	if s.Encoding == "base64" {
		got, err = base64.StdEncoding.DecodeString(value)
	} else {
		got, err = hex.DecodeString(value)
	}
	if err != nil {
		return ErrSignatureInvalid
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrSignatureInvalid
	}
	return nil
}
