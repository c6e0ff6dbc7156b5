package autotasksim

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/ticketbridge/ticketbridge/internal/psa/simkit"
)

// apiError is a failure answered as Autotask does: a status and
// {"errors":["..."]}. Its text is a wire message, written for the client.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// invalid is a business-rule or validation failure; Autotask answers those
// with 500, not 400.
func invalid(format string, args ...any) *apiError {
	return &apiError{status: http.StatusInternalServerError, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, msg: fmt.Sprintf(format, args...)}
}

// Wire messages observed on live tenants.
const (
	msgZone        = "Zone information could not be determined"
	msgBadCode     = "IntegrationCode is invalid."
	msgNoFilters   = "Value cannot be null. Parameter name: filters"
	msgTooManyOrs  = "Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions."
	msgThreadLimit = "Thread Threshold Exceeded: the thread threshold of %d threads has been exceeded. Itgenatr005"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":["internal simulator error"]}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeErrors(w http.ResponseWriter, status int, msgs ...string) {
	writeJSON(w, status, map[string][]string{"errors": msgs})
}

// writeErr answers err, which is an *apiError or an unexpected failure.
func writeErr(w http.ResponseWriter, err error) {
	if e, ok := err.(*apiError); ok {
		writeErrors(w, e.status, e.msg)
		return
	}
	writeErrors(w, http.StatusInternalServerError, err.Error())
}

// writeThrottled answers a throttled request; live Autotask sends no rate-limit
// headers, so Retry-After only appears when the option asks for it.
func (s *Sim) writeThrottled(w http.ResponseWriter, status int, msg string) {
	if status == http.StatusTooManyRequests && s.opts.RetryAfter > 0 {
		w.Header().Set("Retry-After", simkit.RetryAfter(s.opts.RetryAfter))
	}
	writeErrors(w, status, msg)
}

func methodNotAllowed(w http.ResponseWriter) {
	writeErrors(w, http.StatusMethodNotAllowed, "The requested resource does not support this http method.")
}

func pathNotFound(w http.ResponseWriter) {
	writeErrors(w, http.StatusNotFound, "No HTTP resource was found that matches the request URI.")
}
