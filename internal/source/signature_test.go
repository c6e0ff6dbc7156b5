package source

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestSignatureSchemes(t *testing.T) {
	t.Parallel()
	body := []byte(`{"events":[]}`)
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write(body)
	sum := mac.Sum(nil)
	hdr := func(k, v string) http.Header { h := http.Header{}; h.Set(k, v); return h }
	hmacHex := &Signature{Scheme: SignatureHMAC, Header: "X-Signature", Prefix: "sha256="}
	hmacB64 := &Signature{Scheme: SignatureHMAC, Header: "X-Sig", Encoding: "base64"}
	shared := &Signature{Scheme: SignatureHeader, Header: "X-TB-Secret"}
	tests := []struct {
		name string
		sig  *Signature
		h    http.Header
		body []byte
		want error
	}{
		{"hmac hex", hmacHex, hdr("X-Signature", "sha256="+hex.EncodeToString(sum)), body, nil},
		{"hmac hex, other body", hmacHex, hdr("X-Signature", "sha256="+hex.EncodeToString(sum)), []byte(`{}`), ErrSignatureInvalid},
		{"hmac hex, missing", hmacHex, http.Header{}, body, ErrSignatureMissing},
		{"hmac hex, garbage", hmacHex, hdr("X-Signature", "sha256=zz"), body, ErrSignatureInvalid},
		{"hmac base64", hmacB64, hdr("X-Sig", base64.StdEncoding.EncodeToString(sum)), body, nil},
		{"shared header", shared, hdr("X-TB-Secret", "s3cret"), body, nil},
		{"shared header, wrong", shared, hdr("X-TB-Secret", "s3cre"), body, ErrSignatureInvalid},
		{"shared header, missing", shared, http.Header{}, body, ErrSignatureMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.sig.Verify("s3cret", tt.h, tt.body, time.Now()); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	for _, bad := range []*Signature{
		{Scheme: SignatureHMAC, Secret: "x"},
		{Scheme: SignatureHeader, Secret: "x"},
		{Scheme: SignatureHMAC, Secret: "x", Header: "X-S", Encoding: "base32"},
		{Scheme: "rsa", Secret: "x"},
		{Scheme: SignatureHeader, Header: "X-S"},
	} {
		if err := bad.check(); !errors.Is(err, ErrInvalidMapping) {
			t.Errorf("check(%+v) = %v, want ErrInvalidMapping", bad, err)
		}
	}
}
