package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// Settings are a source's format settings, stored with the source as
// JSON.
type Settings struct {
	// DefaultOrganization is the organization of alerts whose body names
	// none.
	DefaultOrganization *alert.Organization `json:"default_organization,omitempty"`
	// OrganizationFrom is the path of the organization id in the body;
	// it wins over the mapping's rule.
	OrganizationFrom string `json:"organization_from,omitempty"`
	// Mapping is an adjusted built-in mapping or one for a product
	// ticketbridge does not know; when set, the source's format is its
	// name.
	Mapping *Mapping `json:"mapping,omitempty"`
	// Signature, when set, is checked on every request before its body
	// is decoded.
	Signature *Signature `json:"signature,omitempty"`
	// Mail holds the rules that turn the source's mail into alerts.
	Mail *MailSettings `json:"mail,omitempty"`
}

// ErrUnknownFormat marks a format that is neither canonical, built in,
// nor given as a mapping.
var ErrUnknownFormat = errors.New("unknown format")

// ParseSettings decodes settings strictly: an unknown key is an error.
func ParseSettings(b []byte) (Settings, error) {
	var s Settings
	if len(bytes.TrimSpace(b)) == 0 {
		return s, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Settings{}, fmt.Errorf("source settings: %w", err)
	}
	return s, nil
}

// Decoder turns one source's bodies into canonical alerts.
type Decoder struct {
	format    string
	mapping   *Compiled // nil for canonical
	opt       Options
	signature *Signature
}

// Signature returns the source's signature setting, or nil.
func (d *Decoder) Signature() *Signature { return d.signature }

// Format returns the format the decoder reads.
func (d *Decoder) Format() string { return d.format }

// Decode reads a body. now stamps alerts whose body carries no time.
func (d *Decoder) Decode(body []byte, now func() time.Time) ([]alert.Alert, error) {
	if d.mapping == nil {
		return alert.Decode(body)
	}
	opt := d.opt
	opt.Now = now
	return d.mapping.Decode(body, opt)
}

// NewDecoder builds the decoder of a source's format and settings: the
// canonical contract, the settings' own mapping, or a built-in one.
func (b *Builtins) NewDecoder(format string, settings []byte) (*Decoder, error) {
	if format == "" {
		format = Canonical
	}
	s, err := ParseSettings(settings)
	if err != nil {
		return nil, err
	}
	d := &Decoder{format: format, opt: Options{OrganizationFrom: s.OrganizationFrom}, signature: s.Signature}
	if s.Signature != nil {
		if err := s.Signature.check(); err != nil {
			return nil, err
		}
	}
	if s.DefaultOrganization != nil {
		d.opt.DefaultOrganization = *s.DefaultOrganization
	}
	switch {
	case s.Mapping != nil:
		if s.Mapping.Name != format {
			return nil, fmt.Errorf("%w: the mapping is named %q but the format is %q", ErrInvalidMapping, s.Mapping.Name, format)
		}
		if d.mapping, err = Compile(*s.Mapping); err != nil {
			return nil, err
		}
	case format == Canonical:
		// Canonical bodies name their organization; a default
		// organization on such a source is for its mail.
	default:
		c, ok := b.Get(format)
		if !ok {
			return nil, fmt.Errorf("%w %q: use one of %s, or give a mapping", ErrUnknownFormat, format, strings.Join(b.Names(), ", "))
		}
		d.mapping = c
	}
	return d, nil
}
