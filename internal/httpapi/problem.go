package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// problemBase prefixes the type URI of every problem this API answers.
const problemBase = "https://ticketbridge.dev/problems/"

// FieldError names one bad field of a request body.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// problem is an RFC 9457 problem details body.
type problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
}

// writeProblem answers with an application/problem+json body. detail is
// shown to the caller and must never hold internals or secrets.
func writeProblem(w http.ResponseWriter, status int, slug, title, detail string, errs []FieldError) {
	writeJSON(w, status, "application/problem+json", problem{
		Type: problemBase + slug, Title: title, Status: status, Detail: detail, Errors: errs,
	})
}

func notFound(w http.ResponseWriter, what string) {
	writeProblem(w, http.StatusNotFound, "not-found", "Not found", what+" not found", nil)
}

func badRequest(w http.ResponseWriter, detail string, errs ...FieldError) {
	writeProblem(w, http.StatusBadRequest, "invalid-request", "Invalid request", detail, errs)
}

// internal logs err with the request's route and answers a bare 500: the
// caller learns that it failed, the log learns why.
func (s *server) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.log.Error(what, "method", r.Method, "path", r.URL.Path, "err", err)
	writeProblem(w, http.StatusInternalServerError, "internal", "Internal error",
		"the request failed; the server log has the details", nil)
}

func ok(w http.ResponseWriter, status int, v any) {
	writeJSON(w, status, "application/json", v)
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own plain view structs are encoded; this cannot fail.
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// maxRequestBody bounds management request bodies; they are small.
const maxRequestBody = 64 << 10

// decodeBody decodes a JSON request body strictly: unknown fields are
// errors, so a typo is not silently ignored. It answers 400 or 413 itself.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		writeProblem(w, http.StatusRequestEntityTooLarge, "body-too-large", "Body too large",
			fmt.Sprintf("the body is larger than %d bytes", maxRequestBody), nil)
	case errors.Is(err, io.EOF):
		badRequest(w, "the body is empty; send a JSON object")
	case errors.As(err, &typeErr) && typeErr.Field != "":
		badRequest(w, "the body is not valid", FieldError{Field: typeErr.Field, Reason: "must be " + jsonKind(typeErr.Type.Kind().String())})
	case errors.As(err, &syntaxErr):
		badRequest(w, fmt.Sprintf("the body is not valid JSON (at byte %d)", syntaxErr.Offset))
	default:
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			badRequest(w, "the body is not valid", FieldError{Field: strings.Trim(field, `"`), Reason: "unknown field"})
			break
		}
		badRequest(w, "the body is not valid: "+strings.TrimPrefix(err.Error(), "json: "))
	}
	return false
}

// jsonKind names a Go kind as the JSON a caller should have sent.
func jsonKind(kind string) string {
	switch {
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "slice", kind == "array":
		return "an array"
	}
	return "an object"
}

// boolQuery reads an optional true/false query parameter strictly: 1,
// true, 0, false or absent. Anything else answers 400 naming it, so a
// typo such as dry_run=yes never runs for real what was meant as a try.
func boolQuery(w http.ResponseWriter, r *http.Request, name string) (bool, bool) {
	switch v := r.URL.Query().Get(name); v {
	case "", "0", "false":
		return false, true
	case "1", "true":
		return true, true
	default:
		badRequest(w, "the query is not valid", FieldError{Field: name, Reason: fmt.Sprintf("%q: use 1, true, 0 or false", v)})
		return false, false
	}
}

// limitParam reads the limit query parameter: def when absent, else a
// number from 1 to max, or a FieldError naming it.
func limitParam(q url.Values, def, max int) (int, *FieldError) {
	v := q.Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return def, &FieldError{"limit", fmt.Sprintf("must be a number from 1 to %d", max)}
	}
	return n, nil
}
