// Package psahttp is the HTTP plumbing every PSA connector shares: an exact
// sliding-window request budget, a concurrency cap, per-request time-outs,
// status classification into psa error classes, Retry-After parsing, short
// in-call retries for reads, a request log that never holds credentials,
// and the same-origin check for links a PSA returns (SameOrigin).
//
// Retries here are deliberately few and only for idempotent requests: a
// write that failed after the PSA may have applied it is the engine's to
// recover (it searches by external reference before creating again), not
// ours to repeat blindly.
package psahttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Defaults applied by New for zero Config fields.
const (
	DefaultMaxConcurrent = 4
	DefaultMaxBudgetWait = 2 * time.Second
	DefaultTimeout       = 30 * time.Second
	DefaultMaxAttempts   = 3
	DefaultRetryBackoff  = 250 * time.Millisecond
)

// maxBody bounds how much of a response is read, so a misbehaving server
// cannot exhaust memory. PSA pages of 500 records stay far below it.
const maxBody = 32 << 20

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	// MaxConcurrent caps requests in flight (PSAs allow a few per endpoint).
	MaxConcurrent int
	// Budget, when set, is drawn from once per attempt sent.
	Budget *Budget
	// MaxBudgetWait is the longest Do sleeps for a budget slot; beyond it Do
	// fails with RateLimited at once so the engine can reschedule.
	MaxBudgetWait time.Duration
	// Timeout bounds one attempt, reading the body included.
	Timeout time.Duration
	// MaxAttempts bounds attempts of an idempotent request (1 = no retry).
	MaxAttempts int
	// RetryBackoff is the first wait between attempts; it grows
	// exponentially with jitter.
	RetryBackoff time.Duration
	HTTPClient   *http.Client
	Logger       *slog.Logger
	// Observe, when set, is called after every attempt that reached the
	// network (status 0 for transport failures); metrics hang off it.
	Observe func(op string, status int, d time.Duration)
	// Now is the clock for Retry-After dates; time.Now when nil.
	Now func() time.Time
	// ClassifyBody lets a connector override Classify after reading the
	// error body (ok false keeps the status-based class).
	ClassifyBody func(status int, body []byte) (psa.Class, bool)
}

// Client sends PSA requests within the configured limits.
type Client struct {
	cfg Config
	sem chan struct{}
	log *slog.Logger
}

// New returns a Client with cfg's zero fields defaulted.
func New(cfg Config) *Client {
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.MaxBudgetWait <= 0 {
		cfg.MaxBudgetWait = DefaultMaxBudgetWait
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{cfg: cfg, sem: make(chan struct{}, cfg.MaxConcurrent), log: log}
}

// Budget returns the client's budget (nil when it has none).
func (c *Client) Budget() *Budget { return c.cfg.Budget }

// Do sends req and returns the status and body. Any non-2xx answer, transport
// failure or time-out is an *psa.Error; status and body are still returned
// with it so the connector can put the PSA's own message in it. op names the
// call for logs and metrics ("tickets.create"). Only idempotent requests are
// retried, and only on Retryable failures.
func (c *Client) Do(ctx context.Context, req *http.Request, op string, idempotent bool) (status int, body []byte, err error) {
	payload, err := drainBody(req)
	if err != nil {
		return 0, nil, &psa.Error{Class: psa.Permanent, Message: "read request body", Err: err}
	}
	if !idempotent || c.cfg.MaxAttempts == 1 {
		return c.attempt(ctx, req, op, payload)
	}
	eb := backoff.NewExponentialBackOff()
	eb.InitialInterval = c.cfg.RetryBackoff
	once := func() (struct{}, error) {
		status, body, err = c.attempt(ctx, req, op, payload)
		if err == nil && !readable(body) {
			err = &psa.Error{Class: psa.Retryable, Message: op + ": unreadable response"}
		}
		if err != nil && (psa.ClassOf(err) != psa.Retryable || ctx.Err() != nil) {
			return struct{}{}, backoff.Permanent(err)
		}
		return struct{}{}, err
	}
	_, rerr := backoff.Retry(ctx, once,
		backoff.WithBackOff(eb),
		backoff.WithMaxTries(uint(c.cfg.MaxAttempts)),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, wait time.Duration) {
			c.log.DebugContext(ctx, "psa request retry", "op", op, "wait", wait, "error", err.Error())
		}))
	if rerr == nil {
		return status, body, nil
	}
	var pe *psa.Error
	if !errors.As(rerr, &pe) {
		// backoff returns the bare context error when cancelled mid-wait.
		rerr = &psa.Error{Class: psa.Retryable, Message: "request cancelled", Err: rerr}
	}
	return status, body, rerr
}

