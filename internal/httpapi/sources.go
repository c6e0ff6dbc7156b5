package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/source"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// SourceTokenPrefix starts every source token this API issues.
const SourceTokenPrefix = "tbs_"

// sourceView is a source as listed: never its token or the token's hash.
type sourceView struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	CallbackURL string          `json:"callback_url,omitempty"`
	Format      string          `json:"format"`
	Settings    json.RawMessage `json:"settings,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	// Revoked says the source has no working token (rotate gives it one).
	Revoked bool `json:"revoked"`
}

// newSource is the body of POST /api/v1/sources.
type newSource struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	CallbackURL string `json:"callback_url"`
	// Format is how the source's bodies become alerts: "canonical" (the
	// default), a built-in format, or the name of Settings.Mapping.
	Format   string          `json:"format"`
	Settings json.RawMessage `json:"settings"`
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
		v := sourceView{ID: src.ID, Name: src.Name, CallbackURL: src.CallbackURL, Format: src.FormatOrCanonical(), CreatedAt: src.CreatedAt, Revoked: src.TokenHash == ""}
		if s := src.SettingsOrEmpty(); s != "{}" {
			v.Settings = redactSettings([]byte(s))
		}
		views = append(views, v)
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
	errs := in.validate()
	settings, formatErr := s.checkFormat(in)
	if formatErr != nil {
		errs = append(errs, *formatErr)
	}
	if len(errs) > 0 {
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
		Format: in.Format, Settings: settings,
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

// checkFormat builds the new source's decoder, so a format or settings
// that would fail every request is refused now, and returns the settings
// compacted for storage.
func (s *server) checkFormat(in newSource) ([]byte, *FieldError) {
	if in.Format == "" {
		in.Format = source.Canonical
	}
	var settings []byte
	if len(bytes.TrimSpace(in.Settings)) > 0 && string(bytes.TrimSpace(in.Settings)) != "null" {
		var b bytes.Buffer
		if err := json.Compact(&b, in.Settings); err != nil {
			return nil, &FieldError{"settings", "must be a JSON object"}
		}
		settings = b.Bytes()
	}
	if _, err := s.cfg.Formats.NewDecoder(in.Format, settings); err != nil {
		field := "settings"
		if errors.Is(err, source.ErrUnknownFormat) {
			field = "format"
		}
		return nil, &FieldError{field, err.Error()}
	}
	if _, err := source.NewMailDecoder(settings); err != nil {
		return nil, &FieldError{"settings", err.Error()}
	}
	return s.sealSettings(settings)
}

// sealSettings replaces a signing secret by its sealed form, so the
// database holds no usable secret.
func (s *server) sealSettings(settings []byte) ([]byte, *FieldError) {
	st, err := source.ParseSettings(settings)
	if err != nil || st.Signature == nil {
		return settings, nil
	}
	if st.Signature.SecretEncrypted != "" {
		return nil, &FieldError{"settings.signature.secret_encrypted", "is set by ticketbridge; send the secret as signature.secret"}
	}
	if s.cfg.Encrypt == nil {
		return nil, &FieldError{"settings.signature", "this server has no keyring to keep a signing secret"}
	}
	sealed, err := s.cfg.Encrypt(st.Signature.Secret)
	if err != nil {
		return nil, &FieldError{"settings.signature", "the secret could not be sealed"}
	}
	st.Signature.Secret, st.Signature.SecretEncrypted = "", sealed
	b, err := json.Marshal(st)
	if err != nil {
		return nil, &FieldError{"settings", "could not be encoded"}
	}
	return b, nil
}

// redactSettings is the settings as listed: a signing secret only says
// that it is set.
func redactSettings(settings []byte) json.RawMessage {
	st, err := source.ParseSettings(settings)
	if err != nil {
		return nil
	}
	if st.Signature != nil {
		st.Signature.Secret, st.Signature.SecretEncrypted = "(set)", ""
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil
	}
	return b
}

// sourceFormat is the body of PUT /api/v1/sources/{id}/format.
type sourceFormat struct {
	Format   string          `json:"format"`
	Settings json.RawMessage `json:"settings"`
}

// setSourceFormat serves PUT /api/v1/sources/{id}/format: a new format or
// mapping for a source, checked like a new source's. The alerts it sent
// already keep their old derivation until `ticketbridge replay`.
func (s *server) setSourceFormat(w http.ResponseWriter, r *http.Request) {
	var in sourceFormat
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Format == "" {
		in.Format = source.Canonical
	}
	settings, fe := s.checkFormat(newSource{Format: in.Format, Settings: in.Settings})
	if fe != nil {
		badRequest(w, "the format is not valid", *fe)
		return
	}
	tenant, id := principalFrom(r.Context()).tenant, r.PathValue("id")
	src, err := s.cfg.Store.SourceByID(r.Context(), tenant, id)
	if err == nil {
		err = s.cfg.Store.SetSourceFormat(r.Context(), tenant, id, in.Format, settings)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(w, http.StatusNotFound, "not-found", "Not found", fmt.Sprintf("no source %q", id), nil)
		return
	case err != nil:
		s.internal(w, r, "set source format", err)
		return
	}
	if s.cfg.OnSourceChanged != nil && src.TokenHash != "" {
		s.cfg.OnSourceChanged(src.TokenHash)
	}
	w.WriteHeader(http.StatusNoContent)
}
