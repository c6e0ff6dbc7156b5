package bench

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa/driver"
)

// Call is one request ticketbridge made to the simulator.
type Call struct {
	Kind       string // ticket.create, note.create, ticket.get, contact.query, ...
	Status     int
	Start, End time.Time
	// OverBudget marks a 429 the simulator answered because the request
	// budget of its window was spent (not the thread limit).
	OverBudget bool
}

// Classifier tells a call log which requests are the integration's and
// what they are; every driver.Simulator is one.
type Classifier interface {
	Call(r *http.Request) driver.Call
	OverBudget(status int, body []byte) bool
}

// CallLog wraps a simulator handler and records the calls of the
// integration's API user: their kind, status and timing, and when the
// write carrying each alert's marker finished.
type CallLog struct {
	next     http.Handler
	classify Classifier

	mu      sync.Mutex
	calls   []Call
	written map[string][2]time.Time // alert key → start and end of the first write holding its marker
}

// NewCallLog records the integration's calls to next, as c classifies them.
func NewCallLog(next http.Handler, c Classifier) *CallLog {
	return &CallLog{next: next, classify: c, written: map[string][2]time.Time{}}
}

// ServeHTTP forwards the request and records it.
func (l *CallLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := l.classify.Call(r)
	if !call.Ours {
		l.next.ServeHTTP(w, r)
		return
	}
	var body []byte
	if call.Kind == "ticket.create" || call.Kind == "note.create" {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	cw := &captureWriter{ResponseWriter: w, status: http.StatusOK}
	start := time.Now()
	l.next.ServeHTTP(cw, r)
	end := time.Now()
	c := Call{Kind: call.Kind, Status: cw.status, Start: start, End: end, OverBudget: l.classify.OverBudget(cw.status, cw.head.Bytes())}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, c)
	if body != nil && cw.status < 300 {
		for _, k := range bodyMarkers(body) {
			if _, ok := l.written[k]; !ok {
				l.written[k] = [2]time.Time{start, end}
			}
		}
	}
}

// bodyMarkers returns the alert markers in any string of a JSON body,
// wherever the PSA keeps a ticket's or note's text (description,
// initialDescription, text, a GraphQL variable, ...).
func bodyMarkers(b []byte) []string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, Markers(v)...)
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// Calls returns the calls recorded so far.
func (l *CallLog) Calls() []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Call(nil), l.calls...)
}

// Written returns when the write carrying the alert's marker finished.
func (l *CallLog) Written(key string) (time.Time, bool) {
	t, ok := l.WriteSpan(key)
	return t[1], ok
}

// WriteSpan returns when the write carrying the alert's marker started
// and finished.
func (l *CallLog) WriteSpan(key string) ([2]time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.written[key]
	return t, ok
}

// busy returns the union of the calls' [start, end] intervals, sorted: the
// times at which ticketbridge was waiting on the simulator.
func (l *CallLog) busy() [][2]time.Time {
	calls := l.Calls()
	sort.Slice(calls, func(i, j int) bool { return calls[i].Start.Before(calls[j].Start) })
	var out [][2]time.Time
	for _, c := range calls {
		if n := len(out); n > 0 && !c.Start.After(out[n-1][1]) {
			if c.End.After(out[n-1][1]) {
				out[n-1][1] = c.End
			}
			continue
		}
		out = append(out, [2]time.Time{c.Start, c.End})
	}
	return out
}

// overlap is how much of [from, to] the sorted intervals cover.
func overlap(busy [][2]time.Time, from, to time.Time) time.Duration {
	i := sort.Search(len(busy), func(i int) bool { return busy[i][1].After(from) })
	var d time.Duration
	for ; i < len(busy) && busy[i][0].Before(to); i++ {
		s, e := busy[i][0], busy[i][1]
		if s.Before(from) {
			s = from
		}
		if e.After(to) {
			e = to
		}
		d += e.Sub(s)
	}
	return d
}

// captureWriter keeps the status and the first bytes of the body.
type captureWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	head        bytes.Buffer
}

func (c *captureWriter) WriteHeader(status int) {
	if !c.wroteHeader {
		c.status, c.wroteHeader = status, true
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *captureWriter) Write(p []byte) (int, error) {
	c.wroteHeader = true
	if room := 512 - c.head.Len(); room > 0 {
		c.head.Write(p[:min(room, len(p))])
	}
	return c.ResponseWriter.Write(p)
}
