package source

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestVerifySvix(t *testing.T) {
	t.Parallel()
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"type":"incident_report.sent","data":{"id":1}}`)
	at := time.Unix(1_795_000_000, 0)
	good, err := SignSvix(secret, "msg_1", at, body)
	if err != nil {
		t.Fatal(err)
	}
	headers := func(prefix, id, sig string, ts time.Time) http.Header {
		h := http.Header{}
		h.Set(prefix+"Id", id)
		h.Set(prefix+"Timestamp", strconv.FormatInt(ts.Unix(), 10))
		h.Set(prefix+"Signature", sig)
		return h
	}
	tests := []struct {
		name   string
		secret string
		h      http.Header
		body   []byte
		now    time.Time
		want   error
	}{
		{"valid", secret, headers("Svix-", "msg_1", good, at), body, at.Add(time.Minute), nil},
		{"webhook- headers", secret, headers("Webhook-", "msg_1", good, at), body, at, nil},
		{"one of several signatures", secret, headers("Svix-", "msg_1", "v1,AAAA "+good, at), body, at, nil},
		{"body changed", secret, headers("Svix-", "msg_1", good, at), []byte(`{}`), at, ErrSignatureInvalid},
		{"id changed", secret, headers("Svix-", "msg_2", good, at), body, at, ErrSignatureInvalid},
		{"other secret", "whsec_b3RoZXJzZWNyZXQ=", headers("Svix-", "msg_1", good, at), body, at, ErrSignatureInvalid},
		{"replayed late", secret, headers("Svix-", "msg_1", good, at), body, at.Add(SvixTolerance + time.Second), ErrSignatureStale},
		{"from the future", secret, headers("Svix-", "msg_1", good, at), body, at.Add(-SvixTolerance - time.Second), ErrSignatureStale},
		{"no headers", secret, http.Header{}, body, at, ErrSignatureMissing},
		{"bad secret", "whsec_!!", headers("Svix-", "msg_1", good, at), body, at, ErrSecretInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := VerifySvix(tt.secret, tt.h, tt.body, tt.now); !errors.Is(err, tt.want) {
				t.Errorf("VerifySvix = %v, want %v", err, tt.want)
			}
		})
	}
}
