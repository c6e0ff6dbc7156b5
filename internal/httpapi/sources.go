package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// SourceTokenPrefix starts every source token this API issues.
const SourceTokenPrefix = "tbs_"

// sourceView is a source as listed: never its token or the token's hash.
type sourceView struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	CallbackURL string    `json:"callback_url,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// newSource is the body of POST /api/v1/sources.
type newSource struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	CallbackURL string `json:"callback_url"`
}

// createdSource answers POST /api/v1/sources; the only time the token is
// shown, since only its hash is kept.
type createdSource struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Token string `json:"token"`
	// CallbackSecret verifies our signed status callbacks (HMAC-SHA256
	// over "<timestamp>.<body>"); shown once, like the token.
	CallbackSecret string `json:"callback_secret,omitempty"`
}

// listSources serves GET /api/v1/sources.
func (s *server) listSources(w http.ResponseWriter, r *http.Request) {
	srcs, err := s.cfg.Store.Sources(r.Context(), principalFrom(r.Context()).tenant)
	if err != nil {
		s.internal(w, r, "list sources", err)
		return
	}
	views := make([]sourceView, 0, len(srcs))
	for _, src := range srcs {
		views = append(views, sourceView{ID: src.ID, Name: src.Name, CallbackURL: src.CallbackURL, CreatedAt: src.CreatedAt})
	}
	ok(w, http.StatusOK, map[string]any{"sources": views})
}

// createSource serves POST /api/v1/sources: it stores the source with the
// hash of a fresh token and returns the token once.
func (s *server) createSource(w http.ResponseWriter, r *http.Request) {
	var in newSource
	if !decodeBody(w, r, &in) {
		return
	}
	if errs := in.validate(); len(errs) > 0 {
		badRequest(w, "the source is not valid", errs...)
		return
	}
	if in.Name == "" {
		in.Name = in.ID
	}
	token := ingest.NewToken(SourceTokenPrefix)
	err := s.cfg.Store.CreateSource(r.Context(), store.Source{
		TenantID: principalFrom(r.Context()).tenant, ID: in.ID, Name: in.Name,
		TokenHash: ingest.HashToken(token), CallbackURL: in.CallbackURL, CreatedAt: s.cfg.Now().UTC(),
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		writeProblem(w, http.StatusConflict, "conflict", "Source exists",
			fmt.Sprintf("a source with id %q already exists", in.ID), nil)
		return
	case err != nil:
		s.internal(w, r, "create source", err)
		return
	}
	created := createdSource{ID: in.ID, Name: in.Name, Token: token}
	if s.cfg.CallbackSecret != nil {
		created.CallbackSecret = s.cfg.CallbackSecret(in.ID)
	}
	ok(w, http.StatusCreated, created)
}

// validate names every bad field of a new source.
func (in newSource) validate() []FieldError {
	var errs []FieldError
	switch {
	case in.ID == "":
		errs = append(errs, FieldError{"id", "required"})
	case len(in.ID) > 100 || strings.Trim(in.ID, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") != "":
		errs = append(errs, FieldError{"id", "must be 1 to 100 letters, digits, '.', '_', ':' or '-'"})
	}
	if utf8.RuneCountInString(in.Name) > 200 || strings.IndexByte(in.Name, 0) >= 0 {
		errs = append(errs, FieldError{"name", "must be at most 200 characters without NUL bytes"})
	}
	if in.CallbackURL != "" {
		u, err := url.Parse(in.CallbackURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(in.CallbackURL) > 2048 {
			errs = append(errs, FieldError{"callback_url", "must be an absolute http or https URL"})
		}
	}
	return errs
}
