package connectwise

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

func TestErrorClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		body       string
		retryAfter string
		class      psa.Class
		notFound   bool
		wantMsg    string
		attempts   int64 // GETs are retried on retryable answers (MaxAttempts 2)
	}{
		{name: "invalid object", status: 400, class: psa.Permanent, attempts: 1,
			body:    `{"code":"InvalidObject","message":"ticket object is invalid","errors":[{"code":"InvalidField","message":"Priority not found","resource":"ticket","field":"priority"}]}`,
			wantMsg: "ticket object is invalid; priority: Priority not found"},
		{name: "bad conditions", status: 400, class: psa.Permanent, attempts: 1,
			body:    `{"code":"InvalidObject","message":"Expected a boolean value, not a numeric.","errors":null}`,
			wantMsg: "Expected a boolean value"},
		{name: "unauthorized", status: 401, class: psa.Permanent, attempts: 1,
			body: `{"code":"Unauthorized","message":"Authentication failed"}`, wantMsg: "Authentication failed"},
		{name: "unauthorized without body", status: 401, class: psa.Permanent, attempts: 1,
			wantMsg: "check the company, public key, private key and clientId"},
		{name: "forbidden", status: 403, class: psa.Permanent, attempts: 1,
			body: `{"code":"ConnectWiseApi","message":"UserNotAuthenticated"}`, wantMsg: "UserNotAuthenticated"},
		{name: "record not found", status: 404, class: psa.Permanent, notFound: true, attempts: 1,
			body: `{"code":"NotFound","message":"Ticket 7 not found"}`, wantMsg: "Ticket 7 not found"},
		{name: "path not found is not a missing record", status: 404, class: psa.Permanent, attempts: 2,
			body: `<html></html>`, wantMsg: "API path not found"},
		{name: "conflict", status: 409, class: psa.Permanent, attempts: 1,
			body: `{"code":"Conflict","message":"Record in use"}`, wantMsg: "Record in use"},
		{name: "rate limited", status: 429, retryAfter: "7", class: psa.RateLimited, attempts: 1,
			body: `{"code":"TooManyRequests","message":"slow down"}`, wantMsg: "slow down"},
		{name: "server error", status: 500, class: psa.Retryable, attempts: 2,
			body:    `{"code":"ConnectWiseApi","message":"Length cannot be less than zero.\r\nParameter name: length","errors":null}`,
			wantMsg: "Length cannot be less than zero"},
		{name: "bad gateway", status: 502, class: psa.Retryable, attempts: 2, wantMsg: "Bad Gateway"},
		{name: "unavailable", status: 503, class: psa.Retryable, attempts: 2, wantMsg: "Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			var hits atomic.Int64
			f.api("GET", "service/tickets/{id}", func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			_, err := f.connector(t).Ticket(context.Background(), "7")
			var pe *psa.Error
			if !errors.As(err, &pe) || pe.Class != tt.class || pe.Status != tt.status {
				t.Fatalf("err = %v, want class %s status %d", err, tt.class, tt.status)
			}
			if errors.Is(err, psa.ErrNotFound) != tt.notFound {
				t.Errorf("errors.Is(ErrNotFound) = %v, want %v", !tt.notFound, tt.notFound)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err %q does not hold %q", err, tt.wantMsg)
			}
			if tt.retryAfter != "" && psa.RetryAfterOf(err) != 7*time.Second {
				t.Errorf("RetryAfter = %s, want 7s", psa.RetryAfterOf(err))
			}
			if hits.Load() != tt.attempts {
				t.Errorf("attempts = %d, want %d", hits.Load(), tt.attempts)
			}
		})
	}
}

