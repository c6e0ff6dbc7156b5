package httpapi

import "net/http"

// Routes mounted through Config.Extra answer as this API does: with these
// helpers, their errors are problem+json too.

// Problem answers with an application/problem+json body; detail is shown
// to the caller and must hold no internals or secrets.
func Problem(w http.ResponseWriter, status int, slug, title, detail string, errs []FieldError) {
	writeProblem(w, status, slug, title, detail, errs)
}

// JSON answers with v as application/json.
func JSON(w http.ResponseWriter, status int, v any) { ok(w, status, v) }

// DecodeJSON decodes a small JSON body strictly, answering 400 or 413
// itself when it cannot.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) bool { return decodeBody(w, r, v) }

// NotFound answers 404 for what.
func NotFound(w http.ResponseWriter, what string) { notFound(w, what) }

// BoolQuery reads an optional true/false query parameter strictly (1,
// true, 0, false), answering 400 itself for anything else.
func BoolQuery(w http.ResponseWriter, r *http.Request, name string) (value, ok bool) {
	return boolQuery(w, r, name)
}
