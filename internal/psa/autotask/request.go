package autotask

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/psahttp"
)

// maxPages bounds how many pages one query follows (500 records each), so a
// server that always answers with a next page cannot loop us forever.
const maxPages = 200

// root returns the zone's API root, discovering it on first use. The lock
// is held during discovery so concurrent first calls make one zone call.
func (c *Connector) root(ctx context.Context) (string, error) {
	c.zoneMu.Lock()
	defer c.zoneMu.Unlock()
	if c.zone != "" && c.now().Before(c.zoneExp) {
		return c.zone, nil
	}
	u := c.cfg.BaseURL + "v1.0/zoneInformation?user=" + url.QueryEscape(c.cfg.Username)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("autotask zone: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	// The zone lookup needs no credentials, so none are sent to it.
	status, body, err := c.http.Do(ctx, req, "zone.get", true)
	if err != nil {
		return "", c.wrap("zone.get", body, err)
	}
	var zi struct {
		ZoneName string `json:"zoneName"`
		URL      string `json:"url"`
	}
	if err := json.Unmarshal(body, &zi); err != nil || checkRoot(zi.URL) != nil {
		return "", &psa.Error{Class: psa.Permanent, Status: status, Message: "zone information has no usable url"}
	}
	if !strings.HasSuffix(zi.URL, "/") {
		zi.URL += "/"
	}
	c.zone, c.zoneExp = zi.URL, c.now().Add(zoneTTL)
	c.log.DebugContext(ctx, "autotask zone discovered", "zone", zi.ZoneName, "url", zi.URL)
	return c.zone, nil
}

// call sends one authenticated request. path is relative to the zone root
// ("V1.0/Tickets") or an absolute URL on the zone's host (a nextPageUrl).
// in is JSON-encoded when non-nil; out is decoded into when non-nil.
func (c *Connector) call(ctx context.Context, method, path, op string, in, out any) error {
	target, err := c.target(ctx, path)
	if err != nil {
		return err
	}
	var payload []byte
	if in != nil {
		if payload, err = json.Marshal(in); err != nil {
			return fmt.Errorf("autotask %s: encode request: %w", op, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("autotask %s: %w", op, err)
	}
	if in == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	c.authenticate(req)
	// Reads (GET, and POSTed queries) are safe to repeat; writes are not.
	idempotent := method == http.MethodGet || strings.Contains(strings.ToLower(target), "/query")
	_, body, err := c.http.Do(ctx, req, op, idempotent)
	if err != nil {
		return c.wrap(op, body, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		// A 2xx we cannot read may still mean the write happened (a cut
		// connection, a proxy): retry, and the retry looks for its own
		// earlier write by external reference or note marker first.
		return &psa.Error{Class: psa.Retryable, Message: op + ": unreadable response", Err: err}
	}
	return nil
}

// authenticate sets the three credential headers. This is the only place
// the credentials are revealed.
func (c *Connector) authenticate(req *http.Request) {
	req.Header.Set("ApiIntegrationCode", c.cfg.IntegrationCode.Reveal())
	req.Header.Set("UserName", c.cfg.Username)
	req.Header.Set("Secret", c.cfg.Secret.Reveal())
	req.Header.Set("Accept", "application/json")
	if req.ContentLength > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
}

// target resolves path against the zone root. Absolute URLs (next-page
// links from the PSA) must stay on the zone's origin: the credentials go
// with every request, and a link elsewhere would hand them over.
func (c *Connector) target(ctx context.Context, path string) (string, error) {
	root, err := c.root(ctx)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		return root + path, nil
	}
	if err := psahttp.CheckLink(root, path); err != nil {
		return "", &psa.Error{Class: psa.Permanent, Message: "next page link points outside the Autotask zone", Err: err}
	}
	return path, nil
}

// page is the query response envelope.
type page[T any] struct {
	Items       []T `json:"items"`
	PageDetails struct {
		NextPageURL *string `json:"nextPageUrl"`
	} `json:"pageDetails"`
}

// filter is one query condition or an and/or group.
type filter struct {
	Op    string   `json:"op"`
	Field string   `json:"field,omitempty"`
	Value any      `json:"value,omitempty"`
	Items []filter `json:"items,omitempty"`
}

// queryAll POSTs a query for entity and follows nextPageUrl until it is
// null. Autotask wants the next page POSTed with the same body again (a GET
// answers 405, an empty body 500).
func queryAll[T any](ctx context.Context, c *Connector, entity, op string, filters []filter) ([]T, error) {
	body := map[string]any{"filter": filters}
	return collect[T](ctx, c, http.MethodPost, "V1.0/"+entity+"/query", op, body)
}

// collect reads every page starting at path; body is re-sent with each.
func collect[T any](ctx context.Context, c *Connector, method, path, op string, body any) ([]T, error) {
	var all []T
	for range maxPages {
		var p page[T]
		if err := c.call(ctx, method, path, op, body, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if p.PageDetails.NextPageURL == nil || *p.PageDetails.NextPageURL == "" {
			return all, nil
		}
		path = *p.PageDetails.NextPageURL
	}
	return nil, &psa.Error{Class: psa.Permanent, Message: fmt.Sprintf("%s: more than %d pages", op, maxPages)}
}

// notFound turns a 404 (or an empty read) into psa.ErrNotFound.
func notFound(err error, what string) error {
	var pe *psa.Error
	if errors.As(err, &pe) && pe.Status == http.StatusNotFound {
		return fmt.Errorf("autotask %s: %w", what, psa.ErrNotFound)
	}
	return err
}
