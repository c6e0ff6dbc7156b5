package psatest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/secret"
)

// calloutWait bounds the wait for one callout. It only stops a broken
// test; a working simulator calls out in milliseconds.
const calloutWait = 10 * time.Second

// callout is one POST the receiver got.
type callout struct {
	body []byte
	sig  string
}

// receiver is a loopback endpoint the PSA calls out to.
type receiver struct {
	url string
	got chan callout
}

func newReceiver(t *testing.T, header string) *receiver {
	t.Helper()
	rc := &receiver{got: make(chan callout, 256)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		select {
		case rc.got <- callout{body: b, sig: r.Header.Get(header)}:
		default: // a flood is a failure the counts will show
		}
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/webhooks/psatest"
	return rc
}

// webhookCase carries the state the TicketWebhooks steps share.
type webhookCase struct {
	s     *suite
	hooks psa.TicketWebhooks
	rc    *receiver
	key   secret.Secret // the key registered last
	id    string        // the webhook's PSA id
	first callout       // the callout of the technician's first change
	event psa.WebhookEvent
	tk    psa.Ticket
}

// testTicketWebhooks registers a receiver, has a technician change a
// ticket, and checks the callout that arrives: genuine signatures verify,
// tampered bodies and other keys do not, and registering the same URL
// again keeps one webhook.
func (s *suite) testTicketWebhooks(t *testing.T) {
	hooks := as[psa.TicketWebhooks](t, s, TicketWebhooks)
	if hooks.SignatureHeader() == "" {
		t.Fatal("SignatureHeader is empty")
	}
	w := &webhookCase{s: s, hooks: hooks, rc: newReceiver(t, hooks.SignatureHeader()), key: secret.New("psatest-key-one-" + uniqueRef(t))}
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"register", w.register},
		{"technician change calls out", w.technicianChange},
		{"callout signed as the PSA signs", w.signedAsPSA},
		{"tampered body", w.tampered},
		{"signed with another key", w.otherKey},
		{"verified with another key", w.otherKeyGiven},
		{"register again", w.registerAgain},
	}
	for _, st := range steps {
		if !t.Run(st.name, st.run) {
			return // later steps build on this one
		}
	}
}

func (w *webhookCase) register(t *testing.T) {
	id, err := w.hooks.RegisterTicketWebhook(w.s.ctx, w.rc.url, w.rc.url+"/deactivated", w.key)
	if err != nil || id == "" {
		t.Fatalf("RegisterTicketWebhook = %q, %v; want an id", id, err)
	}
	w.id = id
}

// technicianChange has a technician set a status and parses the callout.
func (w *webhookCase) technicianChange(t *testing.T) {
	_, w.tk = w.s.newTicket(t)
	if err := w.s.f.TechnicianStatus(w.s.ctx, w.tk.ID, w.s.f.UpdateStatus); err != nil {
		t.Fatalf("TechnicianStatus: %v", err)
	}
	w.first, w.event = w.nextFor(t, w.tk.ID, w.key)
	ev := w.event
	if ev.Action != "update" || ev.Status != w.s.f.UpdateStatus || ev.PersonID == "" || ev.At.IsZero() {
		t.Errorf("event = %+v; want an update to status %s, with the person and time of the change", ev, w.s.f.UpdateStatus)
	}
	again, err := w.hooks.ParseTicketWebhook(w.first.body, w.first.sig, w.key)
	if err != nil || again != ev {
		t.Errorf("parsing the same callout again = %+v, %v; want %+v, so a redelivery deduplicates", again, err, ev)
	}
}

// signedAsPSA checks the fixture's Sign against a real callout, so the
// other-key step below cannot pass on a Sign that makes garbage.
func (w *webhookCase) signedAsPSA(t *testing.T) {
	key := w.psaKey()
	if got := w.s.f.Webhook.Sign(w.first.body, key); got != w.first.sig {
		t.Fatalf("Webhook.Sign(body, the PSA's key) = %q, but the callout carried %q", got, w.first.sig)
	}
}

// ticketIDIn matches a ticket id standing alone in a callout body.
func ticketIDIn(id string) *regexp.Regexp {
	return regexp.MustCompile(`(^|[^0-9A-Za-z])` + regexp.QuoteMeta(id) + `([^0-9A-Za-z]|$)`)
}

// tampered changes the last character of the ticket id in the body,
// which leaves it valid JSON of another ticket.
func (w *webhookCase) tampered(t *testing.T) {
	loc := ticketIDIn(w.tk.ID).FindSubmatchIndex(w.first.body)
	if loc == nil {
		t.Fatalf("ticket id %s not found in the callout %s", w.tk.ID, w.first.body)
	}
	body := append([]byte(nil), w.first.body...)
	end := loc[4] // the id ends where the character after it starts
	body[end-1] = otherChar(body[end-1])
	w.refused(t, body, w.first.sig, w.key)
}

// otherChar returns a character of the same kind as b, but not b.
func otherChar(b byte) byte {
	if b >= '0' && b <= '9' {
		return '0' + (b-'0'+1)%10
	}
	if b == 'a' {
		return 'b'
	}
	return 'a'
}

// otherKey signs the genuine body with a key the PSA does not use.
func (w *webhookCase) otherKey(t *testing.T) {
	w.refused(t, w.first.body, w.s.f.Webhook.Sign(w.first.body, "not-the-key-"+w.psaKey()), w.key)
}

