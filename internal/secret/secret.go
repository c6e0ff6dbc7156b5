// Package secret holds credentials in a type that redacts itself wherever it
// could leak (fmt, slog, JSON, YAML) and encrypts them at rest with
// AES-256-GCM under a keyring with key ids.
package secret

import (
	"log/slog"
)

const redacted = "[redacted]"

// Secret is a credential value. Every way of printing it prints a
// placeholder; only Reveal returns the value, so each use is greppable.
type Secret struct {
	value string
}

// New wraps a plaintext value.
func New(v string) Secret { return Secret{value: v} }

// Reveal returns the plaintext. Call it only where the value leaves for its
// one legitimate destination (a request header, the cipher).
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

// String implements fmt.Stringer with a placeholder.
func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return s.String() }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the placeholder, never the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// MarshalYAML writes the placeholder, never the value.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalText writes the placeholder, never the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
