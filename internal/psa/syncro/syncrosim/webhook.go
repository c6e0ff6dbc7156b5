package syncrosim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// emitter delivers Notification Center events to the configured webhook
// URL, one at a time and in order: {"text": "<event line>\n...",
// "attributes": {<the record>}}. Syncro signs nothing, so neither does
// the simulator.
type emitter struct {
	url    string
	client *http.Client
	queue  chan []byte
	ctx    context.Context
	cancel context.CancelFunc
	done   sync.WaitGroup
}

func newEmitter(url string, client *http.Client) *emitter {
	if client == nil {
		client = http.DefaultClient
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &emitter{url: url, client: client, ctx: ctx, cancel: cancel}
	if url == "" {
		return e
	}
	e.queue = make(chan []byte, 1024)
	e.done.Add(1)
	go e.run()
	return e
}

// send queues an event; with no URL, or a full queue, it is dropped, as
// a notification that could not be delivered is.
func (e *emitter) send(text string, attributes map[string]any) {
	if e.queue == nil {
		return
	}
	b, err := json.Marshal(map[string]any{"text": text + "\nsent by the Syncro simulator", "attributes": attributes})
	if err != nil {
		return
	}
	select {
	case e.queue <- b:
	default:
	}
}

func (e *emitter) run() {
	defer e.done.Done()
	for {
		select {
		case <-e.ctx.Done():
			return
		case b := <-e.queue:
			ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(b))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
				if resp, err := e.client.Do(req); err == nil {
					resp.Body.Close()
				}
			}
			cancel()
		}
	}
}

func (e *emitter) close() {
	e.cancel()
	e.done.Wait()
}
