package simfault_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa/simfault"
)

const upstreamBody = `{"item":{"id":42,"title":"a ticket title long enough to cut"}}`

// upstream is a stand-in simulator that counts the requests it served.
func upstream(served *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, upstreamBody)
	})
}

type result struct {
	status     int
	body       string
	retryAfter string
	err        error
}

func call(t *testing.T, url string, timeout time.Duration) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/atservicesrest/V1.0/Tickets", strings.NewReader(`{}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, body: string(b), retryAfter: resp.Header.Get("Retry-After"), err: err}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        simfault.Config
		served     int64         // requests the simulator saw
		timeout    time.Duration // the client's; default 10s
		check      func(t *testing.T, r result)
		wantCounts func(s simfault.Stats) int64
	}{
		{"none", simfault.Config{}, 1, 0, func(t *testing.T, r result) {
			if r.err != nil || r.status != http.StatusCreated || r.body != upstreamBody {
				t.Errorf("got %+v, want the upstream answer", r)
			}
		}, func(s simfault.Stats) int64 { return s.Upstream[http.StatusCreated] }},
		{"500", simfault.Config{Rate500: 1}, 0, 0, func(t *testing.T, r result) {
			wantError(t, r, http.StatusInternalServerError)
		}, func(s simfault.Stats) int64 { return s.Status500 }},
		{"429", simfault.Config{Rate429: 1}, 0, 0, func(t *testing.T, r result) {
			wantError(t, r, http.StatusTooManyRequests)
			if r.retryAfter != "" {
				t.Errorf("Retry-After %q, want none", r.retryAfter)
			}
		}, func(s simfault.Stats) int64 { return s.Status429 }},
		{"429 with Retry-After", simfault.Config{Rate429RetryAfter: 1, RetryAfter: 1500 * time.Millisecond}, 0, 0, func(t *testing.T, r result) {
			wantError(t, r, http.StatusTooManyRequests)
			if r.retryAfter != "2" {
				t.Errorf("Retry-After %q, want 2 (rounded up)", r.retryAfter)
			}
		}, func(s simfault.Stats) int64 { return s.Status429RetryAfter }},
		{"hang past the client time-out", simfault.Config{RateHang: 1, HangFor: time.Minute}, 1, time.Second, func(t *testing.T, r result) {
			if !errors.Is(r.err, context.DeadlineExceeded) {
				t.Errorf("got %+v, want the client's time-out", r)
			}
		}, func(s simfault.Stats) int64 { return s.Hangs }},
		{"hang bounded by HangFor", simfault.Config{RateHang: 1, HangFor: 50 * time.Millisecond}, 1, 0, func(t *testing.T, r result) {
			if r.err == nil || errors.Is(r.err, context.DeadlineExceeded) {
				t.Errorf("got %+v, want a dropped connection before the client's time-out", r)
			}
		}, func(s simfault.Stats) int64 { return s.Hangs }},
		{"slow", simfault.Config{RateSlow: 1, SlowFixed: time.Millisecond, SlowJitter: time.Millisecond}, 1, 0, func(t *testing.T, r result) {
			if r.err != nil || r.status != http.StatusCreated || r.body != upstreamBody {
				t.Errorf("got %+v, want the upstream answer", r)
			}
		}, func(s simfault.Stats) int64 { return s.Slow }},
		{"reset", simfault.Config{RateReset: 1}, 0, 0, func(t *testing.T, r result) {
			if r.err == nil {
				t.Errorf("got %+v, want a transport error", r)
			}
		}, func(s simfault.Stats) int64 { return s.Resets }},
		{"truncate", simfault.Config{RateTruncate: 1}, 1, 0, func(t *testing.T, r result) {
			if r.err != nil || r.status != http.StatusCreated || r.body != upstreamBody[:len(upstreamBody)/2] {
				t.Errorf("got %+v, want the first half of the upstream body", r)
			}
			wantInvalidJSON(t, r.body)
		}, func(s simfault.Stats) int64 { return s.Truncated }},
		{"malformed", simfault.Config{RateMalformed: 1}, 1, 0, func(t *testing.T, r result) {
			if r.err != nil || r.status != http.StatusCreated {
				t.Errorf("got %+v, want the upstream status", r)
			}
			wantInvalidJSON(t, r.body)
		}, func(s simfault.Stats) int64 { return s.Malformed }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var served atomic.Int64
			in := simfault.Wrap(upstream(&served), tt.cfg)
			srv := httptest.NewServer(in)
			defer srv.Close()
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			tt.check(t, call(t, srv.URL, timeout))
			if got := served.Load(); got != tt.served {
				t.Errorf("simulator served %d requests, want %d", got, tt.served)
			}
			s := in.Stats()
			if s.Requests != 1 || tt.wantCounts(s) != 1 {
				t.Errorf("stats %+v: want 1 request and 1 of this fault", s)
			}
		})
	}
}

