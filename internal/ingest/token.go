package ingest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
)

// maxTokenLen bounds what is hashed from an Authorization header; real
// tokens are under 60 characters.
const maxTokenLen = 512

// HashToken returns the hex SHA-256 of a bearer token, the form in which
// tokens are stored: a database leak does not leak usable tokens, and
// random 256-bit tokens need no slow password hash.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a fresh random token: prefix followed by 32 random
// bytes in unpadded base64url ("tbs_" for source tokens). The prefix lets
// secret scanners and people tell what a leaked token is for.
func NewToken(prefix string) string {
	b := make([]byte, 32)
	// crypto/rand.Read never returns an error; it crashes the program if
	// the system's randomness is broken, which is the right outcome here.
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header, or "" when there is none. The scheme is matched without regard
// to case, as RFC 9110 asks.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	token = strings.TrimSpace(token)
	if len(token) > maxTokenLen {
		return ""
	}
	return token
}
