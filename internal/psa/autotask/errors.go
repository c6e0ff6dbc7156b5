package autotask

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// threadLimitRetry is how long to wait after "Thread Threshold Exceeded":
// one of our own concurrent requests finishing frees the thread.
const threadLimitRetry = time.Second

// permanentPhrases mark a 500 that is Autotask's business-rule or
// validation failure (Autotask answers those with 500, not 4xx): sending the
// same request again fails the same way. Matched lower-cased.
var permanentPhrases = []string{
	"required",
	"invalid",
	"not valid",
	"does not exist",
	"exists",          // "no Ticket with id 9 exists.", "already exists"
	"already",         // "Service 501 is already on contract 601."
	"does not belong", // "contactID 33 does not belong to companyID 175"
	"must",
	"picklist",
	"not active",
	"inactive",
	"cannot",
	"not allowed",
	"exceeds",
	"could not be determined", // zone lookup: unknown API user
	"parameter name",          // paging POST without its filter body
}

// classifyBody is Autotask's override of the status-based classes.
func classifyBody(status int, body []byte) (psa.Class, bool) {
	msg := strings.ToLower(errorText(body))
	switch {
	case strings.Contains(msg, "thread threshold exceeded"):
		return psa.RateLimited, true
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return psa.Permanent, true
	case status != http.StatusInternalServerError || msg == "":
		return 0, false
	}
	for _, p := range permanentPhrases {
		if strings.Contains(msg, p) {
			return psa.Permanent, true
		}
	}
	return 0, false
}

// errorText reads Autotask's {"errors":["…"]} envelope; objects with a
// message field are accepted too, as some answers use them.
func errorText(body []byte) string {
	var env struct {
		Errors  []json.RawMessage `json:"errors"`
		Message string            `json:"message"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	var msgs []string
	for _, raw := range env.Errors {
		var s string
		var o struct {
			Message string `json:"message"`
		}
		switch {
		case json.Unmarshal(raw, &s) == nil && s != "":
			msgs = append(msgs, s)
		case json.Unmarshal(raw, &o) == nil && o.Message != "":
			msgs = append(msgs, o.Message)
		}
	}
	if len(msgs) == 0 && env.Message != "" {
		msgs = append(msgs, env.Message)
	}
	return strings.Join(msgs, "; ")
}

// wrap puts the PSA's own message into the classified error and names the
// call. The credentials are scrubbed from the message in case the PSA ever
// echoes them.
func (c *Connector) wrap(op string, body []byte, err error) error {
	var pe *psa.Error
	if !errors.As(err, &pe) {
		return fmt.Errorf("autotask %s: %w", op, err)
	}
	if msg := c.scrub(errorText(body)); msg != "" {
		pe.Message = msg
	} else if pe.Status == http.StatusUnauthorized {
		pe.Message = "authentication failed: check the API user's username and secret"
	}
	if pe.Class == psa.RateLimited && pe.RetryAfter == 0 &&
		strings.Contains(strings.ToLower(pe.Message), "thread threshold exceeded") {
		pe.RetryAfter = threadLimitRetry
	}
	return fmt.Errorf("autotask %s: %w", op, pe)
}

func (c *Connector) scrub(msg string) string {
	for _, s := range []string{c.cfg.Secret.Reveal(), c.cfg.IntegrationCode.Reveal()} {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return cut(msg, 1000)
}

// invalidID is the error for an id that is not an Autotask integer id.
func invalidID(what, id string) error {
	return &psa.Error{Class: psa.Permanent, Message: fmt.Sprintf("invalid %s id %q: Autotask ids are integers", what, id)}
}
