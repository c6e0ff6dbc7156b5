package connectwise

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ticketbridge/ticketbridge/internal/psa"
)

// maxMessage bounds the PSA message kept in an error.
const maxMessage = 1000

// apiError is ConnectWise's error body:
// {"code":"InvalidObject","message":"…","errors":[{"code","message","resource","field"}]}.
type apiError struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"-"`
}

type fieldError struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Resource string `json:"resource"`
	Field    string `json:"field"`
}

// parseError reads the error body; the zero value when it is not one. The
// errors list is read entry by entry, so one odd entry (a bare string)
// does not lose the code and message.
func parseError(body []byte) apiError {
	var e struct {
		apiError
		Errors []json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return apiError{}
	}
	for _, raw := range e.Errors {
		var fe fieldError
		if json.Unmarshal(raw, &fe) == nil {
			e.apiError.Errors = append(e.apiError.Errors, fe)
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" {
			e.apiError.Errors = append(e.apiError.Errors, fieldError{Message: s})
		}
	}
	return e.apiError
}

// text renders the error for a person: the message, then each field error
// as "field: message".
func (e apiError) text() string {
	parts := make([]string, 0, 1+len(e.Errors))
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	for _, fe := range e.Errors {
		msg := cmp.Or(fe.Message, fe.Code)
		if fe.Field != "" {
			msg = fe.Field + ": " + msg
		}
		if msg != "" {
			parts = append(parts, msg)
		}
	}
	if len(parts) == 0 {
		return e.Code
	}
	return strings.Join(parts, "; ")
}

// wrap puts the PSA's own message into the classified error and names the
// call. A 404 carrying ConnectWise's error shape is marked as a missing
// record (see notFound). The credentials are scrubbed from the message in
// case the PSA ever echoes them.
func (c *Connector) wrap(op string, body []byte, err error) error {
	var pe *psa.Error
	if !errors.As(err, &pe) {
		return fmt.Errorf("connectwise %s: %w", op, err)
	}
	if pe.Status == 0 {
		// Transport failures and errors wrapped already (discovery):
		// nothing from the body to add.
		return fmt.Errorf("connectwise %s: %w", op, err)
	}
	e := parseError(body)
	switch msg := c.scrub(e.text()); {
	case msg != "":
		pe.Message = msg
	case pe.Status == http.StatusUnauthorized:
		pe.Message = "authentication failed: check the company, public key, private key and clientId"
	case pe.Status == http.StatusNotFound:
		pe.Message = "API path not found: check connection.url and connection.company"
	}
	if pe.Status == http.StatusNotFound && e.Code != "" && pe.Err == nil {
		pe.Err = errRecord
	}
	return fmt.Errorf("connectwise %s: %w", op, pe)
}

// scrub removes the credentials from a message the PSA wrote.
func (c *Connector) scrub(msg string) string {
	user := c.cfg.CompanyID + "+" + c.cfg.PublicKey + ":" + c.cfg.PrivateKey.Reveal()
	for _, s := range []string{
		base64.StdEncoding.EncodeToString([]byte(user)),
		c.cfg.PrivateKey.Reveal(),
		c.cfg.ClientID.Reveal(),
	} {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return cut(msg, maxMessage)
}

// invalidID is the error for an id that is not a ConnectWise integer id.
func invalidID(what, id string) error {
	return &psa.Error{Class: psa.Permanent, Message: fmt.Sprintf("invalid %s id %q: ConnectWise ids are integers", what, id)}
}

// unsupported is the error for a port field ConnectWise has no twin for.
func unsupported(what string) error {
	return &psa.Error{Class: psa.Permanent, Message: "ConnectWise has no " + what + ": leave it unset"}
}
