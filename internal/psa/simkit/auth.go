package simkit

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// EqualSecret compares a presented credential with the expected one in
// constant time, so a simulator exposed on a network does not teach a
// timing attack by example.
func EqualSecret(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// BasicAuth decodes an Authorization: Basic header, splitting at the
// first colon. Unlike http.Request.BasicAuth it ignores space around the
// encoded part, which PSAs accept.
func BasicAuth(r *http.Request) (user, pass string, ok bool) {
	raw, ok := scheme(r, "basic")
	if !ok {
		return "", "", false
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(b), ":")
}

// BearerToken returns the token of an Authorization: Bearer header
// (HaloPSA, SuperOps, Syncro, ServiceNow OAuth), or false when there is
// none.
func BearerToken(r *http.Request) (string, bool) {
	tok, ok := scheme(r, "bearer")
	return tok, ok && tok != ""
}

// scheme returns the Authorization header's credentials after name and a
// space (name matched case-insensitively), trimmed.
func scheme(r *http.Request, name string) (string, bool) {
	auth := r.Header.Get("Authorization")
	prefix := name + " "
	if len(auth) < len(prefix) || !strings.EqualFold(auth[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(auth[len(prefix):]), true
}
