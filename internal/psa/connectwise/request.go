package connectwise

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
	"github.com/ticketbridge/ticketbridge/internal/psa/psahttp"
)

// codebaseRE is what a discovered codebase may look like ("v2025_1/",
// "v4_6_release/"): one path segment, so a hostile answer cannot steer the
// credentials to another path or host.
var codebaseRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/$`)

// root returns the API root, discovering the codebase on first use. The
// lock is held during discovery so concurrent first calls make one call.
func (c *Connector) root(ctx context.Context) (string, error) {
	c.baseMu.Lock()
	defer c.baseMu.Unlock()
	if c.base != "" && c.now().Before(c.baseExp) {
		return c.base, nil
	}
	codebase, err := c.discover(ctx)
	if err != nil {
		return "", err
	}
	c.base, c.baseExp = c.api+"/"+codebase+"apis/3.0/", c.now().Add(codebaseTTL)
	c.log.DebugContext(ctx, "connectwise codebase discovered", "codebase", codebase)
	return c.base, nil
}

// discover reads the company's codebase from /login/companyinfo. The call
// needs no credentials, so none are sent to it.
func (c *Connector) discover(ctx context.Context) (string, error) {
	u := c.cfg.Site + "/login/companyinfo/" + url.PathEscape(c.cfg.CompanyID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("connectwise companyinfo: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	status, body, err := c.http.Do(ctx, req, "companyinfo.get", true)
	if err != nil {
		return "", c.wrap("companyinfo.get", body, err)
	}
	var info *struct {
		Codebase string `json:"Codebase"`
	}
	if err := json.Unmarshal(body, &info); err != nil {
		return "", &psa.Error{Class: psa.Permanent, Status: status, Message: "companyinfo answer is not JSON: check connection.url"}
	}
	if info == nil {
		// ConnectWise answers an unknown company with 200 and null.
		return "", &psa.Error{Class: psa.Permanent, Status: status,
			Message: fmt.Sprintf("company %q is unknown to ConnectWise at %s: check connection.company", c.cfg.CompanyID, c.cfg.Site)}
	}
	cb := strings.TrimPrefix(strings.TrimSpace(info.Codebase), "/")
	if cb == "" {
		return DefaultCodebase, nil
	}
	if !strings.HasSuffix(cb, "/") {
		cb += "/"
	}
	if !codebaseRE.MatchString(cb) {
		return "", &psa.Error{Class: psa.Permanent, Status: status, Message: "companyinfo names an unusable codebase"}
	}
	return cb, nil
}

// forgetBase drops the discovered codebase so the next call discovers it
// again; a configured codebase is kept.
func (c *Connector) forgetBase() {
	if c.cfg.Codebase != "" {
		return
	}
	c.baseMu.Lock()
	defer c.baseMu.Unlock()
	c.base = ""
}

// call sends one authenticated request and returns the answer's headers.
// path is relative to the API root ("service/tickets") or an absolute URL
// on the API host (a Link header's next page). in is JSON-encoded when
// non-nil; out is decoded into when non-nil.
//
// A 404 that is not ConnectWise's own NotFound answer means the path is
// gone, typically because an upgrade moved the codebase: the codebase is
// discovered again and the request sent once more.
func (c *Connector) call(ctx context.Context, method, path, op string, in, out any) (http.Header, error) {
	var payload []byte
	if in != nil {
		var err error
		if payload, err = json.Marshal(in); err != nil {
			return nil, fmt.Errorf("connectwise %s: encode request: %w", op, err)
		}
	}
	if _, err := c.root(ctx); err != nil {
		return nil, err
	}
	hdr, body, err := c.send(ctx, method, path, op, payload)
	if err != nil && isMissingPath(err, body) && c.cfg.Codebase == "" {
		c.forgetBase()
		hdr, body, err = c.send(ctx, method, path, op, payload)
	}
	if err != nil {
		return hdr, c.wrap(op, body, err)
	}
	if out == nil {
		return hdr, nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return hdr, &psa.Error{Class: psa.Retryable, Message: op + ": unreadable response (the write may have happened; a retry checks first)", Err: err}
	}
	return hdr, nil
}

// send makes one request through psahttp; only GETs are retried there.
func (c *Connector) send(ctx context.Context, method, path, op string, payload []byte) (http.Header, []byte, error) {
	target, err := c.target(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(payload))
	if err != nil {
		return nil, nil, fmt.Errorf("connectwise %s: %w", op, err)
	}
	if payload == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	c.authenticate(req)
	sink := &headerSink{}
	_, body, err := c.http.Do(withSink(ctx, sink), req, op, method == http.MethodGet)
	return sink.get(), body, err
}

// authenticate sets the credential headers. This is the only place the
// private key and the clientId are revealed.
func (c *Connector) authenticate(req *http.Request) {
	user := c.cfg.CompanyID + "+" + c.cfg.PublicKey + ":" + c.cfg.PrivateKey.Reveal()
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user)))
	req.Header.Set("clientId", c.cfg.ClientID.Reveal())
	req.Header.Set("Accept", "application/json")
	if req.ContentLength > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
}

// target resolves path against the API root. Absolute URLs (Link headers)
// must stay on the API's origin: the credentials go with every request,
// and a link elsewhere would hand them over.
func (c *Connector) target(ctx context.Context, path string) (string, error) {
	root, err := c.root(ctx)
	if err != nil {
		return "", err
	}
	switch {
	case strings.HasPrefix(path, "/"):
		return c.api + path, nil // a host-relative link
	case !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://"):
		return root + path, nil
	}
	if err := psahttp.CheckLink(root, path); err != nil {
		return "", &psa.Error{Class: psa.Permanent, Message: "next page link points outside the ConnectWise API host", Err: err}
	}
	return path, nil
}

// errRecord marks a 404 that is ConnectWise's own "record not found"
// answer, as opposed to a path that does not exist.
var errRecord = errors.New("connectwise record not found")

// notFound marks ConnectWise's 404 NotFound answer as psa.ErrNotFound,
// keeping the classified error and its message.
// Only reads and writes to a named record use it; a 404 for a missing path
// stays a permanent error, so a moved API never reads as a deleted ticket.
func notFound(err error, what string) error {
	if errors.Is(err, errRecord) {
		return fmt.Errorf("connectwise %s: %w: %w", what, psa.ErrNotFound, err)
	}
	return err
}

// isMissingPath reports a 404 whose body is not ConnectWise's error shape.
func isMissingPath(err error, body []byte) bool {
	var pe *psa.Error
	return errors.As(err, &pe) && pe.Status == http.StatusNotFound && parseError(body).Code == ""
}
