package psa

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotFound means the PSA has no such object.
var ErrNotFound = errors.New("psa: not found")

// Class tells the engine what to do after a failed call.
type Class int

// Error classes.
const (
	// Retryable failures (5xx, time-outs, resets) are retried with backoff.
	Retryable Class = iota
	// Permanent failures (validation, bad credentials) are not retried
	// automatically; the delivery shows the PSA's message and a retry button.
	Permanent
	// RateLimited failures are retried after RetryAfter (or a default).
	RateLimited
)

func (c Class) String() string {
	switch c {
	case Retryable:
		return "retryable"
	case Permanent:
		return "permanent"
	case RateLimited:
		return "rate_limited"
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Error is a classified PSA failure. Message is the PSA's own words (safe to
// show a user: it never holds credentials).
type Error struct {
	Class      Class
	Status     int // HTTP status, 0 for transport failures
	Message    string
	RetryAfter time.Duration // only for RateLimited; 0 when the PSA gave none
	Err        error         // underlying cause, if any
	// NotSent is true when the request never left this process (our own
	// budget refused it), so it cannot have written anything.
	NotSent bool
}

// Error reads as people say it: what the PSA did, its status when that
// tells something (not a 2xx, where the PSA answered and the words are in
// the message), and the PSA's own words.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	what := "PSA unavailable"
	switch {
	case e.NotSent:
		what = "not sent"
	case e.Class == Permanent:
		what = "PSA refused"
	case e.Class == RateLimited:
		what = "PSA rate limit"
	case e.Status == 0:
		what = "PSA unreachable"
	}
	if e.Status >= 300 {
		return fmt.Sprintf("%s (HTTP %d): %s", what, e.Status, msg)
	}
	return fmt.Sprintf("%s: %s", what, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// ClassOf returns the class of err: its *Error's class, Retryable for
// unclassified errors (the safe default: a retry can be stopped, a lost
// alert cannot be found), and Permanent for ErrNotFound.
func ClassOf(err error) Class {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Class
	}
	if errors.Is(err, ErrNotFound) {
		return Permanent
	}
	return Retryable
}

// RetryAfterOf returns the PSA's requested wait, or 0.
func RetryAfterOf(err error) time.Duration {
	var pe *Error
	if errors.As(err, &pe) && pe.Class == RateLimited {
		return pe.RetryAfter
	}
	return 0
}

// NotSent reports whether err says the request was never sent.
func NotSent(err error) bool {
	var pe *Error
	return errors.As(err, &pe) && pe.NotSent
}
