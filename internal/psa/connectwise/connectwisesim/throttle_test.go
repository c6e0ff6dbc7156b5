package connectwisesim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/connectwise/connectwisesim"
)

func TestRateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		wantStatus int
	}{
		{"429 by default", 0, http.StatusTooManyRequests},
		{"503 when asked", http.StatusServiceUnavailable, http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newClock()
			sim, c := start(t, connectwisesim.Options{RateLimit: 5, Window: time.Minute, ThrottleStatus: tt.status, Now: clock.Now})
			for range 5 {
				c.list("service/boards")
				clock.Advance(10 * time.Second)
			}
			status, body, hdr := c.do(http.MethodGet, "service/boards", nil)
			if status != tt.wantStatus {
				t.Fatalf("6th request: %d %s", status, body)
			}
			// The first request leaves the window 60s after it was made,
			// 10s from now.
			if hdr.Get("Retry-After") != "10" {
				t.Errorf("Retry-After = %q, want 10", hdr.Get("Retry-After"))
			}
			if sim.RequestCount() != 5 {
				t.Errorf("RequestCount = %d, want 5 (refused requests are not counted)", sim.RequestCount())
			}
			if resp, err := http.Get(c.site + "/login/companyinfo/msptest"); err != nil || resp.StatusCode != 200 {
				t.Errorf("discovery is throttled: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
			clock.Advance(10*time.Second + time.Millisecond)
			c.list("service/boards")
			if status, _, _ := c.do(http.MethodGet, "service/boards", nil); status != tt.wantStatus {
				t.Errorf("window full again: %d", status)
			}
		})
	}
}

func TestNoRateLimitByDefault(t *testing.T) {
	t.Parallel()
	sim, c := start(t, connectwisesim.Options{})
	for range 200 {
		c.list("service/priorities")
	}
	if sim.RequestCount() != 0 {
		t.Errorf("RequestCount = %d with throttling off", sim.RequestCount())
	}
}
