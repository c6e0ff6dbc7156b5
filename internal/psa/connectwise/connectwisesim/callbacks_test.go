package connectwisesim_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

// delivery is one callback as the receiver saw it.
type delivery struct {
	query     url.Values
	body      []byte
	signature string
}

// receiver is a loopback callback endpoint recording what it gets.
type receiver struct {
	url string
	mu  sync.Mutex
	got []delivery
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, delivery{query: r.URL.Query(), body: b, signature: r.Header.Get("x-content-signature")})
		rc.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/cw/hook?token=abc"
	return rc
}

// take waits for the simulator's deliveries and returns those received
// since the last take.
func (rc *receiver) take(t *testing.T, sim *connectwisesim.Sim) []delivery {
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

type payload struct {
	MessageID string `json:"MessageId"`
	FromURL   string `json:"FromUrl"`
	CompanyID string `json:"CompanyId"`
	MemberID  string `json:"MemberId"`
	Action    string
	Type      string
	ID        int
	Entity    string
	Metadata  struct {
		KeyURL string `json:"key_url"`
	}
}

func TestCallbackDelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		stringEncoded bool
	}{
		{"plain key document", false},
		{"string-encoded key document", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim, c := start(t, connectwisesim.Options{KeyURLStringEncoded: tt.stringEncoded})
			rc := newReceiver(t)
			cb := c.object(http.MethodPost, "system/callbacks", map[string]any{
				"description": "tb", "url": rc.url, "objectId": 1, "type": "ticket", "level": "Board",
			}, 201)
			if cb["id"] != 1.0 || cb["memberId"] != 150.0 || cb["inactiveFlag"] != false {
				t.Errorf("registration = %v", cb)
			}
			id := c.create(ticket("hooked"))
			got := rc.take(t, sim)
			if len(got) != 1 {
				t.Fatalf("deliveries after create on board 1: %d", len(got))
			}
			d := got[0]
			var p payload
			if err := json.Unmarshal(d.body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Action != "added" || p.Type != "ticket" || p.ID != id || p.CompanyID != "msptest" || p.MemberID != "ticketbridge" || p.MessageID == "" {
				t.Errorf("payload %+v", p)
			}
			var entity map[string]any
			if err := json.Unmarshal([]byte(p.Entity), &entity); err != nil || entity["summary"] != "hooked" {
				t.Errorf("Entity is not the ticket as a JSON string: %v %v", err, p.Entity)
			}
			if d.query.Get("token") != "abc" || d.query.Get("action") != "added" || d.query.Get("id") != itoa(id) {
				t.Errorf("callback query %v", d.query)
			}
			if !bytes.HasPrefix(d.body, []byte(`{"MessageId":`)) {
				t.Errorf("body does not start with MessageId: %s", d.body)
			}
			var compact bytes.Buffer
			_ = json.Compact(&compact, d.body)
			if !bytes.Equal(compact.Bytes(), d.body) {
				t.Errorf("body is not compact JSON")
			}
			key := fetchSigningKey(t, p.Metadata.KeyURL, tt.stringEncoded)
			if key != sim.SigningKey() {
				t.Errorf("key_url gave %q", key)
			}
			if want := signature(key, d.body); d.signature != want {
				t.Errorf("x-content-signature %q, want %q", d.signature, want)
			}

			c.create(map[string]any{"summary": "other board", "company": ref(251), "board": ref(2)})
			if got := rc.take(t, sim); len(got) != 0 {
				t.Errorf("board 2 ticket delivered to a board 1 callback")
			}
			c.object(http.MethodPatch, "service/tickets/"+itoa(id), replace("status", ref(12)), 200)
			if got := rc.take(t, sim); len(got) != 1 || !strings.Contains(string(got[0].body), `"Action":"updated"`) {
				t.Errorf("update deliveries: %v", got)
			}
			c.object(http.MethodPatch, "service/tickets/"+itoa(id), append(replace("status", ref(13)), map[string]any{"op": "replace", "path": "skipCallback", "value": true}), 200)
			if got := rc.take(t, sim); len(got) != 0 {
				t.Errorf("skipCallback still delivered %d", len(got))
			}
			if n := len(sim.Callouts()); n != 2 || sim.Callouts()[0].Status != 200 {
				t.Errorf("Callouts() = %+v", sim.Callouts())
			}
		})
	}
}

// fetchSigningKey reads key_url as a receiver does.
func fetchSigningKey(t *testing.T, keyURL string, stringEncoded bool) string {
	t.Helper()
	resp, err := http.Get(keyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if stringEncoded {
		var inner string
		if err := json.Unmarshal(b, &inner); err != nil {
			t.Fatalf("key document %s is not a JSON string: %v", b, err)
		}
		b = []byte(inner)
	}
	var doc struct {
		SigningKey string `json:"signing_key"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("key document %s: %v", b, err)
	}
	return doc.SigningKey
}

func signature(key string, body []byte) string {
	k := sha256.Sum256([]byte(key))
	mac := hmac.New(sha256.New, k[:])
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestCallbackSuppression(t *testing.T) {
	t.Parallel()
	sim, c := start(t, connectwisesim.Options{})
	tech := c.as(sim.Members()[1])
	rc := newReceiver(t)
	c.object(http.MethodPost, "system/callbacks", map[string]any{
		"url": rc.url, "objectId": 0, "type": "ticket", "level": "Owner", "isSelfSuppressedFlag": true,
	}, 201)
	id := itoa(c.create(ticket("self")))
	if got := rc.take(t, sim); len(got) != 0 {
		t.Errorf("own change delivered despite isSelfSuppressedFlag")
	}
	tech.object(http.MethodPatch, "service/tickets/"+id, replace("status", ref(15)), 200)
	got := rc.take(t, sim)
	if len(got) != 1 || !strings.Contains(string(got[0].body), `"MemberId":"jtech"`) {
		t.Fatalf("technician change deliveries: %v", got)
	}
	tech.object(http.MethodPost, "service/tickets/"+id+"/notes", map[string]any{"text": "done", "resolutionFlag": true}, 201)
	if got := rc.take(t, sim); len(got) != 1 {
		t.Errorf("a note by the technician delivered %d callbacks, want 1", len(got))
	}
	status, _, _ := c.do(http.MethodDelete, "system/callbacks/1", nil)
	if status != http.StatusNoContent {
		t.Fatalf("DELETE callback: %d", status)
	}
	tech.object(http.MethodPatch, "service/tickets/"+id, replace("status", ref(11)), 200)
	if got := rc.take(t, sim); len(got) != 0 {
		t.Errorf("deleted callback still delivered")
	}
}

func TestCallbackRegistration(t *testing.T) {
	t.Parallel()
	_, c := start(t, connectwisesim.Options{})
	e := c.failure(http.MethodPost, "system/callbacks", map[string]any{"url": "not a url", "level": "Galaxy"}, 400)
	var fields []string
	for _, fe := range e.Errors {
		fields = append(fields, fe.Field)
	}
	if diff := cmp.Diff([]string{"url", "objectId", "type", "level"}, fields); diff != "" {
		t.Errorf("registration errors (-want +got):\n%s", diff)
	}
	c.object(http.MethodPost, "system/callbacks", map[string]any{"url": "https://tb.example/cw", "objectId": 1, "type": "ticket", "level": "Board"}, 201)
	got := c.object(http.MethodPatch, "system/callbacks/1", replace("inactiveFlag", true), 200)
	if got["inactiveFlag"] != true {
		t.Errorf("patched callback %v", got)
	}
	if n := len(c.list("system/callbacks")); n != 1 {
		t.Errorf("callbacks listed: %d", n)
	}
}
