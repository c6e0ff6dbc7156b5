package halopsasim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

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
