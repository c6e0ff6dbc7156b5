package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrDecrypt is returned when a ciphertext cannot be opened: wrong key,
// unknown key id or tampered data.
var ErrDecrypt = errors.New("secret: cannot decrypt")

// Keyring encrypts with its primary key and decrypts with any key it holds,
// so keys can be rotated without re-encrypting everything at once.
type Keyring struct {
	primary    string
	primaryKey []byte
	keys       map[string]cipher.AEAD
}

// NewKeyring builds a keyring from 32-byte keys; the first is primary.
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("secret: keyring needs at least one key")
	}
	kr := &Keyring{keys: map[string]cipher.AEAD{}}
	for i, k := range keys {
		if len(k) != 32 {
			return nil, fmt.Errorf("secret: key %d is %d bytes, want 32", i, len(k))
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("secret: key %d: %w", i, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("secret: key %d: %w", i, err)
		}
		id := keyID(k)
		kr.keys[id] = aead
		if i == 0 {
			kr.primary, kr.primaryKey = id, append([]byte(nil), k...)
		}
	}
	return kr, nil
}

// keyID names a key by a short hash so ciphertexts say which key sealed them
// without revealing anything about it.
func keyID(k []byte) string {
	sum := sha256.Sum256(append([]byte("ticketbridge-key-id:"), k...))
	return hex.EncodeToString(sum[:4])
}

// Encrypt seals s as "v1:<key id>:<base64 nonce+ciphertext>".
func (kr *Keyring) Encrypt(s Secret) (string, error) {
	aead := kr.keys[kr.primary]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secret: nonce: %w", err)
	}
	sealed := aead.Seal(nonce, nonce, []byte(s.value), []byte(kr.primary))
	return "v1:" + kr.primary + ":" + base64.StdEncoding.EncodeToString(sealed), nil
}

// Decrypt opens a value sealed by Encrypt.
func (kr *Keyring) Decrypt(enc string) (Secret, error) {
	parts := strings.SplitN(enc, ":", 3)
	if len(parts) != 3 || parts[0] != "v1" {
		return Secret{}, ErrDecrypt
	}
	aead, ok := kr.keys[parts[1]]
	if !ok {
		return Secret{}, fmt.Errorf("%w: unknown key id %s", ErrDecrypt, parts[1])
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) < aead.NonceSize() {
		return Secret{}, ErrDecrypt
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(parts[1]))
	if err != nil {
		return Secret{}, ErrDecrypt
	}
	return New(string(plain)), nil
}

// ParseKey accepts a key as 64 hex characters or standard base64 of 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, errors.New("secret key must be 32 bytes as 64 hex characters or base64")
}

// LoadOrCreateKeyFile reads the key in path, or creates one with 0600
// permissions when the file does not exist yet.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return ParseKey(string(data))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create key dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		return nil, fmt.Errorf("write key file: %w", err)
	}
	return key, f.Sync()
}

// Derive returns a secret for one purpose (label), computed from the
// primary key with HMAC-SHA256: stable across restarts and replicas that
// share the key, different per label, and never stored.
func (kr *Keyring) Derive(label string) Secret {
	m := hmac.New(sha256.New, kr.primaryKey)
	m.Write([]byte("ticketbridge-derive:" + label))
	return New(hex.EncodeToString(m.Sum(nil)))
}
