package superops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// gqlRequest is the POST body of every call.
type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

// gqlAnswer is what SuperOps answers with HTTP 200.
type gqlAnswer struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// gqlError is one errors entry: a business error carries clientError
// codes, a document the schema refuses a ValidationError classification.
type gqlError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Classification string        `json:"classification"`
		ClientError    []clientError `json:"clientError"`
	} `json:"extensions"`
}

type clientError struct {
	Code  string `json:"code"`
	Param struct {
		Attributes []string `json:"attributes"`
		Index      *int     `json:"index"`
	} `json:"param"`
}

// SuperOps' clientError codes the connector tells apart.
const (
	codeRateLimit = "rate_limit_exceeded"
	codeNotFound  = "entity_does_not_exist"
)

// code is the entry's first clientError code, "" when none.
func (e gqlError) code() string {
	if len(e.Extensions.ClientError) == 0 {
		return ""
	}
	return e.Extensions.ClientError[0].Code
}

// alias is the first element of the entry's path: the root field (or
// alias) it belongs to.
func (e gqlError) alias() string {
	if len(e.Path) == 0 {
		return ""
	}
	s, _ := e.Path[0].(string)
	return s
}

// message describes the entry in SuperOps' own words: its code and the
// attributes at fault, or the engine's message.
func (e gqlError) message() string {
	if ce := e.Extensions.ClientError; len(ce) > 0 {
		msg := ce[0].Code
		if attrs := ce[0].Param.Attributes; len(attrs) > 0 {
			msg += " (" + strings.Join(attrs, ", ") + ")"
		}
		if ce[0].Param.Index != nil {
			msg += fmt.Sprintf(" at index %d", *ce[0].Param.Index)
		}
		return msg
	}
	return e.Message
}

// classify turns an errors entry into a psa.Error: a business error by
// its code (entity_does_not_exist is psa.ErrNotFound, rate_limit_exceeded
// waits, the rest are the data's fault and permanent), a refused document
// permanent, and anything else a server fault worth retrying.
func classify(op string, e gqlError) error {
	pe := &psa.Error{Status: http.StatusOK, Message: fmt.Sprintf("%s: %s", op, e.message())}
	switch code := e.code(); {
	case code == codeRateLimit:
		pe.Class = psa.RateLimited
	case code == codeNotFound:
		pe.Class, pe.Err = psa.Permanent, psa.ErrNotFound
	case code != "":
		pe.Class = psa.Permanent
	case e.Extensions.Classification != "":
		pe.Class = psa.Permanent
	default:
		pe.Class = psa.Retryable
	}
	return pe
}

// post sends one document and returns the answer's data and errors.
// Reads (write false) are retried by psahttp on retryable failures;
// writes are not, since SuperOps may have applied them.
func (c *Connector) post(ctx context.Context, op, doc string, vars map[string]any, write bool) (gqlAnswer, error) {
	body, err := json.Marshal(gqlRequest{Query: doc, Variables: vars})
	if err != nil {
		return gqlAnswer{}, &psa.Error{Class: psa.Permanent, Message: op + ": encode request", Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return gqlAnswer{}, &psa.Error{Class: psa.Permanent, Message: op + ": build request", Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.cfg.APIToken.Reveal())
	req.Header.Set("CustomerSubDomain", c.cfg.Subdomain)
	_, raw, err := c.http.Do(ctx, req, op, !write)
	if err != nil {
		return gqlAnswer{}, fmt.Errorf("superops %s: %w", op, explain(err))
	}
	var ans gqlAnswer
	if err := json.Unmarshal(raw, &ans); err != nil {
		return gqlAnswer{}, &psa.Error{Class: psa.Retryable, Status: http.StatusOK, Message: op + ": unreadable answer", Err: err}
	}
	return ans, nil
}

// do sends one document and decodes its data into out; any errors entry
// fails the call.
func (c *Connector) do(ctx context.Context, op, doc string, vars map[string]any, write bool, out any) error {
	ans, err := c.post(ctx, op, doc, vars, write)
	if err != nil {
		return err
	}
	if len(ans.Errors) > 0 {
		return fmt.Errorf("superops: %w", classify(op, ans.Errors[0]))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(ans.Data, out); err != nil {
		return &psa.Error{Class: psa.Retryable, Status: http.StatusOK, Message: op + ": unexpected answer", Err: err}
	}
	return nil
}

// hints say what to fix for the statuses SuperOps documents for bad
// credentials: 401 for a token, 400 for a subdomain.
var hints = map[int]string{
	http.StatusUnauthorized: "the API token is invalid or was regenerated: set connection.api_token",
	http.StatusBadRequest:   "SuperOps does not know the CustomerSubDomain: check connection.subdomain",
}

// explain adds the hint for err's status to its message.
func explain(err error) error {
	var pe *psa.Error
	if errors.As(err, &pe) {
		if h, ok := hints[pe.Status]; ok && !strings.Contains(pe.Message, h) {
			pe.Message += ": " + h
		}
	}
	return err
}
