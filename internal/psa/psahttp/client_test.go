package psahttp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// testClient builds a client with fast retries and its own transport, so
// tests share no pooled connections.
func testClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Transport: tr}
	}
	if cfg.RetryBackoff == 0 {
		cfg.RetryBackoff = time.Millisecond
	}
	return New(cfg)
}

func get(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestDoStatusTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status  int
		wantErr bool
		class   psa.Class
		retried bool // an idempotent request is attempted MaxAttempts times
	}{
		{status: 200},
		{status: 201},
		{status: 204},
		{status: 301, wantErr: true, class: psa.Permanent},
		{status: 400, wantErr: true, class: psa.Permanent},
		{status: 401, wantErr: true, class: psa.Permanent},
		{status: 403, wantErr: true, class: psa.Permanent},
		{status: 404, wantErr: true, class: psa.Permanent},
		{status: 405, wantErr: true, class: psa.Permanent},
		{status: 408, wantErr: true, class: psa.Retryable, retried: true},
		{status: 409, wantErr: true, class: psa.Permanent},
		{status: 422, wantErr: true, class: psa.Permanent},
		{status: 425, wantErr: true, class: psa.Retryable, retried: true},
		{status: 429, wantErr: true, class: psa.RateLimited},
		{status: 500, wantErr: true, class: psa.Retryable, retried: true},
		{status: 501, wantErr: true, class: psa.Permanent},
		{status: 502, wantErr: true, class: psa.Retryable, retried: true},
		{status: 503, wantErr: true, class: psa.Retryable, retried: true},
		{status: 504, wantErr: true, class: psa.Retryable, retried: true},
	}
	for _, tt := range tests {
		for _, idempotent := range []bool{true, false} {
			name := strconv.Itoa(tt.status) + "/idempotent=" + strconv.FormatBool(idempotent)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var hits atomic.Int64
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					hits.Add(1)
					w.WriteHeader(tt.status)
				}))
				defer srv.Close()
				c := testClient(t, Config{MaxAttempts: 3})
				status, _, err := c.Do(context.Background(), get(t, srv.URL), "test", idempotent)
				if status != tt.status {
					t.Errorf("status = %d, want %d", status, tt.status)
				}
				if (err != nil) != tt.wantErr {
					t.Fatalf("err = %v, want error %v", err, tt.wantErr)
				}
				if tt.wantErr {
					var pe *psa.Error
					if !errors.As(err, &pe) || pe.Class != tt.class || pe.Status != tt.status {
						t.Errorf("err = %#v, want *psa.Error class %s status %d", err, tt.class, tt.status)
					}
				}
				want := int64(1)
				if tt.retried && idempotent {
					want = 3
				}
				if got := hits.Load(); got != want {
					t.Errorf("server saw %d attempts, want %d", got, want)
				}
			})
		}
	}
}

func TestDoTransportReset(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close()
	}))
	defer srv.Close()
	c := testClient(t, Config{MaxAttempts: 3})
	_, _, err := c.Do(context.Background(), get(t, srv.URL), "test", true)
	if psa.ClassOf(err) != psa.Retryable {
		t.Fatalf("class = %s (err %v), want retryable", psa.ClassOf(err), err)
	}
	if got := hits.Load(); got != 3 {
		t.Errorf("server saw %d attempts, want 3", got)
	}
}

func TestDoTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := testClient(t, Config{Timeout: 50 * time.Millisecond, MaxAttempts: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := c.Do(ctx, get(t, srv.URL), "test", true)
	var pe *psa.Error
	if !errors.As(err, &pe) || pe.Class != psa.Retryable || !strings.Contains(pe.Message, "timed out") {
		t.Fatalf("err = %v, want retryable time-out", err)
	}
	if got := hits.Load(); got != 2 {
		t.Errorf("server saw %d attempts, want 2", got)
	}
}

func TestDoCancelledContextIsNotRetried(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := testClient(t, Config{})
	_, _, err := c.Do(ctx, get(t, srv.URL), "test", true)
	if !errors.Is(err, context.Canceled) || psa.ClassOf(err) != psa.Retryable {
		t.Fatalf("err = %v, want retryable wrapping context.Canceled", err)
	}
	if hits.Load() != 0 {
		t.Errorf("server saw %d requests after cancel, want 0", hits.Load())
	}
}

func TestDoRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header string
		want   time.Duration
	}{
		{name: "absent", want: 0},
		{name: "seconds", header: "42", want: 42 * time.Second},
		{name: "http date", header: now.Add(3 * time.Minute).Format(http.TimeFormat), want: 3 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				w.WriteHeader(http.StatusTooManyRequests)
			}))
			defer srv.Close()
			c := testClient(t, Config{Now: func() time.Time { return now }})
			_, _, err := c.Do(context.Background(), get(t, srv.URL), "test", true)
			if psa.ClassOf(err) != psa.RateLimited {
				t.Fatalf("class = %s, want rate_limited", psa.ClassOf(err))
			}
			if got := psa.RetryAfterOf(err); got != tt.want {
				t.Errorf("RetryAfter = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDoClassifyBodyOverrides(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"errors":["title is required"]}`)
	}))
	defer srv.Close()
	var hits atomic.Int64
	c := testClient(t, Config{ClassifyBody: func(status int, body []byte) (psa.Class, bool) {
		hits.Add(1)
		if bytes.Contains(body, []byte("required")) {
			return psa.Permanent, true
		}
		return 0, false
	}})
	status, body, err := c.Do(context.Background(), get(t, srv.URL), "test", true)
	if psa.ClassOf(err) != psa.Permanent {
		t.Fatalf("class = %s, want permanent", psa.ClassOf(err))
	}
	if status != 500 || !bytes.Contains(body, []byte("required")) {
		t.Errorf("status, body = %d, %q; want the error answer returned beside the error", status, body)
	}
	if hits.Load() != 1 {
		t.Errorf("ClassifyBody called %d times, want 1 (permanent is not retried)", hits.Load())
	}
}

func TestDoResendsBodyOnRetry(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		n := len(bodies)
		mu.Unlock()
		if n < 3 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		io.WriteString(w, `{"items":[]}`)
	}))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"filter":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	c := testClient(t, Config{MaxAttempts: 3})
	status, body, err := c.Do(context.Background(), req, "query", true)
	if err != nil || status != 200 || string(body) != `{"items":[]}` {
		t.Fatalf("Do = %d, %q, %v; want 200 after retries", status, body, err)
	}
	want := []string{`{"filter":[]}`, `{"filter":[]}`, `{"filter":[]}`}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("bodies sent (-want +got):\n%s", diff)
	}
}

func TestDoBudgetRefusesWithoutSending(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer srv.Close()
	clock := newFakeClock()
	budget := NewBudget(2, time.Hour, clock.Now)
	c := testClient(t, Config{Budget: budget})
	for range 2 {
		if _, _, err := c.Do(context.Background(), get(t, srv.URL), "test", true); err != nil {
			t.Fatalf("request inside the budget failed: %v", err)
		}
	}
	_, _, err := c.Do(context.Background(), get(t, srv.URL), "test", true)
	var pe *psa.Error
	if !errors.As(err, &pe) || pe.Class != psa.RateLimited || pe.RetryAfter != time.Hour || pe.Message != "request budget exhausted" {
		t.Fatalf("err = %#v, want rate limited with RetryAfter 1h", err)
	}
	if got := hits.Load(); got != 2 {
		t.Errorf("server saw %d requests, want 2", got)
	}
}

