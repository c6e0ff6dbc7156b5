package psatest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// classifyStatuses are the answers the classification table covers.
var classifyStatuses = []int{400, 401, 403, 404, 429, 500, 502, 503}

// retryAfterSeconds is what the 429 answer asks for; a connector must pass
// it on so the engine waits exactly that long.
const retryAfterSeconds = 7

// testClassification points the connector at servers that answer every
// request with one status and checks the class of the error Test returns.
func (s *suite) testClassification(t *testing.T) {
	for _, status := range classifyStatuses {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			body := s.f.ErrorBody(status)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if status == http.StatusTooManyRequests {
					w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
				}
				w.WriteHeader(status)
				w.Write(body)
			}))
			defer srv.Close()
			err := s.testAgainst(t, srv.URL)
			want := s.f.ExpectedClass(status)
			if got := psa.ClassOf(err); err == nil || got != want {
				t.Fatalf("HTTP %d: class %s (err %v), want %s", status, got, err, want)
			}
			if want == psa.RateLimited {
				if got := psa.RetryAfterOf(err); got != retryAfterSeconds*time.Second {
					t.Errorf("RetryAfter = %s, want %ds from the Retry-After header", got, retryAfterSeconds)
				}
			}
		})
	}
	t.Run("hanging server", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		defer srv.Close()
		defer close(release)
		err := s.testAgainst(t, srv.URL)
		if got := psa.ClassOf(err); err == nil || got != psa.Retryable {
			t.Fatalf("hanging server: class %s (err %v), want retryable", got, err)
		}
	})
}

// testAgainst calls Test on a connector pointed at url, bounded so a
// connector that ignores its time-out fails instead of hanging the suite.
func (s *suite) testAgainst(t *testing.T, url string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	err := s.f.AgainstURL(url).Test(ctx)
	if ctx.Err() != nil {
		t.Fatalf("Test did not return before the suite's 20s bound: %v", err)
	}
	return err
}
