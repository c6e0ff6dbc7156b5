package connectwise_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise"
	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// callout is one delivery as the receiver saw it.
type callout struct {
	body []byte
	sig  string
}

// hookReceiver is a loopback webhook endpoint recording deliveries.
type hookReceiver struct {
	url string
	mu  sync.Mutex
	got []callout
}

func newHookReceiver(t *testing.T, header string) *hookReceiver {
	t.Helper()
	rc := &hookReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, callout{body: b, sig: r.Header.Get(header)})
		rc.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/hooks/cw"
	return rc
}

// take waits for the simulator's deliveries in flight and returns what
// arrived since the last take.
func (rc *hookReceiver) take(t *testing.T, sim *connectwisesim.Sim) []callout {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sim.WaitCallouts(ctx)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.got
	rc.got = nil
	return out
}

func TestRegisterTicketWebhookKeepsOneCallback(t *testing.T) {
	t.Parallel()
	sim, srv := newSim(t)
	ctx := context.Background()
	m := sim.Members()[0]
	ours := simConnector(t, srv, sim, m)
	target := "http://127.0.0.1:9/hooks/acme?x=1&y=\"2\""
	first, err := ours.RegisterTicketWebhook(ctx, target, target+"/deactivated", secret.New("unused"))
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	cb := raw(t, srv, sim, m, http.MethodGet, "system/callbacks/"+first, nil, http.StatusOK)
	if field(cb, "url") != target || field(cb, "level") != "Owner" || !strings.EqualFold(field(cb, "type").(string), "ticket") ||
		field(cb, "isSelfSuppressedFlag") != true || field(cb, "inactiveFlag") != false {
		t.Fatalf("registered callback: %v", cb)
	}
	// Someone deactivates it; registering again revives the same one.
	raw(t, srv, sim, m, http.MethodPatch, "system/callbacks/"+first,
		[]map[string]any{{"op": "replace", "path": "inactiveFlag", "value": true}}, http.StatusOK)
	second, err := ours.RegisterTicketWebhook(ctx, target, target+"/deactivated", secret.New("unused"))
	if err != nil || second != first {
		t.Fatalf("register again: id %q, %v; want %q", second, err, first)
	}
	all := raw(t, srv, sim, m, http.MethodGet, "system/callbacks", nil, http.StatusOK).([]any)
	if len(all) != 1 || field(all[0], "inactiveFlag") != false {
		t.Errorf("callbacks after registering twice: %v", all)
	}
	// Another URL is another callback.
	other, err := ours.RegisterTicketWebhook(ctx, target+"&z=3", "", secret.Secret{})
	if err != nil || other == first {
		t.Errorf("other url: id %q, %v; want a new callback", other, err)
	}
	for _, bad := range []string{"", "ftp://x/y", "/relative", "http://" + strings.Repeat("a", 1000)} {
		if _, err := ours.RegisterTicketWebhook(ctx, bad, "", secret.Secret{}); err == nil {
			t.Errorf("register %q: no error", bad)
		}
	}
}

func TestTicketWebhookRoundTrip(t *testing.T) {
	t.Parallel()
	for _, enc := range []struct {
		name          string
		stringEncoded bool
	}{{"plain key_url answer", false}, {"string-encoded key_url answer", true}} {
		t.Run(enc.name, func(t *testing.T) {
			t.Parallel()
			sim := connectwisesim.New(connectwisesim.Options{KeyURLStringEncoded: enc.stringEncoded})
			srv := httptest.NewServer(sim)
			t.Cleanup(func() { srv.Close(); sim.Close() })
			webhookRoundTrip(t, sim, srv)
		})
	}
}

