package halopsasim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Notification events a webhook may fire on.
const (
	EventNewTicket     = "New Ticket Logged"
	EventTicketUpdated = "Ticket Updated"
	EventActionAdded   = "Action Added"
)

// Webhook authentication types.
const (
	AuthNone   = 0
	AuthBasic  = 1
	AuthBearer = 2
	AuthAPIKey = 3
)

// Payload modes of a default payload (payload_type 0). Which webhook
// field chooses among them is not recorded, so Options.WebhookPayload
// does.
const (
	PayloadKeyFields = "key"   // a small object with the ticket's key fields
	PayloadFull      = "full"  // the full ticket object
	PayloadEvent     = "event" // event information only
)

func (s *Sim) getWebhooks(w http.ResponseWriter, r *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []webhook
	for _, h := range s.webhooks {
		if id == "" || strings.EqualFold(h.ID, id) {
			out = append(out, *h)
		}
	}
	answerOne(s, w, id, "Webhook", out)
}

// postWebhooks creates (no id) or partly updates webhooks.
func (s *Sim) postWebhooks(w http.ResponseWriter, r *http.Request, _ *caller) {
	recs, err := readArray(r)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var saved []webhook
	for _, rc := range recs {
		h, code, err := s.stageWebhook(rc)
		if err != nil {
			s.fail(w, code, err.Error())
			return
		}
		saved = append(saved, *h)
	}
	answerSaved(w, saved)
}

// stageWebhook applies one record. Callers hold mu. A failed record
// after an earlier good one leaves the earlier one saved, as Halo saves
// element by element [?].
func (s *Sim) stageWebhook(rc record) (*webhook, int, error) {
	id, _, err := rc.str("id")
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	h := &webhook{ContentType: "application/json", Active: true}
	if id != "" {
		i := slices.IndexFunc(s.webhooks, func(x *webhook) bool { return strings.EqualFold(x.ID, id) })
		if i < 0 {
			return nil, http.StatusNotFound, badf("Webhook %s not found", id)
		}
		cp := *s.webhooks[i]
		h = &cp
	}
	for key, dst := range map[string]*string{"name": &h.Name, "url": &h.URL, "content_type": &h.ContentType,
		"basic_username": &h.BasicUsername, "basic_password": &h.BasicPassword, "authentication_header": &h.AuthenticationHeader} {
		if v, ok, err := rc.str(key); err != nil {
			return nil, http.StatusBadRequest, err
		} else if ok {
			*dst = v
		}
	}
	for key, dst := range map[string]*int{"type": &h.Type, "method": &h.Method, "authentication_type": &h.AuthenticationType,
		"payload_type": &h.PayloadType, "batch_delay_seconds": &h.BatchDelaySeconds, "batch_limit": &h.BatchLimit} {
		if v, ok, err := rc.int(key); err != nil {
			return nil, http.StatusBadRequest, err
		} else if ok {
			*dst = v
		}
	}
	if v, ok, err := rc.bool("active"); err != nil {
		return nil, http.StatusBadRequest, err
	} else if ok {
		h.Active = v
	}
	if rc.has("events") {
		if err := json.Unmarshal(rc["events"], &h.Events); err != nil {
			return nil, http.StatusBadRequest, badf("Error converting value to type 'List<WebhookSubscription>'. Path 'events'")
		}
	}
	if !strings.HasPrefix(h.URL, "http://") && !strings.HasPrefix(h.URL, "https://") {
		return nil, http.StatusBadRequest, badf("Please enter a valid URL")
	}
	if h.AuthenticationType < AuthNone || h.AuthenticationType > AuthAPIKey {
		return nil, http.StatusBadRequest, badf("Authentication type %d is not supported", h.AuthenticationType)
	}
	if id == "" {
		h.ID = newUUID()
		s.webhooks = append(s.webhooks, h)
		return h, 0, nil
	}
	i := slices.IndexFunc(s.webhooks, func(x *webhook) bool { return strings.EqualFold(x.ID, id) })
	s.webhooks[i] = h
	return h, 0, nil
}

func (s *Sim) deleteWebhook(w http.ResponseWriter, _ *http.Request, _ *caller, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.webhooks, func(x *webhook) bool { return strings.EqualFold(x.ID, id) })
	if i < 0 {
		s.notFound(w, "Webhook", id)
		return
	}
	s.webhooks = slices.Delete(s.webhooks, i, i+1)
	w.WriteHeader(http.StatusOK)
}

// getWebhookEvents is the delivery log, newest first.
func (s *Sim) getWebhookEvents(w http.ResponseWriter, r *http.Request, _ *caller, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := query(r)
	var out []webhookEvent
	for i := len(s.events) - 1; i >= 0; i-- {
		if e := s.events[i]; l.str("webhook_id") == "" || strings.EqualFold(e.WebhookID, l.str("webhook_id")) {
			out = append(out, e)
		}
	}
	writeList(w, l, "webhookevents", out, 1000)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Deliveries returns the webhook delivery log, oldest first, read
// directly.
func (s *Sim) Deliveries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.events))
	for i, e := range s.events {
		out[i] = e.WebhookID + " " + strconv.Itoa(e.ResponseStatus) + " " + e.RequestBody
	}
	return out
}
