package syncro

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// rateLimitWait is the wait asked of the engine after a 429 without
// Retry-After: Syncro sends none (unverified), and its window is a minute.
const rateLimitWait = 20 * time.Second

// call sends one request to path (below /api/v1) with query q, encodes in
// as the JSON body when not nil and decodes the answer into out when not
// nil. Only GETs are retried (in psahttp).
func (c *Connector) call(ctx context.Context, method, path string, q url.Values, op string, in, out any) error {
	var payload []byte
	if in != nil {
		var err error
		if payload, err = json.Marshal(in); err != nil {
			return fmt.Errorf("syncro %s: encode request: %w", op, err)
		}
	}
	target := c.base + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	if err := c.paced(ctx, op); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("syncro %s: %w", op, err)
	}
	if payload == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	c.authenticate(req)
	_, body, err := c.http.Do(ctx, req, op, method == http.MethodGet)
	if err != nil {
		return wrap(op, body, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &psa.Error{Class: psa.Retryable, Message: op + ": unreadable response (the write may have happened; a retry checks first)", Err: err}
	}
	return nil
}

// paced takes a slot of the per-minute pace, waiting up to two seconds,
// when the connector paces itself; refusing sends nothing.
func (c *Connector) paced(ctx context.Context, op string) error {
	if c.pace == nil {
		return nil
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		ok, wait := c.pace.Reserve()
		if ok {
			return nil
		}
		if time.Now().Add(wait).After(deadline) {
			return &psa.Error{Class: psa.RateLimited, RetryAfter: wait, NotSent: true, Message: op + ": Syncro's 180 requests a minute are spent"}
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return &psa.Error{Class: psa.Retryable, Message: "request cancelled", Err: ctx.Err(), NotSent: true}
		}
	}
}

// authenticate sets the token as a Bearer header: the only place it is
// revealed. The api_key query form is never used, so the token stays out
// of URLs and logs.
func (c *Connector) authenticate(req *http.Request) {
	req.Header.Set("Authorization", "Bearer "+c.cfg.APIToken.Reveal())
	req.Header.Set("Accept", "application/json")
	if req.ContentLength > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
}

// wrap puts Syncro's own message in a classified error and marks a 404
// as psa.ErrNotFound.
func wrap(op string, body []byte, err error) error {
	var pe *psa.Error
	if !errors.As(err, &pe) {
		return fmt.Errorf("syncro %s: %w", op, err)
	}
	if msg := errorMessage(body); msg != "" && pe.Status != 0 {
		pe.Message = msg
	}
	if pe.Class == psa.RateLimited && pe.RetryAfter == 0 && pe.Status == http.StatusTooManyRequests {
		pe.RetryAfter = rateLimitWait
	}
	pe.Message = op + ": " + pe.Message
	if pe.Status == http.StatusNotFound {
		return fmt.Errorf("syncro %s: %w: %w", op, psa.ErrNotFound, pe)
	}
	return pe
}
