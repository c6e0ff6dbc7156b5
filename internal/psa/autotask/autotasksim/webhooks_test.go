package autotasksim_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

// received is one callout as it reached a receiver.
type received struct {
	body []byte
	sig  string
}

// receiver is a loopback webhook endpoint answering each request with the
// status status(n) gives for the n-th request (1-based).
type receiver struct {
	url string
	got chan received
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	t.Helper()
	r := &receiver{got: make(chan received, 64)}
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		mu.Lock()
		n++
		code := status(n)
		mu.Unlock()
		r.got <- received{body: b, sig: req.Header.Get("X-Hook-Signature")}
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hook"
	return r
}

func always(code int) func(int) int { return func(int) int { return code } }

// next waits for the next callout; the bound only stops a broken test.
func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case got := <-r.got:
		return got
	case <-time.After(10 * time.Second):
		t.Fatal("no callout arrived")
		return received{}
	}
}

// payload is a decoded callout.
type payload struct {
	Action         string
	Guid           string
	EntityType     string
	Id             int
	Fields         map[string]any
	EventTime      string
	SequenceNumber int
	PersonID       int
}

// verify checks the signature independently of the simulator's code and
// decodes the body.
func verify(t *testing.T, got received, key string) payload {
	t.Helper()
	m := hmac.New(sha1.New, []byte(key))
	m.Write(got.body)
	if want := "sha1=" + base64.StdEncoding.EncodeToString(m.Sum(nil)); got.sig != want {
		t.Fatalf("signature %q does not verify over the received bytes (want %q)", got.sig, want)
	}
	var p payload
	if err := json.Unmarshal(got.body, &p); err != nil {
		t.Fatalf("callout body %s: %v", got.body, err)
	}
	return p
}

const hookKey = "s3cr3t-key-for-hmac"

// webhook returns a valid TicketWebhooks body.
func webhook(url, deactivation string) map[string]any {
	return map[string]any{
		"name": "ticketbridge", "webhookUrl": url, "deactivationUrl": deactivation,
		"isActive": true, "secretKey": hookKey, "sendThresholdExceededNotification": false,
		"isSubscribedToUpdateEvents": true,
	}
}

// hookOn registers a webhook on recv with the given field rows ({fieldID,
// subscribed, displayAlways}) and returns its id.
func hookOn(c *client, recv, deact *receiver, create bool, fields ...[3]any) int {
	c.t.Helper()
	body := webhook(recv.url, deact.url)
	body["isSubscribedToCreateEvents"] = create
	id := c.create("TicketWebhooks", body)
	for _, f := range fields {
		c.create("TicketWebhooks/"+itoa(id)+"/Fields", map[string]any{
			"fieldID": f[0], "isSubscribedField": f[1], "isDisplayAlwaysField": f[2],
		})
	}
	return id
}

func fastHooks(opts autotasksim.Options) autotasksim.Options {
	opts.WebhookRetryDelay = time.Millisecond
	return opts
}

func TestWebhookRegistrationValidation(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	with := func(k string, v any) map[string]any {
		b := webhook("https://hooks.example/tb", "https://hooks.example/off")
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	tests := []struct {
		name string
		body any
		want string
	}{
		{"missing name", with("name", nil), "Missing Required Field: name"},
		{"name too long", with("name", strings.Repeat("n", 51)), "name exceeds its maximum length of 50"},
		{"missing webhookUrl", with("webhookUrl", nil), "webhookUrl"},
		{"webhookUrl not http", with("webhookUrl", "ftp://hooks.example/tb"), "webhookUrl must be an absolute http or https URL"},
		{"relative deactivationUrl", with("deactivationUrl", "/off"), "deactivationUrl must be"},
		{"secret too long", with("secretKey", strings.Repeat("k", 65)), "secretKey exceeds its maximum length of 64"},
		{"missing isActive", with("isActive", nil), "Missing Required Field: isActive"},
		{"missing threshold flag", with("sendThresholdExceededNotification", nil), "sendThresholdExceededNotification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.wantError(http.MethodPost, "TicketWebhooks", tt.body, 500, tt.want)
		})
	}
	id := itoa(c.create("TicketWebhooks", with("secretKey", strings.Repeat("k", 64))))
	c.create("TicketWebhooks/"+id+"/Fields", map[string]any{"fieldID": 5, "isSubscribedField": true})
	c.wantError(http.MethodPost, "TicketWebhooks/"+id+"/Fields", map[string]any{"fieldID": 5}, 500, "already on webhook")
	c.wantError(http.MethodPost, "TicketWebhooks/"+id+"/Fields", map[string]any{"fieldID": 999}, 500, "fieldID: 999 is not a valid picklist value")
	c.wantError(http.MethodPost, "TicketWebhooks/"+id+"/ExcludedResources", map[string]any{"resourceID": 424242}, 500, "no Resource with id 424242")
	c.wantError(http.MethodPost, "TicketWebhooks/424242/Fields", map[string]any{"fieldID": 2}, 500, "no TicketWebhook with id 424242")
}

