package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/ticketbridge/ticketbridge/internal/alert"
	"github.com/ticketbridge/ticketbridge/internal/source"
)

// formatView is one format a source may name; Mapping is the built-in
// mapping itself, to copy and adjust.
type formatView struct {
	Name     string          `json:"name"`
	Title    string          `json:"title,omitempty"`
	Verified bool            `json:"verified"`
	Note     string          `json:"note,omitempty"`
	Mapping  *source.Mapping `json:"mapping,omitempty"`
}

// listFormats serves GET /api/v1/formats.
func (s *server) listFormats(w http.ResponseWriter, _ *http.Request) {
	views := []formatView{{Name: source.Canonical, Title: "The ingest contract's canonical alert", Verified: true}}
	for _, name := range s.cfg.Formats.Names()[1:] {
		c, _ := s.cfg.Formats.Get(name)
		m := c.Mapping()
		views = append(views, formatView{Name: m.Name, Title: m.Title, Verified: m.Verified, Note: m.Note, Mapping: &m})
	}
	ok(w, http.StatusOK, map[string]any{"formats": views})
}

// formatTest is the body of POST /api/v1/formats/test: a format, the
// settings a source would have, and a sample body as the product sends it.
type formatTest struct {
	Format   string          `json:"format"`
	Settings json.RawMessage `json:"settings"`
	Sample   json.RawMessage `json:"sample"`
}

// testFormat serves POST /api/v1/formats/test: the canonical alerts the
// sample becomes, stored nowhere, so a mapping is checked before a source
// is saved with it.
func (s *server) testFormat(w http.ResponseWriter, r *http.Request) {
	var in formatTest
	if !decodeBody(w, r, &in) {
		return
	}
	if len(in.Sample) == 0 {
		badRequest(w, "send the product's body as sample", FieldError{"sample", "required"})
		return
	}
	settings, fe := s.checkFormat(newSource{Format: in.Format, Settings: in.Settings})
	if fe != nil {
		badRequest(w, "the format does not build", *fe)
		return
	}
	dec, err := s.cfg.Formats.NewDecoder(in.Format, settings)
	if err != nil {
		badRequest(w, "the format does not build", FieldError{"format", err.Error()})
		return
	}
	alerts, err := dec.Decode(in.Sample, s.cfg.Now)
	var ve *alert.ValidationError
	switch {
	case errors.As(err, &ve):
		errs := make([]FieldError, len(ve.Fields))
		for i, f := range ve.Fields {
			errs[i] = FieldError{fmt.Sprintf("sample[%d].%s", f.Index, f.Field), f.Reason}
		}
		badRequest(w, "the sample does not become valid alerts", errs...)
		return
	case err != nil:
		badRequest(w, "the sample does not become valid alerts", FieldError{"sample", err.Error()})
		return
	}
	ok(w, http.StatusOK, map[string]any{"format": dec.Format(), "alerts": alerts})
}
