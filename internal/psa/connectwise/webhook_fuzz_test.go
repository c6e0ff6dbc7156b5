package connectwise

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

const (
	fuzzSite       = "http://cw.test"
	fuzzKeyURL     = fuzzSite + "/v4_6_release/system/callbackkey/index.rails?id=1"
	fuzzSigningKey = "fuzz-signing-key"
)

// failingTransport refuses every request: the fuzz target must never
// reach the network, and a fetch it tries fails fast.
type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network in fuzzing")
}

// fuzzConnector has the signing key of fuzzKeyURL cached, so callouts
// naming it verify without a fetch.
func fuzzConnector(t testing.TB) *Connector {
	t.Helper()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	c, err := New(Config{
		Site: fuzzSite, Codebase: "v4_6_release", CompanyID: "msptest", PublicKey: "pub",
		PrivateKey: secret.New("priv"), ClientID: secret.New("client"), MaxAttempts: 1,
		HTTPClient: &http.Client{Transport: failingTransport{}}, Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mac := sha256.Sum256([]byte(fuzzSigningKey))
	c.keys.store(fuzzKeyURL, cachedKey{mac: mac[:], fetched: now})
	return c
}

func fuzzSign(body []byte) string {
	k := sha256.Sum256([]byte(fuzzSigningKey))
	m := hmac.New(sha256.New, k[:])
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// fuzzCallout builds a callout body the way ConnectWise sends one.
func fuzzCallout(action string, id any, entity string, keyURL string) []byte {
	b, _ := json.Marshal(map[string]any{
		"MessageId": "m-1", "FromUrl": fuzzSite, "CompanyId": "msptest", "MemberId": "jtech",
		"Action": action, "Type": "ticket", "ID": id, "Entity": entity,
		"Metadata": map[string]string{"key_url": keyURL},
	})
	return b
}

func TestParseTicketWebhookDecoding(t *testing.T) {
	t.Parallel()
	c := fuzzConnector(t)
	entity := `{"id":1001,"status":{"id":14,"name":"Completed"},"_info":{"lastUpdated":"2026-03-10T09:00:05Z"}}`
	at := time.Date(2026, 3, 10, 9, 0, 5, 0, time.UTC)
	tests := []struct {
		name       string
		body       []byte
		wantErr    bool
		wantAction string
		wantStatus string
	}{
		{name: "updated", body: fuzzCallout("updated", 1001, entity, fuzzKeyURL), wantAction: "update", wantStatus: "14"},
		{name: "added, ID as string", body: fuzzCallout("Added", "1001", entity, fuzzKeyURL), wantAction: "create", wantStatus: "14"},
		{name: "deleted", body: fuzzCallout("deleted", 1001, entity, fuzzKeyURL), wantAction: "delete", wantStatus: "14"},
		{name: "unknown action", body: fuzzCallout("merged", 1001, entity, fuzzKeyURL), wantErr: true},
		{name: "ID and entity disagree", body: fuzzCallout("updated", 1002, entity, fuzzKeyURL), wantErr: true},
		{name: "entity not JSON", body: fuzzCallout("updated", 1001, "{", fuzzKeyURL), wantErr: true},
		{name: "no ID", body: fuzzCallout("updated", nil, entity, fuzzKeyURL), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := c.ParseTicketWebhook(tt.body, fuzzSign(tt.body), secret.Secret{})
			if tt.wantErr {
				if err == nil || errors.Is(err, psa.ErrBadSignature) {
					t.Fatalf("err %v, want a decoding error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTicketWebhook: %v", err)
			}
			if ev.TicketID != "1001" || ev.Action != tt.wantAction || ev.Status != tt.wantStatus || !ev.At.Equal(at) ||
				ev.PersonID != "jtech" || ev.Sequence/1e9 != at.Unix() {
				t.Errorf("event %+v", ev)
			}
		})
	}
}

func TestTrustedKeyURL(t *testing.T) {
	t.Parallel()
	c := fuzzConnector(t)
	tests := []struct {
		raw  string
		want bool
	}{
		{fuzzKeyURL, true},
		{"http://CW.test/v2025_1/system/callbackkey/index.rails?id=7", true},
		{"https://cw.test/v4_6_release/system/callbackkey/index.rails?id=1", false},
		{"http://evil.test/v4_6_release/system/callbackkey/index.rails?id=1", false},
		{"http://user@cw.test/v4_6_release/system/callbackkey/index.rails?id=1", false},
		{"http://cw.test/v4_6_release/apis/3.0/system/info", false},
		{"/v4_6_release/system/callbackkey/index.rails?id=1", false},
		{"", false},
	}
	for _, tt := range tests {
		if _, got := c.trustedKeyURL(tt.raw); got != tt.want {
			t.Errorf("trustedKeyURL(%q) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

func FuzzParseTicketWebhook(f *testing.F) {
	entity := `{"id":1001,"status":{"id":12},"_info":{"lastUpdated":"2026-03-10T09:00:05Z"}}`
	for _, body := range [][]byte{
		fuzzCallout("updated", 1001, entity, fuzzKeyURL),
		fuzzCallout("added", "1001", entity, fuzzKeyURL),
		fuzzCallout("deleted", 1001, "", fuzzKeyURL),
		fuzzCallout("updated", 1001, entity, "http://evil.test/v4_6_release/system/callbackkey/index.rails?id=1"),
		fuzzCallout("updated", -5, `{"id":-5}`, fuzzKeyURL),
		[]byte(`{}`),
		[]byte(`null`),
	} {
		f.Add(body, fuzzSign(body))
		f.Add(body, "")
	}
	c := fuzzConnector(f)
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		ev, err := c.ParseTicketWebhook(body, sig, secret.Secret{})
		if err != nil {
			return
		}
		// Only the cached key can verify (fetches fail), so success means
		// the signature is the MAC of exactly these bytes.
		if sig != fuzzSign(body) {
			got, _ := base64.StdEncoding.DecodeString(sig)
			want, _ := base64.StdEncoding.DecodeString(fuzzSign(body))
			if !hmac.Equal(got, want) {
				t.Fatalf("accepted a signature that is not the body's MAC")
			}
		}
		if n, err := strconv.ParseInt(ev.TicketID, 10, 64); err != nil || n <= 0 {
			t.Fatalf("accepted ticket id %q", ev.TicketID)
		}
		switch ev.Action {
		case "create", "update", "delete":
		default:
			t.Fatalf("accepted action %q", ev.Action)
		}
	})
}