func webhookRoundTrip(t *testing.T, sim *connectwisesim.Sim, srv *httptest.Server) {
	ctx := context.Background()
	ours := simConnector(t, srv, sim, sim.Members()[0])
	tech := simConnector(t, srv, sim, sim.Members()[1])
	rc := newHookReceiver(t, ours.SignatureHeader())
	if _, err := ours.RegisterTicketWebhook(ctx, rc.url, rc.url+"/deactivated", secret.New("ours")); err != nil {
		t.Fatalf("register: %v", err)
	}
	tk, err := ours.CreateTicket(ctx, securityTicket("hook-1"))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got := rc.take(t, sim); len(got) != 0 {
		t.Fatalf("our own create came back as %d callouts; the callback is self-suppressed", len(got))
	}
	inProgress := "12"
	if err := tech.UpdateTicket(ctx, tk.ID, psa.TicketPatch{Status: &inProgress}); err != nil {
		t.Fatalf("technician status change: %v", err)
	}
	got := rc.take(t, sim)
	if len(got) != 1 {
		t.Fatalf("callouts after the technician's change: %d, want 1", len(got))
	}
	key := secret.New("any key: ConnectWise chooses its own")
	ev, err := ours.ParseTicketWebhook(got[0].body, got[0].sig, key)
	if err != nil {
		t.Fatalf("ParseTicketWebhook: %v", err)
	}
	if ev.TicketID != tk.ID || ev.Action != "update" || ev.Status != "12" || ev.PersonID != "jtech" || ev.Sequence <= 0 || ev.At.IsZero() {
		t.Errorf("event = %+v", ev)
	}
	again, err := ours.ParseTicketWebhook(got[0].body, got[0].sig, key)
	if err != nil || again.Sequence != ev.Sequence {
		t.Errorf("redelivery: sequence %d, %v; want %d", again.Sequence, err, ev.Sequence)
	}
	// A second change by the technician gets a new sequence.
	completed := "14"
	if err := tech.UpdateTicket(ctx, tk.ID, psa.TicketPatch{Status: &completed}); err != nil {
		t.Fatalf("technician close: %v", err)
	}
	next := rc.take(t, sim)
	if len(next) != 1 {
		t.Fatalf("callouts after close: %d", len(next))
	}
	ev2, err := ours.ParseTicketWebhook(next[0].body, next[0].sig, key)
	if err != nil || ev2.Status != "14" || ev2.Sequence == ev.Sequence {
		t.Errorf("second event %+v, %v; want status 14 and a new sequence", ev2, err)
	}
	rejected(t, ours, sim, got[0])
}

// rejected checks forged and altered callouts fail with ErrBadSignature.
func rejected(t *testing.T, c *connectwise.Connector, sim *connectwisesim.Sim, good callout) {
	t.Helper()
	resign := func(body []byte, signingKey string) string {
		k := sha256.Sum256([]byte(signingKey))
		m := hmac.New(sha256.New, k[:])
		m.Write(body)
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	altered := bytes.Replace(good.body, []byte(`\"id\":12`), []byte(`\"id\":14`), 1)
	if bytes.Equal(altered, good.body) {
		t.Fatalf("test did not alter the body: %s", good.body)
	}
	foreignKey := bytes.Replace(good.body, []byte(`"key_url":"http://127.0.0.1`), []byte(`"key_url":"http://127.0.0.2`), 1)
	if bytes.Equal(foreignKey, good.body) {
		t.Fatalf("test did not move the key_url: %s", good.body)
	}
	tests := []struct {
		name string
		body []byte
		sig  string
	}{
		{"altered body", altered, good.sig},
		{"wrong signature", good.body, resign(good.body, "not the signing key")},
		{"empty signature", good.body, ""},
		{"signature not base64", good.body, "%%%"},
		{"trailing byte", append(append([]byte{}, good.body...), ' '), good.sig},
		{"key_url on another host", foreignKey, resign(foreignKey, sim.SigningKey())},
		{"not JSON", []byte("hello"), resign([]byte("hello"), sim.SigningKey())},
	}
	for _, tt := range tests {
		if _, err := c.ParseTicketWebhook(tt.body, tt.sig, secret.New("k")); !errors.Is(err, psa.ErrBadSignature) {
			t.Errorf("%s: err %v, want psa.ErrBadSignature", tt.name, err)
		}
	}
}
