package app

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/httpapi"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// explainRequest is the body of POST /api/v1/explain: one alert in the
// canonical format and the source it would come from.
type explainRequest struct {
	Source string          `json:"source"`
	Alert  json.RawMessage `json:"alert"`
}

// explanationView is one integration's decision as the API shows it: the
// fields a person checks, and the lines explain prints.
type explanationView struct {
	Integration   string   `json:"integration"`
	Excluded      bool     `json:"excluded"`
	SkipCode      string   `json:"skip_code,omitempty"`
	SkipReason    string   `json:"skip_reason,omitempty"`
	CompanyID     string   `json:"company_id,omitempty"`
	CompanyName   string   `json:"company_name,omitempty"`
	Contact       string   `json:"contact,omitempty"`
	ContactSource string   `json:"contact_source,omitempty"`
	Queue         string   `json:"queue,omitempty"`
	Priority      string   `json:"priority,omitempty"`
	GroupKey      string   `json:"group_key,omitempty"`
	NewTicket     bool     `json:"new_ticket"`
	NoteOn        string   `json:"note_on,omitempty"`
	Lines         []string `json:"lines"`
	Error         string   `json:"error,omitempty"`
}

// explainRoutes mounts POST /api/v1/explain: what explain prints, over
// REST, for the caller's tenant. It reads from the PSAs and stores
// nothing, so it is a POST only because it takes a body.
func (a *App) explainRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/explain", a.explain)
}

func (a *App) explain(w http.ResponseWriter, r *http.Request) {
	var body explainRequest
	if !httpapi.DecodeJSON(w, r, &body) {
		return
	}
	al, ok := a.explainInput(w, r, body)
	if !ok {
		return
	}
	source := body.Source
	if source == "" {
		source = "sample" // as the CLI: rules naming no source match it
	}
	exs, err := a.Explain(r.Context(), source, al)
	switch {
	case errors.Is(err, errNoIntegrations):
		httpapi.Problem(w, http.StatusConflict, "no-integrations", "No integration",
			"no integration is configured: connect a PSA first", nil)
		return
	case err != nil:
		a.internalError(w, "explain alert", err)
		return
	}
	out := make([]explanationView, 0, len(exs))
	for _, ex := range exs {
		out = append(out, newExplanationView(ex))
	}
	writeJSON(w, map[string]any{"source": source, "explanations": out})
}

// explainInput checks the body's alert and source and answers 400 or 404
// itself when they are not usable.
func (a *App) explainInput(w http.ResponseWriter, r *http.Request, body explainRequest) (alert.Alert, bool) {
	if len(body.Alert) == 0 || body.Alert[0] != '{' {
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "alert must be one alert object",
			[]httpapi.FieldError{{Field: "alert", Reason: "must be one alert object in the canonical format"}})
		return alert.Alert{}, false
	}
	als, err := alert.Decode(body.Alert)
	var ve *alert.ValidationError
	if errors.As(err, &ve) {
		errs := make([]httpapi.FieldError, len(ve.Fields))
		for i, f := range ve.Fields {
			errs[i] = httpapi.FieldError{Field: "alert." + f.Field, Reason: f.Reason}
		}
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "the alert is not valid", errs)
		return alert.Alert{}, false
	}
	if err != nil || len(als) != 1 {
		httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "alert must be one alert object",
			[]httpapi.FieldError{{Field: "alert", Reason: "must be one alert object in the canonical format"}})
		return alert.Alert{}, false
	}
	if body.Source != "" {
		_, err := a.Store.SourceByID(r.Context(), a.tenantOf(r.Context()), body.Source)
		switch {
		case errors.Is(err, store.ErrNotFound):
			httpapi.Problem(w, http.StatusBadRequest, "invalid-request", "Invalid request", "no such source",
				[]httpapi.FieldError{{Field: "source", Reason: "names no source of this tenant"}})
			return alert.Alert{}, false
		case err != nil:
			a.internalError(w, "read source", err)
			return alert.Alert{}, false
		}
	}
	return als[0], true
}

func newExplanationView(ex Explanation) explanationView {
	d := ex.Decision
	v := explanationView{
		Integration: ex.Integration, Excluded: d.Skip != nil, Lines: ex.Lines,
		CompanyID: d.CompanyID, CompanyName: d.CompanyName, GroupKey: d.GroupKey,
		Queue: ex.Queue, Priority: ex.Priority, NewTicket: ex.NewTicket, NoteOn: ex.NoteOn,
		Contact: ex.Contact.Name, ContactSource: string(ex.Contact.Source),
	}
	if d.Skip != nil {
		v.SkipCode, v.SkipReason = string(d.Skip.Code), d.Skip.Reason
	}
	if ex.Err != nil {
		v.Error = ex.Err.Error()
	}
	if v.Lines == nil {
		v.Lines = []string{}
	}
	return v
}
