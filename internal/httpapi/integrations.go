package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/integration"
	"github.com/ticketbridge/ticketbridge/internal/store"
)

// integrationView is an integration as the API shows it. It has no field
// for store.Integration.Credentials on purpose: encrypted or not, secrets
// never leave through the API.
type integrationView struct {
	Name      string          `json:"name"`
	PSA       string          `json:"psa"`
	Version   int64           `json:"version"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	Settings  json.RawMessage `json:"settings"`
}

func newIntegrationView(it store.Integration) (integrationView, error) {
	settings, err := cleanSettings(it.Settings)
	if err != nil {
		return integrationView{}, fmt.Errorf("integration %q: %w", it.Name, err)
	}
	return integrationView{
		Name: it.Name, PSA: it.PSA, Version: it.Version, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt,
		Settings: settings,
	}, nil
}

// cleanSettings re-encodes the stored settings through integration.Settings
// rather than echoing the stored bytes: its secret references never encode
// a value, so even a settings row written by mistake with one cannot leak
// it here.
func cleanSettings(raw []byte) (json.RawMessage, error) {
	if len(raw) == 0 {
		return json.RawMessage("{}"), nil
	}
	var s integration.Settings
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("decode settings: %w", err)
	}
	out, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	return out, nil
}

// listIntegrations serves GET /api/v1/integrations.
func (s *server) listIntegrations(w http.ResponseWriter, r *http.Request) {
	its, err := s.cfg.Store.Integrations(r.Context(), principalFrom(r.Context()).tenant)
	if err != nil {
		s.internal(w, r, "list integrations", err)
		return
	}
	views := make([]integrationView, 0, len(its))
	for _, it := range its {
		v, err := newIntegrationView(it)
		if err != nil {
			s.internal(w, r, "show integration", err)
			return
		}
		views = append(views, v)
	}
	ok(w, http.StatusOK, map[string]any{"integrations": views})
}

// getIntegration serves GET /api/v1/integrations/{name}.
func (s *server) getIntegration(w http.ResponseWriter, r *http.Request) {
	it, err := s.cfg.Store.IntegrationByName(r.Context(), principalFrom(r.Context()).tenant, r.PathValue("name"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		notFound(w, "integration")
		return
	case err != nil:
		s.internal(w, r, "read integration", err)
		return
	}
	v, err := newIntegrationView(it)
	if err != nil {
		s.internal(w, r, "show integration", err)
		return
	}
	ok(w, http.StatusOK, v)
}
