package bench

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
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

// CallLog wraps a simulator handler and records the calls of one API
// user (ticketbridge's): their kind, status and timing, and when the
// write carrying each alert's marker finished.
type CallLog struct {
	next http.Handler
	user string

	mu      sync.Mutex
	calls   []Call
	written map[string]time.Time // alert key → end of the first write holding its marker
}

// NewCallLog records the calls user makes to next.
func NewCallLog(next http.Handler, user string) *CallLog {
	return &CallLog{next: next, user: strings.ToLower(user), written: map[string]time.Time{}}
}

// ServeHTTP forwards the request and records it.
func (l *CallLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.ToLower(r.Header.Get("UserName")) != l.user {
		l.next.ServeHTTP(w, r)
		return
	}
	kind := callKind(r.Method, r.URL.Path)
	var body []byte
	if kind == "ticket.create" || kind == "note.create" {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	cw := &captureWriter{ResponseWriter: w, status: http.StatusOK}
	start := time.Now()
	l.next.ServeHTTP(cw, r)
	end := time.Now()
	c := Call{Kind: kind, Status: cw.status, Start: start, End: end}
	c.OverBudget = cw.status == http.StatusTooManyRequests && bytes.Contains(cw.head.Bytes(), []byte("threshold"))
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, c)
	if body != nil && cw.status < 300 {
		for _, k := range Markers(description(body)) {
			if _, ok := l.written[k]; !ok {
				l.written[k] = end
			}
		}
	}
}

// description returns the description field of a ticket or note body.
func description(b []byte) string {
	var v struct{ Description string }
	_ = json.Unmarshal(b, &v)
	return v.Description
}

// Calls returns the calls recorded so far.
func (l *CallLog) Calls() []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Call(nil), l.calls...)
}

// Written returns when the write carrying the alert's marker finished.
func (l *CallLog) Written(key string) (time.Time, bool) {
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

// entityNames are the singular names of the entities' paths.
var entityNames = map[string]string{
	"tickets": "ticket", "ticketnotes": "note", "companies": "company", "contacts": "contact", "resources": "resource",
}

// callKind names a call by method and path after V1.0.
func callKind(method, path string) string {
	segs := strings.Split(strings.Trim(strings.ToLower(path), "/"), "/")
	for len(segs) > 0 && segs[0] != "v1.0" {
		segs = segs[1:]
	}
	if len(segs) < 2 {
		return "other"
	}
	segs = segs[1:]
	entity := entityNames[segs[0]]
	if entity == "" {
		entity = segs[0]
	}
	if len(segs) > 1 && segs[1] == "entityinformation" {
		return entity + ".fields"
	}
	switch {
	case len(segs) == 1 && method == http.MethodPost:
		return entity + ".create"
	case len(segs) == 1 && (method == http.MethodPatch || method == http.MethodPut):
		return entity + ".update"
	case segs[len(segs)-1] == "query" || (len(segs) > 1 && segs[len(segs)-2] == "query"):
		return entity + ".query"
	case len(segs) == 3 && segs[2] == "notes" && method == http.MethodPost:
		return "note.create"
	case len(segs) == 3 && segs[2] == "notes":
		return "note.list"
	case len(segs) == 2 && method == http.MethodGet:
		return entity + ".get"
	}
	return entity + "." + strings.ToLower(method)
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
