package psahttp

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Classify maps a non-2xx HTTP status to an error class:
//   - 429 is RateLimited;
//   - 408 (request timeout) and 425 (too early) are Retryable: the request
//     itself was fine, the moment was not;
//   - 5xx is Retryable, except 501 (the PSA will never implement the call);
//   - every other status (other 4xx, stray 1xx/3xx) is Permanent: sending the
//     same request again would get the same answer.
//
// Transport errors and time-outs never reach Classify; Client.Do makes them
// Retryable.
func Classify(status int) psa.Class {
	switch {
	case status == http.StatusTooManyRequests:
		return psa.RateLimited
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly:
		return psa.Retryable
	case status == http.StatusNotImplemented:
		return psa.Permanent
	case status >= 500 && status <= 599:
		return psa.Retryable
	}
	return psa.Permanent
}

// ParseRetryAfter reads a Retry-After header value: delay-seconds or an
// HTTP date (relative to now). It returns 0 when the value is absent or
// unreadable, so the caller's default applies, and never a negative wait.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	if d := at.Sub(now); d > 0 {
		return d
	}
	return 0
}
