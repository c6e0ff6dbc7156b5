package servicenowsim

import (
	"encoding/json"
	"net/http"
)

// envelope is ServiceNow's error body.
type envelope struct {
	Error struct {
		Message string  `json:"message"`
		Detail  *string `json:"detail"`
	} `json:"error"`
	Status string `json:"status"`
}

// ErrorBody renders ServiceNow's error envelope; an empty detail is null.
func ErrorBody(message, detail string) []byte {
	var e envelope
	e.Error.Message, e.Status = message, "failure"
	if detail != "" {
		e.Error.Detail = &detail
	}
	b, _ := json.Marshal(e)
	return b
}

// fail answers with the error envelope.
func fail(w http.ResponseWriter, status int, message, detail string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(ErrorBody(message, detail))
}

// reply answers {"result": v}.
func reply(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(map[string]any{"result": v})
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// The messages of the errors the notes record.
const (
	msgNoRecord     = "No Record found"
	detailNoRecord  = "Record doesn't exist or ACL restricts the record retrieval"
	msgNotAuth      = "User Not Authenticated"
	detailNotAuth   = "Required to provide Auth information"
	msgFailed       = "Operation Failed"
	detailPolicy    = "Data Policy Exception: \n\tThe following fields are mandatory: Resolution code, Close notes"
	detailHold      = "Data Policy Exception: \n\tThe following fields are mandatory: On hold reason"
	msgRateLimit    = "Rate limit exceeded"
	msgBadRequest   = "Exception while reading request"
	msgInvalidTable = "Invalid table "
)
