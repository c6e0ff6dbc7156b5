package web

import (
	"fmt"
	"net/http"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/ticketbridge/ticketbridge/internal/integration"
)

// yamlStep shows the whole draft as apply reads it, for the settings no
// screen has yet and for admins who would rather paste a file. The
// connection stays the connection step's: secrets never appear here.
var yamlStep = wizardStep{
	key: "yaml", title: "Settings as YAML",
	load: func(_ *Console, _ *http.Request, _ *session, d *draft) (any, error) {
		return draftYAML(d.Settings)
	},
	read: readYAML,
}

// draftYAML is the settings without their connection, which the
// connection step owns.
func draftYAML(s integration.Settings) (string, error) {
	s.Name, s.PSA, s.Connection = "", "", integration.Connection{}
	b, err := yaml.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encode settings: %w", err)
	}
	return string(b), nil
}

func readYAML(r *http.Request, d *draft) error {
	text := r.PostFormValue("settings")
	if strings.TrimSpace(text) == "" {
		return nil
	}
	docs, err := integration.Decode(strings.NewReader(text))
	if err != nil {
		return err
	}
	if len(docs) != 1 {
		return fmt.Errorf("settings: write one integration, not %d", len(docs))
	}
	s := docs[0]
	if (s.Name != "" && s.Name != d.Settings.Name) || (s.PSA != "" && s.PSA != d.Settings.PSA) || s.Connection != (integration.Connection{}) {
		return fmt.Errorf("settings: leave out name, psa and connection; the Connection step holds them")
	}
	s.Name, s.PSA, s.Connection = d.Settings.Name, d.Settings.PSA, d.Settings.Connection
	d.Settings = s
	return nil
}
