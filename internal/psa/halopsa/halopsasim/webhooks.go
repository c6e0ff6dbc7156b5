package halopsasim

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
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

// delivery is one callout to make.
type delivery struct {
	hook     webhook
	body     []byte
	entityID int
}

// dispatcher delivers callouts one at a time, in order, on a goroutine of
// its own; batching webhooks collect payloads for their delay first.
type dispatcher struct {
	s       *Sim
	mu      sync.Mutex
	queue   []delivery
	batches map[string][]json.RawMessage
	wake    chan struct{}
	done    chan struct{}
	stopped sync.WaitGroup
	closed  bool
}

func newDispatcher(s *Sim) *dispatcher {
	d := &dispatcher{s: s, batches: map[string][]json.RawMessage{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	d.stopped.Add(1)
	go d.run()
	return d
}

// fire queues the callouts of event on t for every active webhook that
// subscribes to it. Callers hold the simulator's mu.
func (d *dispatcher) fire(event string, t *ticket) {
	for _, h := range d.s.webhooks {
		if !h.Active || h.Type != 0 || !slices.ContainsFunc(h.Events, func(e hookEv) bool { return strings.EqualFold(e.Name, event) }) {
			continue
		}
		body, _ := json.Marshal(d.payload(h, event, t))
		d.enqueue(*h, body, t.ID)
	}
}

// payload is what a callout carries in the webhook's payload mode.
func (d *dispatcher) payload(h *webhook, event string, t *ticket) map[string]any {
	p := map[string]any{
		"id": newUUID(), "event": event, "webhook_id": h.ID, "object_id": t.ID,
		"timestamp": haloTime(d.s.stamp()),
	}
	switch d.s.opt.WebhookPayload {
	case PayloadEvent:
	case PayloadFull:
		p["ticket"] = *t
	default:
		p["ticket"] = map[string]any{
			"id": t.ID, "summary": t.Summary, "status_id": t.StatusID, "client_id": t.ClientID,
			"tickettype_id": t.TicketTypeID, "last_update": t.LastUpdate, "supplier_reference": t.SupplierReference,
		}
	}
	return p
}

func (d *dispatcher) enqueue(h webhook, body []byte, entity int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	if h.BatchDelaySeconds <= 0 {
		d.queue = append(d.queue, delivery{hook: h, body: body, entityID: entity})
		d.signal()
		return
	}
	pending := d.batches[h.ID]
	d.batches[h.ID] = append(pending, body)
	if len(pending) == 0 {
		time.AfterFunc(time.Duration(h.BatchDelaySeconds)*time.Second, func() { d.flush(h) })
	} else if h.BatchLimit > 0 && len(pending)+1 >= h.BatchLimit {
		d.flushLocked(h)
	}
}

func (d *dispatcher) flush(h webhook) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flushLocked(h)
}

func (d *dispatcher) flushLocked(h webhook) {
	batch := d.batches[h.ID]
	if len(batch) == 0 || d.closed {
		return
	}
	delete(d.batches, h.ID)
	body, _ := json.Marshal(batch)
	d.queue = append(d.queue, delivery{hook: h, body: body})
	d.signal()
}

func (d *dispatcher) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *dispatcher) run() {
	defer d.stopped.Done()
	for {
		select {
		case <-d.done:
			return
		case <-d.wake:
		}
		for {
			d.mu.Lock()
			if len(d.queue) == 0 || d.closed {
				d.mu.Unlock()
				break
			}
			next := d.queue[0]
			d.queue = d.queue[1:]
			d.mu.Unlock()
			d.deliver(next)
		}
	}
}

// deliver makes one callout with the webhook's authentication and logs it.
func (d *dispatcher) deliver(dl delivery) {
	method := map[int]string{0: http.MethodPost, 2: http.MethodPut, 4: http.MethodPatch}[dl.hook.Method]
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, dl.hook.URL, bytes.NewReader(dl.body))
	ev := webhookEvent{ID: newUUID(), WebhookID: dl.hook.ID, RequestBody: string(dl.body), EntityID: dl.entityID}
	if err == nil {
		req.Header.Set("Content-Type", dl.hook.ContentType)
		authorize(req, dl.hook)
		resp, err2 := d.s.opt.HTTPClient.Do(req)
		if err2 == nil {
			ev.ResponseStatus = resp.StatusCode
			resp.Body.Close()
		}
		err = err2
	}
	ev.Error = err != nil || ev.ResponseStatus >= 300
	ev.Status = map[bool]int{true: 2, false: 1}[ev.Error]
	d.s.mu.Lock()
	ev.Timestamp = haloTime(d.s.stamp())
	d.s.events = append(d.s.events, ev)
	d.s.mu.Unlock()
}

// authorize sets the webhook's outbound authentication.
func authorize(req *http.Request, h webhook) {
	switch h.AuthenticationType {
	case AuthBasic:
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(h.BasicUsername+":"+h.BasicPassword)))
	case AuthBearer:
		req.Header.Set("Authorization", "Bearer "+h.AuthenticationHeader)
	case AuthAPIKey:
		if name, value, ok := strings.Cut(h.AuthenticationHeader, ":"); ok {
			req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
		}
	}
}

// close stops deliveries and drops what is queued.
func (d *dispatcher) close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	d.mu.Unlock()
	close(d.done)
	d.stopped.Wait()
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