// otherKeyGiven verifies a genuine callout with a key other than the
// registered one; meaningless when the PSA signs with its own key.
func (w *webhookCase) otherKeyGiven(t *testing.T) {
	if w.s.f.Webhook.PSAKey != "" {
		t.Skip("the PSA signs with its own key; the key given to ParseTicketWebhook is unused")
	}
	w.refused(t, w.first.body, w.first.sig, secret.New("another-key-"+uniqueRef(t)))
}

func (w *webhookCase) refused(t *testing.T, body []byte, sig string, key secret.Secret) {
	t.Helper()
	if ev, err := w.hooks.ParseTicketWebhook(body, sig, key); !errors.Is(err, psa.ErrBadSignature) {
		t.Errorf("ParseTicketWebhook = %+v, %v; want ErrBadSignature", ev, err)
	}
}

// registerAgain registers the same URL with a new key: the same webhook
// is updated, so the next change calls out once, signed with the new key.
func (w *webhookCase) registerAgain(t *testing.T) {
	old := w.key
	w.key = secret.New("psatest-key-two-" + uniqueRef(t))
	id, err := w.hooks.RegisterTicketWebhook(w.s.ctx, w.rc.url, w.rc.url+"/deactivated", w.key)
	if err != nil || id != w.id {
		t.Fatalf("registering %s again = %q, %v; want the same webhook %q", w.rc.url, id, err, w.id)
	}
	// A second apart, so PSAs that sequence by the second order the events.
	w.s.f.AdvanceClock(2 * time.Second)
	if err := w.s.f.CloseTicket(w.s.ctx, w.tk.ID); err != nil {
		t.Fatalf("CloseTicket: %v", err)
	}
	closed, err := w.s.f.Connector.Ticket(w.s.ctx, w.tk.ID)
	if err != nil {
		t.Fatalf("Ticket: %v", err)
	}
	got := w.drain(t, w.tk.ID)
	if len(got) != 1 {
		t.Fatalf("the technician's change after registering twice called out %d times, want once", len(got))
	}
	ev, err := w.hooks.ParseTicketWebhook(got[0].body, got[0].sig, w.key)
	if err != nil {
		t.Fatalf("ParseTicketWebhook with the new key: %v", err)
	}
	if ev.Status != closed.Status || ev.Sequence <= w.event.Sequence || !ev.At.After(w.event.At) || ev.PersonID != w.event.PersonID {
		t.Errorf("event after closing = %+v; want status %s, by %s, later in sequence and time than %+v", ev, closed.Status, w.event.PersonID, w.event)
	}
	if w.s.f.Webhook.PSAKey == "" {
		if _, err := w.hooks.ParseTicketWebhook(got[0].body, got[0].sig, old); !errors.Is(err, psa.ErrBadSignature) {
			t.Errorf("the key registered first still verifies after registering a new one: %v", err)
		}
	}
}

// psaKey is the key callouts are signed with.
func (w *webhookCase) psaKey() string {
	if k := w.s.f.Webhook.PSAKey; k != "" {
		return k
	}
	return w.key.Reveal()
}

// nextFor waits for the next callout about ticket id and parses it;
// callouts about other tickets (technicians at work elsewhere) are
// dropped.
func (w *webhookCase) nextFor(t *testing.T, id string, key secret.Secret) (callout, psa.WebhookEvent) {
	t.Helper()
	deadline := time.NewTimer(calloutWait)
	defer deadline.Stop()
	for {
		select {
		case c := <-w.rc.got:
			ev, err := w.hooks.ParseTicketWebhook(c.body, c.sig, key)
			if err != nil {
				t.Fatalf("ParseTicketWebhook of a callout the simulator signed: %v (body %s)", err, c.body)
			}
			if ev.TicketID == id {
				return c, ev
			}
		case <-deadline.C:
			t.Fatalf("no callout about ticket %s within %s", id, calloutWait)
			return callout{}, psa.WebhookEvent{}
		}
	}
}

// drain returns every callout about ticket id that one change produced.
// It waits for the simulator to settle, then has a technician change a
// marker ticket and collects until the marker's callout: with Settle
// nothing is in flight by then, and without it the simulator delivers in
// order, so nothing about id can follow the marker's callout.
func (w *webhookCase) drain(t *testing.T, id string) []callout {
	t.Helper()
	if w.s.f.Webhook.Settle != nil {
		ctx, cancel := context.WithTimeout(w.s.ctx, calloutWait)
		w.s.f.Webhook.Settle(ctx)
		cancel()
	}
	_, marker := w.s.newTicket(t)
	if err := w.s.f.TechnicianStatus(w.s.ctx, marker.ID, w.s.f.UpdateStatus); err != nil {
		t.Fatalf("TechnicianStatus on the marker ticket: %v", err)
	}
	var out []callout
	deadline := time.NewTimer(calloutWait)
	defer deadline.Stop()
	for {
		select {
		case c := <-w.rc.got:
			ev, err := w.hooks.ParseTicketWebhook(c.body, c.sig, w.key)
			if err != nil {
				t.Fatalf("ParseTicketWebhook of a callout the simulator signed: %v (body %s)", err, c.body)
			}
			switch ev.TicketID {
			case marker.ID:
				return out
			case id:
				out = append(out, c)
			}
		case <-deadline.C:
			t.Fatalf("no callout about the marker ticket %s within %s", marker.ID, calloutWait)
			return nil
		}
	}
}