func TestDoBudgetShortWaitSleeps(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer srv.Close()
	// A real clock with a tiny window: the second request waits for the
	// first slot to free instead of failing.
	budget := NewBudget(1, 20*time.Millisecond, nil)
	c := testClient(t, Config{Budget: budget})
	for i := range 2 {
		if _, _, err := c.Do(context.Background(), get(t, srv.URL), "test", true); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	if hits.Load() != 2 {
		t.Errorf("server saw %d requests, want 2", hits.Load())
	}
}

func TestDoConcurrencyCap(t *testing.T) {
	t.Parallel()
	var inFlight, maxInFlight atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
	}))
	defer srv.Close()
	c := testClient(t, Config{MaxConcurrent: 3})
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, _, err := c.Do(context.Background(), get(t, srv.URL), "test", true); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := maxInFlight.Load(); got > 3 || got < 1 {
		t.Errorf("max in flight = %d, want 1..3", got)
	}
}

func TestDoObserve(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	type call struct {
		Op     string
		Status int
	}
	var mu sync.Mutex
	var calls []call
	c := testClient(t, Config{Observe: func(op string, status int, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, call{op, status})
	}})
	c.Do(context.Background(), get(t, srv.URL), "tickets.get", true)
	if diff := cmp.Diff([]call{{"tickets.get", 404}}, calls); diff != "" {
		t.Errorf("observed calls (-want +got):\n%s", diff)
	}
}

func TestDoRedaction(t *testing.T) {
	t.Parallel()
	const secret = "S3cr3t$~*#@-value"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"errors":["bad credentials"]}`)
	}))
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := testClient(t, Config{Logger: log, MaxAttempts: 2})
	send := func(url string) error {
		req, err := http.NewRequest(http.MethodPost, url+"?user="+secret, strings.NewReader(`{"secret":"`+secret+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Secret", secret)
		req.Header.Set("Authorization", "Bearer "+secret)
		_, _, err = c.Do(context.Background(), req, "test", true)
		return err
	}
	errAnswer := send(srv.URL)
	srv.Close() // now the same call fails in transport, with the URL in play
	errTransport := send(srv.URL)
	if errAnswer == nil || errTransport == nil {
		t.Fatalf("errors = %v, %v; want both calls to fail", errAnswer, errTransport)
	}
	if !strings.Contains(buf.String(), "psa request") {
		t.Fatalf("log has no request lines: %q", buf.String())
	}
	for name, text := range map[string]string{
		"log": buf.String(), "status error": errAnswer.Error(), "transport error": errTransport.Error(),
	} {
		if strings.Contains(text, secret) || strings.Contains(text, "S3cr3t") {
			t.Errorf("%s holds the secret: %q", name, text)
		}
	}
}

// TestDoRereadsUnreadableAnswers: a read answered 200 with a cut or
// garbled JSON body is read again; a write's answer is returned as it
// came, for the connector to judge; a body that is not JSON at all is
// not second-guessed.
func TestDoRereadsUnreadableAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		idempotent bool
		bodies     []string
		want       string
		wantCalls  int
		wantErr    bool
	}{
		{"cut read is read again", true, []string{`{"items":[{"id":1`, `{"items":[]}`}, `{"items":[]}`, 2, false},
		{"garbled read is read again", true, []string{`{"item": {"id": 1,, "errors": [`, `[1]`}, `[1]`, 2, false},
		{"always cut gives up", true, []string{`[`, `[`, `[`}, "", 3, true},
		{"write is not repeated", false, []string{`{"itemId":`}, `{"itemId":`, 1, false},
		{"plain text is left alone", true, []string{`OK`}, `OK`, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(calls.Add(1)) - 1
				io.WriteString(w, tt.bodies[min(n, len(tt.bodies)-1)])
			}))
			defer srv.Close()
			c := testClient(t, Config{MaxAttempts: 3})
			_, body, err := c.Do(context.Background(), get(t, srv.URL), "read", tt.idempotent)
			if (err != nil) != tt.wantErr || (!tt.wantErr && string(body) != tt.want) || int(calls.Load()) != tt.wantCalls {
				t.Errorf("Do = %q, %v after %d calls; want %q, error %v, %d calls", body, err, calls.Load(), tt.want, tt.wantErr, tt.wantCalls)
			}
			if tt.wantErr && psa.ClassOf(err) != psa.Retryable {
				t.Errorf("class %v, want retryable", psa.ClassOf(err))
			}
		})
	}
}
