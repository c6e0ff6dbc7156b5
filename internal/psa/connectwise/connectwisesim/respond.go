package connectwisesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// fieldError is one entry of an error answer's errors array.
type fieldError struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Resource string `json:"resource"`
	Field    string `json:"field"`
}

// apiError is a failure answered as ConnectWise does: a status and
// {"code","message","errors"}. Its text is a wire message for the client.
type apiError struct {
	status  int
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

// Error codes. InvalidObject, MissingRequiredField, NotFound, Unauthorized
// and ConnectWiseApi are observed on live tenants; InvalidField,
// MethodNotAllowed and TooManyRequests are the simulator's choice where no
// live body is known.
const (
	codeInvalidObject = "InvalidObject"
	codeMissing       = "MissingRequiredField"
	codeInvalidField  = "InvalidField"
	codeNotFound      = "NotFound"
	codeUnauthorized  = "Unauthorized"
)

// literalHelp is the explanation ConnectWise appends to condition errors.
const literalHelp = "String values should be enclosed with double or single quotes; " +
	"DateTime values should be enclosed in square brackets; numbers should consist of only digits, " +
	"and optionally a decimal point and a negation sign; boolean values should be indicated with the keywords true or false; " +
	"null values should be indicated by the keyword null."

func notFound(display string, id int64) *apiError {
	return &apiError{status: http.StatusNotFound, Code: codeNotFound, Message: fmt.Sprintf("%s %d not found", display, id)}
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, Code: codeInvalidObject, Message: fmt.Sprintf(format, args...)}
}

// invalidObject is the validation answer for resource with its field errors.
func invalidObject(resource string, errs []fieldError) *apiError {
	return &apiError{status: http.StatusBadRequest, Code: codeInvalidObject,
		Message: resource + " object is invalid", Errors: errs}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		b.Reset()
		b.WriteString(`{"code":"ConnectWiseApi","message":"internal simulator error","errors":null}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimRight(b.Bytes(), "\n"))
}

// writeErr answers err, an *apiError or an unexpected failure (500
// ConnectWiseApi, as ConnectWise reports its own faults).
func writeErr(w http.ResponseWriter, err error) {
	if e, ok := err.(*apiError); ok {
		writeJSON(w, e.status, e)
		return
	}
	writeJSON(w, http.StatusInternalServerError, map[string]any{"code": "ConnectWiseApi", "message": err.Error(), "errors": nil})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