func TestWebhookIsReady(t *testing.T) {
	t.Parallel()
	_, c := start(t, autotasksim.Options{})
	id := itoa(c.create("TicketWebhooks", webhook("https://hooks.example/tb", "https://hooks.example/off")))
	ready := func() any { return c.item("TicketWebhooks/" + id)["isReady"] }
	if got := ready(); got != false {
		t.Fatalf("webhook without fields isReady = %v", got)
	}
	if g, _ := c.item("TicketWebhooks/" + id)["webhookGUID"].(string); len(g) != 36 {
		t.Errorf("webhookGUID = %q, want a GUID", g)
	}
	field := c.create("TicketWebhooks/"+id+"/Fields", map[string]any{"fieldID": 5, "isSubscribedField": true})
	steps := []struct {
		name string
		do   func()
		want bool
	}{
		{"active with a field", func() {}, true},
		{"deactivated", func() { c.call(http.MethodPatch, "TicketWebhooks", map[string]any{"id": id, "isActive": false}, 200) }, false},
		{"reactivated", func() { c.call(http.MethodPatch, "TicketWebhooks", map[string]any{"id": id, "isActive": true}, 200) }, true},
		{"field removed", func() { c.call(http.MethodDelete, "TicketWebhooks/"+id+"/Fields/"+itoa(field), nil, 200) }, false},
	}
	for _, s := range steps {
		s.do()
		if got := ready(); got != s.want {
			t.Errorf("%s: isReady = %v, want %v", s.name, got, s.want)
		}
	}
	picks := c.call(http.MethodGet, "TicketWebhookFields/entityInformation/fields", nil, 200)["fields"].([]any)
	found := false
	for _, f := range picks {
		fm := f.(map[string]any)
		vals, _ := fm["picklistValues"].([]any)
		for _, v := range vals {
			pv := v.(map[string]any)
			found = found || (fm["name"] == "fieldID" && pv["value"] == "5" && pv["label"] == "Status")
		}
	}
	if !found {
		t.Error("TicketWebhookFields metadata does not list fieldID 5 Status")
	}
	c.call(http.MethodDelete, "TicketWebhooks/"+id, nil, 200)
	c.wantError(http.MethodGet, "TicketWebhooks/"+id, nil, 404, id)
	if n := c.call(http.MethodPost, "TicketWebhookFields/query/count", allRows, 200)["queryCount"]; n != 0.0 {
		t.Errorf("deleting the webhook left %v field rows", n)
	}
}

// TestStatusCallout: one status change by the technician yields exactly one
// signed callout; an unsubscribed field and the excluded API user yield
// none. Callouts are delivered in order, so the next one received proves
// nothing came in between.
func TestStatusCallout(t *testing.T) {
	t.Parallel()
	clock := newClock()
	sim, c := start(t, fastHooks(autotasksim.Options{Now: clock.Now}))
	t.Cleanup(sim.Close)
	recv, deact := newReceiver(t, always(200)), newReceiver(t, always(200))
	api, tech := sim.Users()[0], sim.Users()[1]
	hook := itoa(hookOn(c, recv, deact, false, [3]any{5, true, false}, [3]any{31, false, true}))
	c.create("TicketWebhooks/"+hook+"/ExcludedResources", map[string]any{"resourceID": api.ResourceID})
	guid := c.item("TicketWebhooks/" + hook)["webhookGUID"]

	body := ticket("watched")
	body["externalID"] = "tb:1"
	id := c.create("Tickets", body) // create events are off
	techC := c.as(tech)
	techC.call(http.MethodPatch, "Tickets", map[string]any{"id": id, "status": 8}, 200)
	techC.call(http.MethodPatch, "Tickets", map[string]any{"id": id, "title": "renamed"}, 200)
	c.call(http.MethodPatch, "Tickets", map[string]any{"id": id, "status": 7}, 200)
	techC.call(http.MethodPatch, "Tickets", map[string]any{"id": id, "status": 5}, 200)

	first := verify(t, recv.next(t), hookKey)
	want := payload{
		Action: "Update", Guid: guid.(string), EntityType: "Ticket", Id: id,
		Fields:    map[string]any{"Status": 8.0, "ExternalID": "tb:1"},
		EventTime: "2026-11-21T10:15:00.123", SequenceNumber: 1, PersonID: tech.ResourceID,
	}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first callout (-want +got):\n%s", diff)
	}
	second := verify(t, recv.next(t), hookKey)
	if second.Fields["Status"] != 5.0 || second.SequenceNumber != 2 {
		t.Errorf("second callout %+v, want status 5 with sequence 2 (no callout for the title or the excluded user)", second)
	}
}

