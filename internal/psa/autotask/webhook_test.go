package autotask_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask"
	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// callout is what a receiver got.
type callout struct {
	body []byte
	sig  string
}

func receiver(t *testing.T) (string, chan callout) {
	t.Helper()
	got := make(chan callout, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- callout{body: b, sig: r.Header.Get("X-Hook-Signature")}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/webhooks/autotask", got
}

func next(t *testing.T, ch chan callout) callout {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(10 * time.Second): // only stops a broken test
		t.Fatal("no callout arrived")
		return callout{}
	}
}

func sign(key string, body []byte) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write(body)
	return "sha1=" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestWebhookRoundTrip(t *testing.T) {
	t.Parallel()
	clk := newClock()
	env := newEnv(t, autotasksim.Options{Now: clk.Now, WebhookRetryDelay: time.Millisecond})
	url, got := receiver(t)
	key := secret.New("first-key-0123456789")
	id, err := env.api.RegisterTicketWebhook(t.Context(), url, url+"/deactivated", key)
	if err != nil {
		t.Fatal(err)
	}
	if env.api.SignatureHeader() != "X-Hook-Signature" {
		t.Errorf("SignatureHeader = %q", env.api.SignatureHeader())
	}
	tk := env.ticket(t, "watched")
	mustDo(t, env.api.UpdateTicket(t.Context(), tk.ID, status("8"))) // ours: excluded
	mustDo(t, env.tech.UpdateTicket(t.Context(), tk.ID, status("5")))
	c := next(t, got)
	ev, err := env.api.ParseTicketWebhook(c.body, c.sig, key)
	if err != nil {
		t.Fatalf("ParseTicketWebhook: %v (body %s)", err, c.body)
	}
	want := psa.WebhookEvent{
		TicketID: tk.ID, Action: "update", Status: "5", Sequence: 1, At: clk.Now(),
		PersonID: strconv.Itoa(env.sim.Users()[1].ResourceID),
	}
	if diff := cmp.Diff(want, ev); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}
	altered := []byte(strings.Replace(string(c.body), `"Status":5`, `"Status":1`, 1))
	for name, call := range map[string]func() error{
		"altered body": func() error { _, err := env.api.ParseTicketWebhook(altered, c.sig, key); return err },
		"wrong key": func() error {
			_, err := env.api.ParseTicketWebhook(c.body, c.sig, secret.New("another-key"))
			return err
		},
	} {
		if err := call(); !errors.Is(err, psa.ErrBadSignature) {
			t.Errorf("%s: err = %v, want ErrBadSignature", name, err)
		}
	}

	// Registering again updates the same webhook with the new key.
	newKey := secret.New("second-key-0123456789")
	again, err := env.api.RegisterTicketWebhook(t.Context(), url, url+"/deactivated", newKey)
	if err != nil || again != id {
		t.Fatalf("second registration = %q, %v; want the same id %q", again, err, id)
	}
	for path, want := range map[string]float64{"TicketWebhooks": 1, "TicketWebhookFields": 1, "TicketWebhookExcludedResources": 1} {
		n := env.raw(t, env.sim.Users()[0], http.MethodPost, path+"/query/count",
			map[string]any{"filter": []any{map[string]any{"op": "gte", "field": "id", "value": 0}}})["queryCount"]
		if n != want {
			t.Errorf("%s rows = %v, want %v", path, n, want)
		}
	}
	mustDo(t, env.tech.UpdateTicket(t.Context(), tk.ID, status("8")))
	c = next(t, got)
	if _, err := env.api.ParseTicketWebhook(c.body, c.sig, key); !errors.Is(err, psa.ErrBadSignature) {
		t.Errorf("old key still verifies: %v", err)
	}
	if ev, err := env.api.ParseTicketWebhook(c.body, c.sig, newKey); err != nil || ev.Status != "8" || ev.Sequence != 2 {
		t.Errorf("after re-registration: %+v, %v; want status 8, sequence 2", ev, err)
	}
}