func wantError(t *testing.T, r result, status int) {
	t.Helper()
	var body struct{ Errors []string }
	if r.err != nil || r.status != status || json.Unmarshal([]byte(r.body), &body) != nil || len(body.Errors) != 1 {
		t.Errorf("got %+v, want %d with an Autotask error body", r, status)
	}
}

func wantInvalidJSON(t *testing.T, body string) {
	t.Helper()
	var v any
	if json.Unmarshal([]byte(body), &v) == nil {
		t.Errorf("body %q is valid JSON", body)
	}
}

func TestBodyFor(t *testing.T) {
	t.Parallel()
	in := simfault.Wrap(http.NotFoundHandler(), simfault.Config{Rate500: 1, BodyFor: func(status int, msg string) []byte {
		return fmt.Appendf(nil, `{"code":%d,"message":%q}`, status, msg)
	}})
	srv := httptest.NewServer(in)
	defer srv.Close()
	r := call(t, srv.URL, time.Second)
	if r.status != http.StatusInternalServerError || !strings.HasPrefix(r.body, `{"code":500,"message":"simulated fault`) {
		t.Errorf("got %+v, want the custom body", r)
	}
}

// TestIneligibleNotFaulted: requests Eligible spares (a simulator's
// discovery calls) pass through even at a 100% fault rate; others do not.
func TestIneligibleNotFaulted(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	spare := func(r *http.Request) bool {
		p := strings.ToLower(r.URL.Path)
		return !strings.Contains(p, "zoneinformation") && !strings.Contains(p, "versioninformation")
	}
	in := simfault.Wrap(upstream(&served), simfault.Config{Rate500: 1, Eligible: spare})
	srv := httptest.NewServer(in)
	defer srv.Close()
	for _, path := range []string{"/atservicesrest/V1.0/zoneInformation?user=x", "/ATServicesRest/versionInformation/"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("%s: status %d, want the upstream answer", path, resp.StatusCode)
		}
	}
	if r := call(t, srv.URL, time.Second); r.status != http.StatusInternalServerError {
		t.Errorf("API call: %+v, want a fault", r)
	}
}

// TestSeedDeterministic: the same seed gives the same faults in the same
// order for sequential requests, and the mix follows the rates.
func TestSeedDeterministic(t *testing.T) {
	t.Parallel()
	cfg := simfault.Config{Rate500: 0.3, Rate429: 0.2, Seed: 7}
	run := func() []int {
		var served atomic.Int64
		in := simfault.Wrap(upstream(&served), cfg)
		var out []int
		for range 200 {
			w := httptest.NewRecorder()
			in.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/atservicesrest/V1.0/Tickets/1", nil))
			out = append(out, w.Code)
		}
		return out
	}
	a, b := run(), run()
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two runs with one seed differ:\n%s", diff)
	}
	counts := map[int]int{}
	for _, c := range a {
		counts[c]++
	}
	// 200 draws: 60 ± 30 500s and 40 ± 25 429s leave no room for a
	// broken draw (all or none) yet never fail a correct one.
	if counts[500] < 30 || counts[500] > 90 || counts[429] < 15 || counts[429] > 65 {
		t.Errorf("fault mix %v does not follow rates 0.3 / 0.2", counts)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  simfault.Config
		ok   bool
	}{
		{"zero", simfault.Config{}, true},
		{"every fault", simfault.Config{Rate500: 0.1, Rate429: 0.05, RateHang: 0.02, RateMalformed: 0.02, RateSlow: 0.1}, true},
		{"negative", simfault.Config{Rate500: -0.1}, false},
		{"above one", simfault.Config{RateReset: 1.5}, false},
		{"sum above one", simfault.Config{Rate500: 0.6, Rate429: 0.6}, false},
		{"negative duration", simfault.Config{SlowFixed: -time.Second}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.cfg.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestStatsPath(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	in := simfault.Wrap(upstream(&served), simfault.Config{Rate500: 1, StatsPath: "/_simfault/stats"})
	srv := httptest.NewServer(in)
	defer srv.Close()
	call(t, srv.URL, time.Second)
	resp, err := http.Get(srv.URL + "/_simfault/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s simfault.Stats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	if s.Requests != 1 || s.Status500 != 1 || s.Injected() != 1 {
		t.Errorf("stats %+v, want the one faulted request (the stats call not counted)", s)
	}
}