// readable reports whether a success answer can be what it claims: a body
// that starts as JSON must be JSON. A read answered with a cut or garbled
// body (a proxy, a dropped connection the server did not notice) is read
// again here, like a 5xx, rather than failing the caller's whole listing;
// a write's is the connector's to judge, since the write may have
// happened.
func readable(body []byte) bool {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || !bytes.ContainsAny(trimmed[:1], "{[\"") {
		return true
	}
	return json.Valid(trimmed)
}

// drainBody reads the request body once so every attempt can resend it.
func drainBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	return io.ReadAll(req.Body)
}

// attempt sends one request: concurrency slot, budget slot, time-out.
func (c *Client) attempt(ctx context.Context, req *http.Request, op string, payload []byte) (int, []byte, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, nil, &psa.Error{Class: psa.Retryable, Message: "request cancelled", Err: ctx.Err()}
	}
	defer func() { <-c.sem }()
	// The budget is drawn after the concurrency slot so the recorded time
	// is the send time: a slot recorded early would leave the window early
	// and let the PSA's rolling count run one over.
	slot, err := c.reserve(ctx, op)
	if err != nil {
		return 0, nil, err
	}
	defer slot.Finish()
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	r := req.Clone(actx)
	if payload != nil {
		r.Body = io.NopCloser(bytes.NewReader(payload))
		r.ContentLength = int64(len(payload))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(payload)), nil }
	}
	start := time.Now()
	status, header, body, err := c.send(r)
	d := time.Since(start)
	c.observe(ctx, r, op, status, d)
	if err != nil {
		return 0, nil, c.transportError(ctx, actx, err)
	}
	if status >= 200 && status <= 299 {
		return status, body, nil
	}
	return status, body, c.statusError(status, body, header)
}

// send performs the round trip and reads the body under the attempt's
// time-out.
func (c *Client) send(r *http.Request) (int, http.Header, []byte, error) {
	resp, err := c.cfg.HTTPClient.Do(r)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, body, nil
}

// reserve waits for a budget slot, at most MaxBudgetWait in total.
func (c *Client) reserve(ctx context.Context, op string) (Slot, error) {
	b := c.cfg.Budget
	if b == nil {
		return Slot{}, nil
	}
	waited := time.Duration(0)
	for {
		slot, ok, wait := b.ReserveSlot()
		if ok {
			return slot, nil
		}
		if waited+wait > c.cfg.MaxBudgetWait {
			c.log.DebugContext(ctx, "psa request refused by budget", "op", op, "retry_after", wait)
			return Slot{}, &psa.Error{Class: psa.RateLimited, RetryAfter: wait, Message: "request budget exhausted", NotSent: true}
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
			waited += wait
		case <-ctx.Done():
			t.Stop()
			return Slot{}, &psa.Error{Class: psa.Retryable, Message: "request cancelled", Err: ctx.Err(), NotSent: true}
		}
	}
}

// observe logs the attempt and feeds the observer. Only method, path
// (never the query string, which may carry user data) and status are
// logged; headers and bodies may carry credentials and never are.
func (c *Client) observe(ctx context.Context, r *http.Request, op string, status int, d time.Duration) {
	c.log.DebugContext(ctx, "psa request", "op", op, "method", r.Method, "path", r.URL.Path, "status", status, "duration", d)
	if c.cfg.Observe != nil {
		c.cfg.Observe(op, status, d)
	}
}

// transportError classifies a failure without an HTTP answer. The message
// is built here rather than taken from *url.Error, whose text repeats the
// full URL with its query string.
func (c *Client) transportError(ctx, actx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return &psa.Error{Class: psa.Retryable, Message: "request cancelled", Err: ctx.Err()}
	case actx.Err() != nil:
		return &psa.Error{Class: psa.Retryable, Message: fmt.Sprintf("request timed out after %s", c.cfg.Timeout), Err: context.DeadlineExceeded}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &psa.Error{Class: psa.Retryable, Message: "request failed: " + err.Error(), Err: err}
}

// statusError builds the classified error of a non-2xx answer. Its Message
// is the status text only: the body is returned beside the error for the
// connector to parse, because only the connector knows the PSA's error
// shape and which parts are safe to show.
func (c *Client) statusError(status int, body []byte, header http.Header) error {
	class := Classify(status)
	if c.cfg.ClassifyBody != nil {
		if cl, ok := c.cfg.ClassifyBody(status, body); ok {
			class = cl
		}
	}
	e := &psa.Error{Class: class, Status: status, Message: statusText(status)}
	if class == psa.RateLimited {
		e.RetryAfter = ParseRetryAfter(header.Get("Retry-After"), c.cfg.Now())
	}
	return e
}

func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return fmt.Sprintf("HTTP %d", status)
}
