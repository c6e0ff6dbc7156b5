package web

import (
	"encoding/json"
	"net/http"
	"strings"
)

// explanation is one integration's decision as POST /api/v1/explain
// answers it.
type explanation struct {
	Integration   string   `json:"integration"`
	Excluded      bool     `json:"excluded"`
	SkipCode      string   `json:"skip_code"`
	SkipReason    string   `json:"skip_reason"`
	CompanyID     string   `json:"company_id"`
	CompanyName   string   `json:"company_name"`
	Contact       string   `json:"contact"`
	ContactSource string   `json:"contact_source"`
	Queue         string   `json:"queue"`
	Priority      string   `json:"priority"`
	GroupKey      string   `json:"group_key"`
	NewTicket     bool     `json:"new_ticket"`
	NoteOn        string   `json:"note_on"`
	Lines         []string `json:"lines"`
	Error         string   `json:"error"`
}

// explainForm asks for an alert and a source.
func (c *Console) explainForm(w http.ResponseWriter, r *http.Request, sess *session) {
	c.explainPage(w, r, sess, http.StatusOK, map[string]any{"Source": r.URL.Query().Get("source")})
}

func (c *Console) explainPage(w http.ResponseWriter, r *http.Request, sess *session, status int, data map[string]any) {
	var list struct {
		Sources []sourceInfo `json:"sources"`
	}
	if err := c.call(r.Context(), sess, "GET", "/api/v1/sources", nil, &list); err != nil {
		c.fail(w, r, sess, "list sources", err)
		return
	}
	data["Sources"] = list.Sources
	c.render(w, status, "explain", sess, data)
}

// explain sends the pasted alert to the API's explain and shows each
// integration's decision. A pasted text that is not JSON is refused here
// (the API takes the alert as a JSON value); everything else, the alert's
// own checks included, is the API's.
func (c *Console) explain(w http.ResponseWriter, r *http.Request, sess *session) {
	text, source := strings.TrimSpace(r.PostFormValue("alert")), r.PostFormValue("source")
	data := map[string]any{"Alert": text, "Source": source}
	if !json.Valid([]byte(text)) {
		data["Problem"] = "The alert is not JSON: paste one alert object in the canonical format."
		c.explainPage(w, r, sess, http.StatusUnprocessableEntity, data)
		return
	}
	var out struct {
		Explanations []explanation `json:"explanations"`
	}
	body := map[string]any{"source": source, "alert": json.RawMessage(text)}
	if err := c.call(r.Context(), sess, "POST", "/api/v1/explain", body, &out); err != nil {
		if p, ok := err.(*problem); ok && p.Status < 500 && p.Status != http.StatusUnauthorized {
			data["Problem"] = p.Error()
			c.explainPage(w, r, sess, http.StatusUnprocessableEntity, data)
			return
		}
		c.fail(w, r, sess, "explain alert", err)
		return
	}
	data["Explanations"] = out.Explanations
	c.explainPage(w, r, sess, http.StatusOK, data)
}