func TestRegisterTicketWebhookValidates(t *testing.T) {
	t.Parallel()
	env := newEnv(t, autotasksim.Options{})
	good := "https://tb.example/webhooks/autotask"
	tests := []struct {
		name             string
		url, deactivated string
		key              secret.Secret
		want             string
	}{
		{"relative url", "/hook", good, secret.New("k"), "webhook url"},
		{"no deactivation url", good, "", secret.New("k"), "deactivation url"},
		{"no key", good, good, secret.Secret{}, "webhook key"},
		{"key too long", good, good, secret.New(strings.Repeat("k", 65)), "webhook key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.api.RegisterTicketWebhook(t.Context(), tt.url, tt.deactivated, tt.key)
			if psa.ClassOf(err) != psa.Permanent || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want permanent mentioning %q", err, tt.want)
			}
		})
	}
}

func TestParseTicketWebhook(t *testing.T) {
	t.Parallel()
	const key = "k3y"
	body := func(action, fields, eventTime string) string {
		return `{"Action":"` + action + `","Guid":"g","EntityType":"Ticket","Id":1234,"Fields":{` + fields +
			`},"EventTime":"` + eventTime + `","SequenceNumber":17,"PersonID":29682886}`
	}
	at := time.Date(2026, 11, 21, 10, 15, 0, 123e6, time.UTC)
	base := psa.WebhookEvent{TicketID: "1234", Action: "update", Status: "5", Sequence: 17, At: at, PersonID: "29682886"}
	with := func(f func(*psa.WebhookEvent)) psa.WebhookEvent { e := base; f(&e); return e }
	// escaped is what Autotask signs; a proxy re-encoding JSON would
	// deliver the plain form.
	escaped := body("Update", `"Status":5,"Title":"a\u003Cb\u0026c \u00E9"`, "2026-11-21T10:15:00.123")
	plain := body("Update", `"Status":5,"Title":"a<b&c é"`, "2026-11-21T10:15:00.123")
	tests := []struct {
		name    string
		body    string
		sig     string // "" means sign body with key
		want    psa.WebhookEvent
		wantErr string // "bad" for ErrBadSignature
	}{
		{name: "numeric status", body: body("Update", `"Status":5`, "2026-11-21T10:15:00.123"), want: base},
		{name: "string status, zoned time", body: body("Update", `"status":"5"`, "2026-11-21T11:15:00.123+01:00"), want: base},
		{name: "no status field", body: body("Update", `"Title":"x"`, "2026-11-21T10:15:00.123"),
			want: with(func(e *psa.WebhookEvent) { e.Status = "" })},
		{name: "unknown time format", body: body("Create", `"Status":5`, "Saturday"),
			want: with(func(e *psa.WebhookEvent) { e.At, e.Action = time.Time{}, "create" })},
		{name: "deactivated names no ticket", body: body("Deactivated", ``, "2026-11-21T10:15:00.123"),
			want: with(func(e *psa.WebhookEvent) { e.TicketID, e.Status, e.Action = "", "", "deactivated" })},
		{name: "upper-case prefix", body: escaped, sig: strings.Replace(sign(key, []byte(escaped)), "sha1=", "SHA1=", 1), want: base},
		{name: "re-encoded in transit", body: plain, sig: sign(key, []byte(escaped)), want: base},
		{name: "other prefix", body: escaped, sig: "sha256=" + strings.TrimPrefix(sign(key, []byte(escaped)), "sha1="), wantErr: "bad"},
		{name: "no signature", body: escaped, sig: " ", wantErr: "bad"},
		{name: "bad base64", body: escaped, sig: "sha1=!!!", wantErr: "bad"},
		{name: "signature of other content", body: plain, sig: sign(key, []byte(strings.Replace(escaped, "5", "1", 1))), wantErr: "bad"},
		{name: "not a ticket", body: strings.Replace(escaped, "Ticket", "Account", 1), wantErr: "not a ticket"},
		{name: "bad sequence", body: strings.Replace(escaped, `17`, `"x"`, 1), wantErr: "sequence"},
		{name: "status object", body: body("Update", `"Status":{"v":1}`, ""), wantErr: "status"},
		{name: "not JSON", body: `Status=5`, wantErr: "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sig := tt.sig
			if sig == "" {
				sig = sign(key, []byte(tt.body))
			}
			got, err := autotask.ParseTicketWebhook([]byte(tt.body), sig, secret.New(key))
			switch {
			case tt.wantErr == "bad":
				if !errors.Is(err, psa.ErrBadSignature) {
					t.Fatalf("err = %v, want ErrBadSignature", err)
				}
			case tt.wantErr != "":
				if err == nil || errors.Is(err, psa.ErrBadSignature) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a decode error mentioning %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("err = %v", err)
			default:
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("event (-want +got):\n%s", diff)
				}
			}
		})
	}
	if _, err := autotask.ParseTicketWebhook([]byte(escaped), sign("", []byte(escaped)), secret.Secret{}); !errors.Is(err, psa.ErrBadSignature) {
		t.Errorf("empty key: err = %v, want ErrBadSignature", err)
	}
}

