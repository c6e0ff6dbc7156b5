package httpapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ticketbridge/ticketbridge/internal/ingest"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// rotatedSource answers POST /api/v1/sources/{id}/rotate: the new token,
// shown this once.
type rotatedSource struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

// rotateSource serves POST /api/v1/sources/{id}/rotate: the source gets a
// new token and the old one stops working at once. This replica drops
// its cached copy here; every replica refuses the old token at its next
// commit, which checks each request's token in its own transaction.
func (s *server) rotateSource(w http.ResponseWriter, r *http.Request) {
	src, found := s.sourceOf(w, r)
	if !found {
		return
	}
	token := ingest.NewToken(SourceTokenPrefix)
	err := s.cfg.Store.RotateSourceToken(r.Context(), src.TenantID, src.ID, ingest.HashToken(token))
	if err != nil {
		s.internal(w, r, "rotate source token", err)
		return
	}
	s.forgetToken(src)
	s.log.Info("source token rotated", "tenant", src.TenantID, "source", src.ID)
	ok(w, http.StatusOK, rotatedSource{ID: src.ID, Token: token})
}

// revokeSource serves POST /api/v1/sources/{id}/revoke: the source's
// token stops working at once; the source, its alerts and its tickets
// stay, and rotate gives it a token again.
func (s *server) revokeSource(w http.ResponseWriter, r *http.Request) {
	src, found := s.sourceOf(w, r)
	if !found {
		return
	}
	if err := s.cfg.Store.RevokeSourceToken(r.Context(), src.TenantID, src.ID); err != nil {
		s.internal(w, r, "revoke source token", err)
		return
	}
	s.forgetToken(src)
	s.log.Info("source token revoked", "tenant", src.TenantID, "source", src.ID)
	w.WriteHeader(http.StatusNoContent)
}

// sourceOf reads the source in the path, of the caller's tenant,
// answering 404 itself.
func (s *server) sourceOf(w http.ResponseWriter, r *http.Request) (store.Source, bool) {
	id := r.PathValue("id")
	src, err := s.cfg.Store.SourceByID(r.Context(), principalFrom(r.Context()).tenant, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(w, http.StatusNotFound, "not-found", "Not found", fmt.Sprintf("no source %q", id), nil)
		return src, false
	case err != nil:
		s.internal(w, r, "read source", err)
		return src, false
	}
	return src, true
}

func (s *server) forgetToken(src store.Source) {
	if s.cfg.OnSourceChanged != nil && src.TokenHash != "" {
		s.cfg.OnSourceChanged(src.TokenHash)
	}
}
