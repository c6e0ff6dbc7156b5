package ingest

import (
	"encoding/json"
	"net/http"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// problemBase prefixes the type URI of every problem this package answers.
const problemBase = "https://ticketbridge.dev/problems/"

// problem is an RFC 9457 problem details body, with the bad fields of an
// invalid request.
type problem struct {
	Type   string             `json:"type"`
	Title  string             `json:"title"`
	Status int                `json:"status"`
	Detail string             `json:"detail,omitempty"`
	Errors []alert.FieldError `json:"errors,omitempty"`
}

// writeProblem answers with an application/problem+json body. slug names
// the problem type; detail must never hold internals or secrets.
func writeProblem(w http.ResponseWriter, status int, slug, title, detail string, errs []alert.FieldError) {
	writeJSON(w, status, "application/problem+json", problem{
		Type: problemBase + slug, Title: title, Status: status, Detail: detail, Errors: errs,
	})
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own plain structs are encoded here; this cannot fail.
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
