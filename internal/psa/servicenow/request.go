package servicenow

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// apiRoot is the Table API, version 2: an empty list is 200 with
// {"result":[]}, where v1 answers 404.
const apiRoot = "/api/now/v2/table/"

// call sends one Table API request: path is "table" or "table/sys_id",
// in is JSON-encoded when not nil, and out receives the "result" member.
func (c *Connector) call(ctx context.Context, method, path string, q url.Values, in, out any, op string) error {
	var payload []byte
	if in != nil {
		var err error
		if payload, err = json.Marshal(in); err != nil {
			return fmt.Errorf("servicenow %s: encode request: %w", op, err)
		}
	}
	target := c.base + apiRoot + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	body, err := c.send(ctx, method, target, op, payload)
	var signIn signInError
	if errors.As(err, &signIn) {
		return signIn.err // worded at the token endpoint already
	}
	if err != nil {
		return c.wrap(op, body, err)
	}
	if out == nil {
		return nil
	}
	var env struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &env); err == nil && len(env.Result) > 0 {
		err = json.Unmarshal(env.Result, out)
		if err == nil {
			return nil
		}
	}
	return &psa.Error{Class: psa.Retryable, Message: op + ": unreadable response (a write may have happened; a retry checks first)"}
}

// send makes the request, signing in afresh once when an OAuth token was
// refused (it may have expired early or been revoked).
func (c *Connector) send(ctx context.Context, method, target, op string, payload []byte) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(payload))
		if err != nil {
			return nil, fmt.Errorf("servicenow %s: %w", op, err)
		}
		if payload == nil {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		req.Header.Set("Accept", "application/json")
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		tok, err := c.authorize(ctx, req)
		if err != nil {
			return nil, signInError{err}
		}
		_, body, err := c.http.Do(ctx, req, op, method == http.MethodGet)
		var pe *psa.Error
		if tok != "" && attempt == 0 && errors.As(err, &pe) && pe.Status == http.StatusUnauthorized {
			c.oauth.forget(tok)
			continue
		}
		return body, err
	}
}

// authorize sets the Authorization header: Basic, or an OAuth bearer
// token (returned, so a refusal can drop it). This and the token source
// are the only places the credentials are revealed.
func (c *Connector) authorize(ctx context.Context, req *http.Request) (string, error) {
	if c.oauth == nil {
		req.SetBasicAuth(c.cfg.Username, c.cfg.Password.Reveal())
		return "", nil
	}
	tok, err := c.oauth.token(ctx)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return tok, nil
}

// list reads every page of a query, limit rows at a time, into rows.
func list[T any](ctx context.Context, c *Connector, table string, q url.Values, limit int, op string) ([]T, error) {
	var all []T
	for offset := 0; ; offset += limit {
		q.Set("sysparm_limit", strconv.Itoa(limit))
		q.Set("sysparm_offset", strconv.Itoa(offset))
		var page []T
		if err := c.call(ctx, http.MethodGet, table, q, nil, &page, op); err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < limit {
			return all, nil
		}
	}
}

// signInError is a failure to get an OAuth token, before the request.
type signInError struct{ err error }

func (e signInError) Error() string { return e.err.Error() }
func (e signInError) Unwrap() error { return e.err }

// errRecord marks ServiceNow's own 404 "No Record found" answer.
var errRecord = errors.New("servicenow: no record found")

// notFound turns ServiceNow's 404 for a record into psa.ErrNotFound.
func notFound(err error, what string) error {
	if errors.Is(err, errRecord) {
		return fmt.Errorf("servicenow %s: %w: %w", what, psa.ErrNotFound, err)
	}
	return err
}

// apiError is ServiceNow's error envelope.
type apiError struct {
	Error struct {
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	} `json:"error"`
}

// errorText reads the envelope: "message: detail", "" when the body is
// not one.
func errorText(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	msg := e.Error.Message
	var detail string
	if json.Unmarshal(e.Error.Detail, &detail) == nil && detail != "" {
		detail = strings.Join(strings.Fields(detail), " ")
		if msg == "" {
			return detail
		}
		return msg + ": " + detail
	}
	return msg
}

// maxMessage bounds the PSA message kept in an error.
const maxMessage = 1000

// wrap puts ServiceNow's own words into the classified error and names
// the call; secrets are scrubbed in case the instance ever echoes them.
func (c *Connector) wrap(op string, body []byte, err error) error {
	var pe *psa.Error
	if !errors.As(err, &pe) || pe.Status == 0 {
		return fmt.Errorf("servicenow %s: %w", op, err)
	}
	text := c.scrub(errorText(body))
	switch {
	case text != "":
		pe.Message = text
	case pe.Status == http.StatusUnauthorized:
		pe.Message = "authentication failed: check connection.username and connection.secret (or the OAuth client)"
	}
	if pe.Status == http.StatusUnauthorized && text != "" {
		pe.Message = text + " (check connection.username and connection.secret, or the OAuth client)"
	}
	if pe.Status == http.StatusNotFound && strings.HasPrefix(text, "No Record found") && pe.Err == nil {
		pe.Err = errRecord
	}
	return fmt.Errorf("servicenow %s: %w", op, pe)
}

// scrub removes every credential from a message the instance wrote.
func (c *Connector) scrub(msg string) string {
	secrets := []string{c.cfg.Password.Reveal(), c.cfg.ClientSecret.Reveal(), c.cfg.RefreshToken.Reveal(), c.cfg.ClientID.Reveal()}
	if c.cfg.Username != "" {
		secrets = append(secrets, base64.StdEncoding.EncodeToString([]byte(c.cfg.Username+":"+c.cfg.Password.Reveal())))
	}
	if c.oauth != nil {
		secrets = append(secrets, c.oauth.current())
	}
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	if len(msg) > maxMessage {
		msg = msg[:maxMessage]
	}
	return msg
}

// permanent is a refusal made here, before anything is sent.
func permanent(format string, args ...any) error {
	return &psa.Error{Class: psa.Permanent, Message: fmt.Sprintf(format, args...), NotSent: true}
}
