package autotasksim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/autotask/autotasksim"
)

func TestRequestThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		retryAfter time.Duration
		wantHeader string
	}{
		{"no rate-limit headers by default", 0, ""},
		{"Retry-After when asked for", 90 * time.Second, "90"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newClock()
			sim, c := start(t, autotasksim.Options{HourlyLimit: 20, Window: time.Minute, Now: clock.Now, RetryAfter: tt.retryAfter})
			for range 19 {
				c.call(http.MethodGet, "Companies/175", nil, 200)
				clock.Advance(time.Second)
			}
			th := c.call(http.MethodGet, "ThresholdInformation", nil, 200)
			want := map[string]any{"externalRequestThreshold": 20.0, "requestThresholdTimeframe": 60.0, "currentTimeframeRequestCount": 20.0}
			if diff := cmp.Diff(want, th); diff != "" {
				t.Errorf("ThresholdInformation (-want +got):\n%s", diff)
			}
			status, body, hdr := c.do(http.MethodGet, "Companies/175", nil)
			if status != http.StatusTooManyRequests {
				t.Fatalf("21st request: status %d, want 429 (body %s)", status, body)
			}
			var e struct{ Errors []string }
			if err := json.Unmarshal(body, &e); err != nil || len(e.Errors) != 1 {
				t.Errorf("429 body %s", body)
			}
			if got := hdr.Get("Retry-After"); got != tt.wantHeader {
				t.Errorf("Retry-After = %q, want %q", got, tt.wantHeader)
			}
			if n := sim.RequestCount(); n != 20 {
				t.Errorf("RequestCount = %d, want 20 (refused requests are not counted)", n)
			}
			// The first hit leaves the rolling window, making room for one.
			clock.Advance(time.Minute - 19*time.Second + time.Millisecond)
			c.call(http.MethodGet, "Companies/175", nil, 200)
			if status, _, _ := c.do(http.MethodGet, "Companies/175", nil); status != http.StatusTooManyRequests {
				t.Errorf("with the window full again: status %d, want 429", status)
			}
			clock.Advance(time.Hour)
			got := c.call(http.MethodGet, "ThresholdInformation", nil, 200)["currentTimeframeRequestCount"]
			if got != 1.0 {
				t.Errorf("a window later currentTimeframeRequestCount = %v, want 1", got)
			}
		})
	}
}

// TestThreadLimit fires four requests at once at endpoints that each take
// Latency; the counts of refusals, not timings, are asserted.
func TestThreadLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		paths       []string
		status      int
		wantRefused int
	}{
		{"fourth on one entity is refused", []string{"Companies/175", "Companies/176", "Companies/query/count?search=" + searchAll, "Companies/entityInformation"}, 0, 1},
		{"status is configurable", []string{"Tickets/entityInformation", "Tickets/entityInformation", "Tickets/entityInformation", "Tickets/entityInformation"}, 500, 1},
		{"entities have separate gates", []string{"Companies/175", "Companies/176", "Companies/177", "Contacts/31"}, 0, 0},
		{"child path counts on the child entity", []string{"Tickets/1/Notes", "TicketNotes/entityInformation", "TicketNotes/entityInformation", "Tickets/entityInformation"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := start(t, autotasksim.Options{Latency: 500 * time.Millisecond, ThreadLimitStatus: tt.status})
			wantStatus := tt.status
			if wantStatus == 0 {
				wantStatus = http.StatusTooManyRequests
			}
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				refused []string
				begin   = make(chan struct{})
			)
			for _, p := range tt.paths {
				wg.Go(func() {
					<-begin
					status, body, _ := c.do(http.MethodGet, p, nil)
					if status != http.StatusOK {
						mu.Lock()
						refused = append(refused, fmt.Sprintf("%d %s", status, body))
						mu.Unlock()
					}
				})
			}
			close(begin)
			wg.Wait()
			if len(refused) != tt.wantRefused {
				t.Fatalf("refused %d requests, want %d: %q", len(refused), tt.wantRefused, refused)
			}
			want := fmt.Sprintf(`%d {"errors":["Thread Threshold Exceeded: the thread threshold of 3 threads has been exceeded. Itgenatr005"]}`, wantStatus)
			for _, r := range refused {
				if r != want {
					t.Errorf("refusal %q, want %q", r, want)
				}
			}
		})
	}
}

const searchAll = `%7B%22filter%22%3A%5B%7B%22op%22%3A%22gte%22%2C%22field%22%3A%22id%22%2C%22value%22%3A0%7D%5D%7D`

func TestThrottleLatencyStillAnswers(t *testing.T) {
	t.Parallel()
	// A 36s window scales the 0.5s/1s usage delays to 5ms/10ms.
	sim, c := start(t, autotasksim.Options{HourlyLimit: 8, Window: 36 * time.Second, ThrottleLatency: true})
	for range 8 {
		c.call(http.MethodGet, "Version", nil, 200)
	}
	if n := sim.RequestCount(); n != 8 {
		t.Errorf("RequestCount = %d, want 8", n)
	}
}
