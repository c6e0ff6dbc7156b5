package connectwisesim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Callout is one callback delivery the simulator attempted, for tests.
type Callout struct {
	URL       string
	Body      []byte
	Signature string // the x-content-signature header
	Status    int    // the receiver's answer; 0 when the request failed
}

// callbackKeyID is the id in key_url; the simulator has one signing key.
const callbackKeyID = "1"

func (s *Sim) callbackSpec(c *call) saveSpec {
	return saveSpec{sc: scope{table: tCallbacks}, build: func(in *input, old obj) (obj, error) { return s.buildCallback(c, in) }}
}

func (s *Sim) createCallback(c *call) { s.save(c, s.callbackSpec(c)) }
func (s *Sim) patchCallback(c *call)  { s.save(c, s.callbackSpec(c)) }
func (s *Sim) putCallback(c *call)    { s.save(c, s.callbackSpec(c)) }
func (s *Sim) deleteCallback(c *call) { s.remove(c, scope{table: tCallbacks}) }

// callbackLevels are the levels deliveries are matched on, for tickets.
var callbackLevels = []string{"Owner", "Board", "Status", "Company", "Ticket"}

// buildCallback validates a callback registration. Callers hold s.mu.
func (s *Sim) buildCallback(c *call, in *input) (obj, error) {
	cb := obj{"description": in.str("description", 100, false)}
	if u, ok := in.str("url", 1000, true).(string); ok {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			in.fail(codeInvalidField, "url", "url must be an absolute http or https URL.")
		}
		cb["url"] = u
	}
	cb["objectId"] = in.integer("objectId")
	if cb["objectId"] == nil && in.raw("objectId") == nil {
		in.missing("objectId")
	}
	cb["type"] = in.str("type", 50, true)
	cb["level"] = in.enum("level", callbackLevels, "")
	if in.raw("level") == nil {
		in.missing("level")
	}
	cb["memberId"] = in.integer("memberId")
	if cb["memberId"] == nil {
		cb["memberId"] = int64(c.member.MemberID)
	}
	cb["payloadVersion"] = in.str("payloadVersion", 10, false)
	cb["inactiveFlag"] = in.boolean("inactiveFlag", false)
	cb["isSoapCallbackFlag"] = in.boolean("isSoapCallbackFlag", false)
	cb["isSelfSuppressedFlag"] = in.boolean("isSelfSuppressedFlag", false)
	cb["connectWiseID"] = in.str("connectWiseID", 100, false)
	if len(in.errs) > 0 {
		return nil, invalidObject("callbackEntry", in.errs)
	}
	return cb, nil
}

// calloutBody is a delivery's JSON, in the field order ConnectWise sends.
type calloutBody struct {
	MessageID         string `json:"MessageId"`
	FromURL           string `json:"FromUrl"`
	CompanyID         string `json:"CompanyId"`
	MemberID          string `json:"MemberId"`
	Action            string `json:"Action"`
	Type              string `json:"Type"`
	ID                int64  `json:"ID"`
	ProductInstanceID string `json:"ProductInstanceId"`
	PartnerID         string `json:"PartnerId"`
	Entity            string `json:"Entity"`
	Metadata          struct {
		KeyURL string `json:"key_url"`
	} `json:"Metadata"`
}

// fire delivers a change of rec to every matching callback. The caller's
// own callbacks with isSelfSuppressedFlag are skipped. Deliveries run on
// goroutines the Sim owns.
func (s *Sim) fire(c *call, kind, action string, rec obj) {
	site := s.opts.BaseURL
	if site == "" {
		site = c.site
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return // closed: no new deliveries
	}
	entity := compactJSON(render(rec, c.base))
	for _, cb := range s.tables[tCallbacks].sorted() {
		if !s.callbackWants(cb, kind, rec, c.member) {
			continue
		}
		body := calloutBody{MessageID: newMessageID(), FromURL: site, CompanyID: s.CompanyID(),
			MemberID: c.member.Identifier, Action: action, Type: kind, ID: asInt(rec["id"]),
			ProductInstanceID: "tbsim-product-instance", PartnerID: s.CompanyID(), Entity: string(entity)}
		body.Metadata.KeyURL = strings.TrimSuffix(site, "/") + "/" + StableCodebase + "system/callbackkey/index.rails?id=" + callbackKeyID
		// Adding under s.mu, which Close takes before cancelling, keeps
		// every delivery inside what Close waits for.
		s.inflight.Add(1)
		go s.deliver(withQuery(cb["url"].(string), action, body.ID), compactJSON(body))
	}
}

// callbackWants matches a registration to a change. Callers hold s.mu.
func (s *Sim) callbackWants(cb obj, kind string, rec obj, actor Member) bool {
	if cb["inactiveFlag"] == true || !strings.EqualFold(cb["type"].(string), kind) {
		return false
	}
	if cb["isSelfSuppressedFlag"] == true && asInt(cb["memberId"]) == int64(actor.MemberID) {
		return false
	}
	id := asInt(cb["objectId"])
	switch cb["level"] {
	case "Owner":
		return true
	case "Board":
		return refID(rec["board"]) == id
	case "Status":
		return refID(rec["status"]) == id
	case "Company":
		return refID(rec["company"]) == id
	}
	return asInt(rec["id"]) == id
}

// withQuery adds action and id to the callback URL; receivers such as
// connectwise-rest read them from there.
func withQuery(target, action string, id int64) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	q := u.Query()
	q.Set("action", action)
	q.Set("id", itoa(id))
	u.RawQuery = q.Encode()
	return u.String()
}

// deliver POSTs one callout signed with x-content-signature.
func (s *Sim) deliver(target string, body []byte) {
	defer s.inflight.Done()
	sig := sign(s.opts.SigningKey, body)
	out := Callout{URL: target, Body: body, Signature: sig}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, target, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-content-signature", sig)
		var resp *http.Response
		if resp, err = s.opts.CallbackClient.Do(req); err == nil {
			out.Status = resp.StatusCode
			resp.Body.Close()
		}
	}
	s.mu.Lock()
	s.callouts = append(s.callouts, out)
	s.mu.Unlock()
}

// sign is base64(HMAC-SHA256(key = SHA-256(signingKey), message = body)).
func sign(signingKey string, body []byte) string {
	key := sha256.Sum256([]byte(signingKey))
	mac := hmac.New(sha256.New, key[:])
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// compactJSON encodes v without HTML escaping, so a receiver that parses
// and re-serialises the body (JSON.stringify) gets the same bytes back.
func compactJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimRight(b.Bytes(), "\n")
}

func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// callbackKey answers the key_url: {"signing_key":"…"}, or that object as
// a JSON string when KeyURLStringEncoded is set.
func (s *Sim) callbackKey(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("id") != callbackKeyID {
		writeJSON(w, http.StatusNotFound, &apiError{Code: codeNotFound, Message: "Callback key not found"})
		return
	}
	doc := map[string]string{"signing_key": s.opts.SigningKey}
	if s.opts.KeyURLStringEncoded {
		writeJSON(w, http.StatusOK, string(compactJSON(doc)))
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

// Callouts returns the deliveries attempted so far, oldest first.
func (s *Sim) Callouts() []Callout {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Callout(nil), s.callouts...)
}

// WaitCallouts waits until no delivery is in flight or ctx ends.
func (s *Sim) WaitCallouts(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
