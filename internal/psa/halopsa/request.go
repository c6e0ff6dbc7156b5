package halopsa

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// pageSize is the ticket list's largest page; other lists take it too.
const pageSize = 100

// call sends one API request to /api/{path} with query q, JSON-encoding
// in when non-nil and decoding the answer into out when non-nil. A 401
// for a token that was not fetched just now drops it and sends once more
// with a new one: a token can lapse early (an admin revoked it, the
// instance restarted).
func (c *Connector) call(ctx context.Context, method, path string, q url.Values, op string, in, out any) error {
	var payload []byte
	if in != nil {
		var err error
		if payload, err = json.Marshal(in); err != nil {
			return fmt.Errorf("halopsa %s: encode request: %w", op, err)
		}
	}
	body, err := c.send(ctx, method, path, q, op, payload, true)
	if err != nil {
		return c.wrap(op, body, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &psa.Error{Class: psa.Retryable, Message: op + ": unreadable response (the write may have happened; a retry checks first)", Err: err}
	}
	return nil
}

func (c *Connector) send(ctx context.Context, method, path string, q url.Values, op string, payload []byte, again bool) ([]byte, error) {
	tok, fresh, err := c.auth.token(ctx)
	if err != nil {
		return nil, err
	}
	target := c.host + "/api/" + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("halopsa %s: %w", op, err)
	}
	if payload == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	_, body, err := c.http.Do(ctx, req, op, method == http.MethodGet)
	var pe *psa.Error
	if again && !fresh && errors.As(err, &pe) && pe.Status == http.StatusUnauthorized {
		c.auth.forget(tok)
		return c.send(ctx, method, path, q, op, payload, false)
	}
	return body, err
}

// wrap puts Halo's own message into a classified error.
func (c *Connector) wrap(op string, body []byte, err error) error {
	var pe *psa.Error
	if !errors.As(err, &pe) || pe.Status == 0 {
		return err
	}
	cp := *pe
	cp.Message = op + ": " + errorText(body, pe.Message)
	return &cp
}

// errorText finds the message in one of Halo's error shapes: OAuth
// {"error","error_description"}, {"resultCode","errorMessage"}, .NET
// {"ClassName","Message"} or {"Message"}, a JSON string, or plain text.
func errorText(body []byte, fallback string) string {
	body = bytes.TrimSpace(body)
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil {
		for _, key := range []string{"errorMessage", "Message", "message", "error_description", "error"} {
			if s, ok := obj[key].(string); ok && s != "" {
				return clip(s)
			}
		}
		return fallback
	}
	var s string
	if json.Unmarshal(body, &s) == nil && s != "" {
		return clip(s)
	}
	if len(body) > 0 && !bytes.HasPrefix(body, []byte("<")) {
		return clip(string(body))
	}
	return fallback
}

// clip keeps a message readable in a timeline.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 500 {
		return s[:500] + "…"
	}
	return s
}

// notFound marks a 404 for a named record as psa.ErrNotFound.
func notFound(err error, what string) error {
	var pe *psa.Error
	if errors.As(err, &pe) && pe.Status == http.StatusNotFound {
		return fmt.Errorf("halopsa %s: %w: %w", what, psa.ErrNotFound, err)
	}
	return err
}

// list reads every page of a wrapped list ({"record_count":n,"<key>":[…]}),
// or a bare array, from /api/{path}.
func list[T any](ctx context.Context, c *Connector, path, key string, q url.Values, op string) ([]T, error) {
	q = cloneValues(q)
	q.Set("pageinate", "true")
	q.Set("page_size", strconv.Itoa(pageSize))
	var out []T
	for page := 1; ; page++ {
		q.Set("page_no", strconv.Itoa(page))
		var raw json.RawMessage
		if err := c.call(ctx, http.MethodGet, path, q, op, nil, &raw); err != nil {
			return nil, err
		}
		rows, total, err := decodeList[T](raw, key)
		if err != nil {
			return nil, &psa.Error{Class: psa.Retryable, Message: op + ": unreadable list", Err: err}
		}
		out = append(out, rows...)
		if total < 0 || len(rows) < pageSize || len(out) >= total {
			return out, nil
		}
	}
}

// decodeList reads a wrapper or a bare array; total is -1 for an array.
func decodeList[T any](raw json.RawMessage, key string) ([]T, int, error) {
	var rows []T
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		err := json.Unmarshal(raw, &rows)
		return rows, -1, err
	}
	var w map[string]json.RawMessage
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, 0, err
	}
	total := -1
	if rc, ok := w["record_count"]; ok {
		if err := json.Unmarshal(rc, &total); err != nil {
			return nil, 0, err
		}
	}
	if items, ok := w[key]; ok && string(items) != "null" {
		if err := json.Unmarshal(items, &rows); err != nil {
			return nil, 0, err
		}
	}
	return rows, total, nil
}

// lookup reads a small lookup list, a bare array (or a wrapper).
func lookup[T any](ctx context.Context, c *Connector, path, key string, q url.Values, op string) ([]T, error) {
	var raw json.RawMessage
	if err := c.call(ctx, http.MethodGet, path, q, op, nil, &raw); err != nil {
		return nil, err
	}
	rows, _, err := decodeList[T](raw, key)
	if err != nil {
		return nil, &psa.Error{Class: psa.Retryable, Message: op + ": unreadable list", Err: err}
	}
	return rows, nil
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func itoa(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// atoi reads an id the port gives as a string.
func atoi(what, id string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || n <= 0 {
		return 0, &psa.Error{Class: psa.Permanent, Message: fmt.Sprintf("%s id %q is not a HaloPSA id", what, id)}
	}
	return n, nil
}
