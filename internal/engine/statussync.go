package engine

import (
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// statusSync keeps ticket statuses in step both ways. From the PSA: the
// poller reads changed tickets every poll interval (its cursor and the
// keys it has seen are in the store), and webhook events, queued by the
// HTTP handler, are applied on the worker goroutine. To the PSA: source
// status changes become set_status deliveries, which the deliverer hands
// back to setStatus in its rounds. It owns when it polls next, the event
// queue and which settings version its webhook was registered for.
type statusSync struct {
	*books
	snap *snapshot

	nextPoll       time.Time
	webhookVersion int64
	events         chan psa.WebhookEvent
	nudge          func() // wakes the worker for a queued event
	// rejected bounds and summarises webhooks with a bad signature.
	rejected *rejections
}

func newStatusSync(b *books, nudge func()) *statusSync {
	return &statusSync{books: b, events: make(chan psa.WebhookEvent, 1024), nudge: nudge, rejected: newRejections(time.Now)}
}

// load syncs by a new settings version: poll at once, and register the
// webhook again if the settings ask for one.
func (s *statusSync) load(snap *snapshot) {
	s.snap = snap
	s.nextPoll = time.Time{}
}
