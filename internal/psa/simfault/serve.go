package simfault

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
)

// ServeHTTP draws a fault for the request and injects it, or forwards.
func (in *Injector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if in.cfg.StatsPath != "" && r.URL.Path == in.cfg.StatsPath && r.Method == http.MethodGet {
		in.serveStats(w)
		return
	}
	in.count(func(s *Stats) { s.Requests++ })
	kind, delay := None, time.Duration(0)
	if in.cfg.Eligible(r) {
		kind, delay = in.draw()
	}
	switch kind {
	case Fault500:
		in.count(func(s *Stats) { s.Status500++ })
		in.writeError(w, http.StatusInternalServerError, "simulated fault: internal server error")
	case Fault429:
		in.count(func(s *Stats) { s.Status429++ })
		in.writeError(w, http.StatusTooManyRequests, "simulated fault: too many requests")
	case Fault429RetryAfter:
		in.count(func(s *Stats) { s.Status429RetryAfter++ })
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(in.cfg.RetryAfter.Seconds()))))
		in.writeError(w, http.StatusTooManyRequests, "simulated fault: too many requests, retry later")
	case FaultReset:
		in.count(func(s *Stats) { s.Resets++ })
		reset(w)
	case FaultSlow:
		in.count(func(s *Stats) { s.Slow++ })
		wait(r, delay)
		in.forward(w, r)
	case FaultHang:
		in.count(func(s *Stats) { s.Hangs++ })
		in.hang(w, r)
	case FaultTruncate, FaultMalformed:
		in.corrupt(w, r, kind)
	default:
		in.forward(w, r)
	}
}

func (in *Injector) writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(in.cfg.BodyFor(status, msg))
}

// forward serves the request upstream, counting the status it answered.
func (in *Injector) forward(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	in.next.ServeHTTP(sw, r)
	in.count(func(s *Stats) { s.Upstream[sw.status]++ })
}

// hang lets the simulator do the work, then never answers: the client sees
// its time-out (or, after HangFor, a dropped connection) with the write
// already applied.
func (in *Injector) hang(w http.ResponseWriter, r *http.Request) {
	in.record(r)
	// The server notices a client that gave up only once the body is
	// consumed; the simulator may not have read all of it.
	_, _ = io.Copy(io.Discard, r.Body)
	t := time.NewTimer(in.cfg.HangFor)
	defer t.Stop()
	select {
	case <-r.Context().Done():
	case <-t.C:
	}
	reset(w)
}

// corrupt lets the simulator answer, then cuts its body in half or swaps
// it for invalid JSON, keeping the status and headers.
func (in *Injector) corrupt(w http.ResponseWriter, r *http.Request, kind Kind) {
	rec := in.record(r)
	body := rec.body.Bytes()
	if kind == FaultTruncate {
		in.count(func(s *Stats) { s.Truncated++ })
		body = body[:len(body)/2]
	} else {
		in.count(func(s *Stats) { s.Malformed++ })
		body = []byte(`{"item": {"id": 1,, "errors": [`)
	}
	h := w.Header()
	for k, v := range rec.header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.status)
	_, _ = w.Write(body)
}

// record runs the simulator into a buffer.
func (in *Injector) record(r *http.Request) *recorder {
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	in.next.ServeHTTP(rec, r)
	in.count(func(s *Stats) { s.Upstream[rec.status]++ })
	return rec
}

// reset drops the connection with a TCP reset where it can hijack it, and
// otherwise aborts the response (the server then closes the connection).
func reset(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // RST instead of an orderly FIN
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func wait(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
	case <-t.C:
	}
}

// recorder buffers an upstream answer.
type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (rc *recorder) Header() http.Header { return rc.header }

func (rc *recorder) WriteHeader(status int) {
	if !rc.wroteHeader {
		rc.status, rc.wroteHeader = status, true
	}
}

func (rc *recorder) Write(p []byte) (int, error) {
	rc.wroteHeader = true
	return rc.body.Write(p)
}

// statusWriter remembers the status the upstream wrote.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (sw *statusWriter) WriteHeader(status int) {
	if !sw.wroteHeader {
		sw.status, sw.wroteHeader = status, true
	}
	sw.ResponseWriter.WriteHeader(status)
}

func (sw *statusWriter) Write(p []byte) (int, error) {
	sw.wroteHeader = true
	return sw.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the real writer.
func (sw *statusWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

func (in *Injector) serveStats(w http.ResponseWriter) {
	b, _ := json.Marshal(in.Stats())
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