func TestCalloutRetriedUntilDelivered(t *testing.T) {
	t.Parallel()
	sim, c := start(t, fastHooks(autotasksim.Options{}))
	t.Cleanup(sim.Close)
	recv := newReceiver(t, func(n int) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	hookOn(c, recv, recv, false, [3]any{5, true, false})
	id := c.create("Tickets", ticket("retry"))
	c.as(sim.Users()[1]).call(http.MethodPatch, "Tickets", map[string]any{"id": id, "status": 8}, 200)
	var got []received
	for range 3 {
		got = append(got, recv.next(t))
	}
	for i, g := range got[1:] {
		if string(g.body) != string(got[0].body) || g.sig != got[0].sig {
			t.Errorf("attempt %d differs from the first: %s", i+2, g.body)
		}
	}
	verify(t, got[2], hookKey)
	eventually(t, "stats sent 1 failed 2", func() bool {
		sent, failed := sim.WebhookStats()
		return sent == 1 && failed == 2
	})
}

func TestWebhookDeactivatedAfterFailures(t *testing.T) {
	t.Parallel()
	opts := fastHooks(autotasksim.Options{WebhookRetries: 1, WebhookDeactivateAfter: 2})
	sim, c := start(t, opts)
	t.Cleanup(sim.Close)
	recv, deact := newReceiver(t, always(http.StatusInternalServerError)), newReceiver(t, always(200))
	hook := itoa(hookOn(c, recv, deact, false, [3]any{5, true, false}))
	guid := c.item("TicketWebhooks/" + hook)["webhookGUID"]
	id := c.create("Tickets", ticket("failing receiver"))
	tech := c.as(sim.Users()[1])
	for _, st := range []int{8, 7} {
		tech.call(http.MethodPatch, "Tickets", map[string]any{"id": id, "status": st}, 200)
	}
	for range 4 { // two callouts, each tried twice
		recv.next(t)
	}
	notice := verify(t, deact.next(t), hookKey)
	if notice.Action != "Deactivated" || notice.Guid != guid || notice.SequenceNumber != 3 {
		t.Errorf("deactivation notice %+v, want Deactivated for %v with sequence 3", notice, guid)
	}
	got := c.item("TicketWebhooks/" + hook)
	if got["isActive"] != false || got["isReady"] != false {
		t.Errorf("after deactivation isActive %v isReady %v, want false", got["isActive"], got["isReady"])
	}
	eventually(t, "stats sent 1 failed 4", func() bool {
		sent, failed := sim.WebhookStats()
		return sent == 1 && failed == 4
	})
}

// TestCalloutEscaping: bodies are written with .NET's escaping, so a
// receiver that verifies re-escaped JSON and one that verifies the raw
// bytes agree. Create events carry every subscribed field.
func TestCalloutEscaping(t *testing.T) {
	t.Parallel()
	sim, c := start(t, fastHooks(autotasksim.Options{}))
	t.Cleanup(sim.Close)
	recv := newReceiver(t, always(200))
	hookOn(c, recv, recv, true, [3]any{2, true, false}, [3]any{5, true, false})
	title := "a<b>&c'd\"e+f`g\\h é€😀"
	id := c.create("Tickets", ticket(title))
	got := recv.next(t)
	p := verify(t, got, hookKey)
	if p.Action != "Create" || p.Id != id || p.Fields["Title"] != title || p.Fields["Status"] != 1.0 {
		t.Errorf("create callout %+v", p)
	}
	raw := string(got.body)
	for _, esc := range []string{`\u003C`, `\u003E`, `\u0026`, `\u0027`, `\u0022`, `\u002B`, `\u0060`, `\\h`, `\u00E9`, `\u20AC`, `\uD83D\uDE00`} {
		if !strings.Contains(raw, esc) {
			t.Errorf("body lacks %s: %s", esc, raw)
		}
	}
	for _, r := range []string{"<", ">", "&", "'", "+", "`", "é"} {
		if strings.Contains(raw, r) {
			t.Errorf("body holds a raw %q: %s", r, raw)
		}
	}
}

// eventually polls cond, bounded in count and time, for counters that are
// booked just after the receiver answered.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("gave up waiting for %s", what)
}