func TestWritesAreNotRetried(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var hits atomic.Int64
	f.api("POST", "service/tickets", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(503)
	})
	_, err := f.connector(t).CreateTicket(context.Background(), psa.NewTicket{CompanyID: "1", Title: "x"})
	if psa.ClassOf(err) != psa.Retryable {
		t.Fatalf("err = %v, want retryable", err)
	}
	if hits.Load() != 1 {
		t.Errorf("create sent %d times, want 1: the engine recovers writes by external ref", hits.Load())
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	token := base64.StdEncoding.EncodeToString([]byte("acme+pub1:" + fakePrivate))
	f := newFake(t)
	// A server that echoes every credential it was sent.
	f.api("GET", "service/tickets/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"code":"Unauthorized","message":"bad `+r.Header.Get("Authorization")+` for `+r.Header.Get("clientId")+` key `+fakePrivate+`"}`)
	})
	f.api("POST", "service/tickets/{id}/notes", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		io.WriteString(w, `{"code":"InvalidObject","errors":[{"field":"text","message":"`+fakeClientID+`"}]}`)
	})
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := f.connector(t, func(cfg *Config) { cfg.Logger = log })
	_, errRead := c.Ticket(context.Background(), "7")
	_, errNote := c.AddNote(context.Background(), "7", psa.NewNote{Title: "t", Description: "d"})
	f.srv.Close() // now calls fail in transport, with the URL in play
	errTransport := c.Test(context.Background())
	if errRead == nil || errNote == nil || errTransport == nil {
		t.Fatalf("errors = %v, %v, %v; want all three calls to fail", errRead, errNote, errTransport)
	}
	if !strings.Contains(buf.String(), "psa request") {
		t.Fatalf("no request log lines: %q", buf.String())
	}
	for name, text := range map[string]string{
		"log": buf.String(), "read error": errRead.Error(), "note error": errNote.Error(), "transport error": errTransport.Error(),
	} {
		for secretName, s := range map[string]string{"private key": fakePrivate, "clientId": fakeClientID, "basic token": token} {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the %s: %q", name, secretName, text)
			}
		}
	}
	if !strings.Contains(errRead.Error(), "[redacted]") {
		t.Errorf("read error %q: want the echoed credentials replaced", errRead)
	}
}

// TestClassificationViaDiscovery mirrors psatest's table on Test with
// ConnectWise-shaped bodies, including the discovery call.
func TestClassificationViaDiscovery(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 429, 500, 502, 503} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			f := newBareFake(t)
			f.handle("/", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3")
				w.WriteHeader(status)
				io.WriteString(w, `{"code":"X","message":"simulated"}`)
			})
			err := f.connector(t).Test(context.Background())
			want := psa.Permanent
			switch {
			case status == 429:
				want = psa.RateLimited
			case status >= 500:
				want = psa.Retryable
			}
			if psa.ClassOf(err) != want || errors.Is(err, psa.ErrNotFound) {
				t.Fatalf("Test = %v (class %s), want %s and not ErrNotFound", err, psa.ClassOf(err), want)
			}
			if want == psa.RateLimited && psa.RetryAfterOf(err) != 3*time.Second {
				t.Errorf("RetryAfter = %s, want 3s", psa.RetryAfterOf(err))
			}
		})
	}
}

func TestParseError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, code, text string
	}{
		{name: "full shape", code: "InvalidObject", text: "ticket object is invalid; summary: Summary is required",
			body: `{"code":"InvalidObject","message":"ticket object is invalid","errors":[{"code":"MissingRequiredField","message":"Summary is required","resource":"ticket","field":"summary"}]}`},
		{name: "field error without message", code: "InvalidObject", text: "bad; board: InvalidField",
			body: `{"code":"InvalidObject","message":"bad","errors":[{"code":"InvalidField","field":"board"}]}`},
		{name: "errors null", code: "NotFound", text: "Ticket 9 not found", body: `{"code":"NotFound","message":"Ticket 9 not found","errors":null}`},
		{name: "string errors keep code and message", code: "X", text: "m; odd entry", body: `{"code":"X","message":"m","errors":["odd entry",7]}`},
		{name: "code only", code: "Unauthorized", text: "Unauthorized", body: `{"code":"Unauthorized"}`},
		{name: "not JSON", body: `<html>oops</html>`},
		{name: "empty", body: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := parseError([]byte(tt.body))
			if e.Code != tt.code || e.text() != tt.text {
				t.Errorf("parseError = code %q text %q; want %q, %q", e.Code, e.text(), tt.code, tt.text)
			}
		})
	}
}
