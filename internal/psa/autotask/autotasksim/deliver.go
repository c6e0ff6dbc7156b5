package autotasksim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// calloutQueue bounds undelivered callouts; past it new ones are dropped
// and counted as failed, as a tenant under load would lose them.
const calloutQueue = 256

// dispatcher delivers callouts from one goroutine, in order. It starts on
// the first callout, so a Sim that never has a ready webhook runs none, and
// stops on Sim.Close.
//
// Deliveries are serial: a webhook whose receiver is down delays the others
// by its retries. That keeps callouts of one ticket in sequence order,
// which is what receivers see from Autotask most of the time.
type dispatcher struct {
	sim   *Sim
	queue chan callout

	mu      sync.Mutex // guards the fields below
	started bool
	closed  bool
	cancel  context.CancelFunc
	done    chan struct{}
	sent    int
	failed  int
	streak  map[int64]int // consecutive failed callouts per webhook
}

func newDispatcher(s *Sim) *dispatcher {
	return &dispatcher{sim: s, queue: make(chan callout, calloutQueue), streak: map[int64]int{}, done: make(chan struct{})}
}

// enqueue hands c to the delivery goroutine without blocking; callers may
// hold Sim.mu.
func (d *dispatcher) enqueue(c callout) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		d.failed++
		return
	}
	if !d.started {
		ctx, cancel := context.WithCancel(context.Background())
		d.started, d.cancel = true, cancel
		go d.run(ctx)
	}
	select {
	case d.queue <- c:
	default:
		d.failed++
	}
}

// close stops the goroutine; undelivered callouts are dropped.
func (d *dispatcher) close() {
	d.mu.Lock()
	started := d.started
	if !d.closed {
		d.closed = true
		if started {
			d.cancel()
		}
	}
	d.mu.Unlock()
	if started {
		<-d.done
	}
}

func (d *dispatcher) run(ctx context.Context) {
	defer close(d.done)
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-d.queue:
			d.deliver(ctx, c)
		}
	}
}

// deliver sends c with retries and books the outcome. A callout for a
// webhook deactivated or deleted since it was queued is dropped.
func (d *dispatcher) deliver(ctx context.Context, c callout) {
	if !c.deactivation && !d.sim.hookActive(c.webhookID) {
		return
	}
	o := d.sim.opts
	for attempt := 0; attempt <= o.WebhookRetries; attempt++ {
		if attempt > 0 {
			simkit.Sleep(ctx, o.WebhookRetryDelay<<(attempt-1))
		}
		if ctx.Err() != nil {
			return
		}
		ok := d.post(ctx, c)
		d.book(ok)
		if ok {
			d.settle(c, true)
			return
		}
	}
	d.settle(c, false)
}

// post sends one attempt and reports a 2xx answer.
func (d *dispatcher) post(ctx context.Context, c callout) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(c.body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(SignatureHeader, c.signature)
	resp, err := d.sim.opts.WebhookClient.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}

func (d *dispatcher) book(ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ok {
		d.sent++
	} else {
		d.failed++
	}
}

// settle tracks consecutive failed callouts per webhook and deactivates the
// webhook once they reach WebhookDeactivateAfter.
func (d *dispatcher) settle(c callout, ok bool) {
	if c.deactivation {
		return
	}
	d.mu.Lock()
	if ok {
		delete(d.streak, c.webhookID)
	} else {
		d.streak[c.webhookID]++
	}
	give := d.streak[c.webhookID] >= d.sim.opts.WebhookDeactivateAfter
	if give {
		delete(d.streak, c.webhookID)
	}
	d.mu.Unlock()
	if give {
		d.sim.deactivateHook(c.webhookID)
	}
}

func (d *dispatcher) stats() (sent, failed int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sent, d.failed
}

// hookActive reports whether webhook id still exists and is active.
func (s *Sim) hookActive(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.entities["ticketwebhooks"].rows[id]
	return h != nil && h["isActive"] == true
}

// deactivateHook turns a failing webhook off and queues the Deactivated
// notice to its deactivationUrl.
func (s *Sim) deactivateHook(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.entities["ticketwebhooks"].rows[id]
	if h == nil || h["isActive"] != true {
		return
	}
	h["isActive"], h["isReady"] = false, false
	s.queueCallout(h, actionDeactivated, id, nil, 0, s.now())
}

// WebhookStats returns how many callout attempts were answered 2xx and how
// many failed (non-2xx, transport error, or dropped on a full queue).
func (s *Sim) WebhookStats() (sent, failed int) { return s.hooks.stats() }

// Close stops webhook delivery. Callouts not yet delivered are dropped;
// later ones are counted as failed. The HTTP handler keeps working.
func (s *Sim) Close() { s.hooks.close() }