// FuzzParseTicketWebhook: parsing never panics, and a body signed with the
// key either parses or fails for a reason other than its signature.
func FuzzParseTicketWebhook(f *testing.F) {
	f.Add([]byte(`{"Action":"Update","EntityType":"Ticket","Id":1,"Fields":{"Status":5},"SequenceNumber":1}`), "key")
	f.Add([]byte(`{"Action":"Deactivated","Guid":"g"}`), "k")
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		if key == "" {
			return
		}
		k := secret.New(key)
		ev, err := autotask.ParseTicketWebhook(body, sign(key, body), k)
		if errors.Is(err, psa.ErrBadSignature) {
			t.Fatalf("a correctly signed body was refused as forged: %q", body)
		}
		if err == nil && ev.Action == "" {
			t.Fatalf("parsed an event without an action: %q", body)
		}
		if _, err := autotask.ParseTicketWebhook(body, sign(key+"x", body), k); !errors.Is(err, psa.ErrBadSignature) {
			t.Fatalf("a body signed with another key was accepted: %q", body)
		}
	})
}

// TestLargeCalloutVerifiesOnlyAsSent: past the re-encoding bound a body
// must verify as it was sent; its re-encoded form is not tried.
func TestLargeCalloutVerifiesOnlyAsSent(t *testing.T) {
	t.Parallel()
	const key = "k3y"
	pad := strings.Repeat("x", 70<<10)
	escaped := `{"Action":"Update","EntityType":"Ticket","Id":1,"Fields":{"Status":5,"Title":"a\u003Cb ` + pad + `"},"SequenceNumber":1}`
	plain := strings.Replace(escaped, `\u003C`, "<", 1)
	if _, err := autotask.ParseTicketWebhook([]byte(escaped), sign(key, []byte(escaped)), secret.New(key)); err != nil {
		t.Errorf("large callout as sent: %v", err)
	}
	if _, err := autotask.ParseTicketWebhook([]byte(plain), sign(key, []byte(escaped)), secret.New(key)); !errors.Is(err, psa.ErrBadSignature) {
		t.Errorf("large callout re-encoded in transit: err = %v, want ErrBadSignature", err)
	}
}

// BenchmarkParseTicketWebhookBadSignature: a 1 MiB body with a signature
// of the right form that does not match costs one HMAC over it.
func BenchmarkParseTicketWebhookBadSignature(b *testing.B) {
	body := []byte(`{"Action":"Update","EntityType":"Ticket","Id":1,"Fields":{"Title":"` + strings.Repeat("é", 1<<19) + `"},"SequenceNumber":1}`)
	sig := sign("other", body)
	k := secret.New("k3y")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := autotask.ParseTicketWebhook(body, sig, k); !errors.Is(err, psa.ErrBadSignature) {
			b.Fatal(err)
		}
	}
}
