package connectwise

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// Paging limits: ConnectWise caps pageSize at 1000; maxPages bounds one
// listing so a server that always links a next page cannot loop us.
const (
	pageSize = 1000
	maxPages = 200
)

// collect GETs every page of a collection. It follows the Link header's
// rel="next"; an answer without a Link header is paged by number until a
// short page, as ConnectWise does not link every collection.
func collect[T any](ctx context.Context, c *Connector, path string, q url.Values, op string) ([]T, error) {
	if q == nil {
		q = url.Values{}
	}
	q.Set("pageSize", strconv.Itoa(pageSize))
	var all []T
	for n := 1; n <= maxPages; n++ {
		q.Set("page", strconv.Itoa(n))
		var rows []T
		hdr, err := c.call(ctx, http.MethodGet, path+"?"+q.Encode(), op, nil, &rows)
		if err != nil {
			return nil, err
		}
		all = append(all, rows...)
		links := hdr.Values("Link")
		if len(links) > 0 {
			next := linkRel(strings.Join(links, ","), "next")
			if next == "" {
				return all, nil
			}
			return follow(ctx, c, next, op, all, n)
		}
		if len(rows) < pageSize {
			return all, nil
		}
	}
	return nil, tooManyPages(op)
}

// follow reads the pages a Link header chain points at, from next on.
func follow[T any](ctx context.Context, c *Connector, next, op string, all []T, done int) ([]T, error) {
	for n := done + 1; n <= maxPages; n++ {
		var rows []T
		hdr, err := c.call(ctx, http.MethodGet, next, op, nil, &rows)
		if err != nil {
			return nil, err
		}
		all = append(all, rows...)
		if next = linkRel(strings.Join(hdr.Values("Link"), ","), "next"); next == "" {
			return all, nil
		}
	}
	return nil, tooManyPages(op)
}

func tooManyPages(op string) error {
	return &psa.Error{Class: psa.Permanent, Message: fmt.Sprintf("%s: more than %d pages", op, maxPages)}
}

// linkRel returns the URL of the link with relation rel in an RFC 8288
// Link header (`<url>; rel="next", <url>; rel="last"`), or "".
func linkRel(header, rel string) string {
	for {
		start := strings.IndexByte(header, '<')
		if start < 0 {
			return ""
		}
		end := strings.IndexByte(header[start:], '>')
		if end < 0 {
			return ""
		}
		target := strings.TrimSpace(header[start+1 : start+end])
		header = header[start+end+1:]
		params, _, _ := strings.Cut(header, "<")
		if hasRel(params, rel) {
			return target
		}
	}
}

// hasRel reports whether a link's parameters (`; rel="next", `) name rel;
// rel may hold several space-separated relations.
func hasRel(params, rel string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
			continue
		}
		v = strings.Trim(strings.TrimSuffix(strings.TrimSpace(v), ","), `" `)
		for _, r := range strings.Fields(v) {
			if strings.EqualFold(r, rel) {
				return true
			}
		}
	}
	return false
}

// headerSink receives the response headers of a request's last attempt:
// psahttp returns status and body only, and paging needs the Link header.
type headerSink struct {
	mu sync.Mutex
	h  http.Header
}

func (s *headerSink) set(h http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.h = h
}

func (s *headerSink) get() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h == nil {
		return http.Header{}
	}
	return s.h
}

type sinkKey struct{}

func withSink(ctx context.Context, s *headerSink) context.Context {
	return context.WithValue(ctx, sinkKey{}, s)
}

// captureTransport hands each response's headers to the request's sink.
type captureTransport struct{ base http.RoundTripper }

func (t captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		if s, ok := r.Context().Value(sinkKey{}).(*headerSink); ok {
			s.set(resp.Header.Clone())
		}
	}
	return resp, err
}

// captureClient copies hc with the capturing transport. Redirects are not
// followed: Go forwards custom headers such as clientId to any host a
// redirect names, and the ConnectWise API does not redirect; a 3xx is
// reported as a permanent failure instead.
func captureClient(hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	cp := *hc
	base := cp.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp.Transport = captureTransport{base: base}
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}
