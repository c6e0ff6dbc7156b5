package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := New("hunter2-value")
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "secret", s)
	j, _ := json.Marshal(struct{ S Secret }{s})
	y, _ := s.MarshalYAML()
	for name, out := range map[string]string{
		"%v": fmt.Sprintf("%v", s), "%+v": fmt.Sprintf("%+v", struct{ S Secret }{s}), "%#v": fmt.Sprintf("%#v", s),
		"slog": logs.String(), "json": string(j), "yaml": fmt.Sprint(y),
	} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("%s printed the value: %s", name, out)
		}
	}
	if s.Reveal() != "hunter2-value" {
		t.Error("Reveal lost the value")
	}
}

func TestKeyringRoundTripAndRotation(t *testing.T) {
	t.Parallel()
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	old, err := NewKeyring(k1)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := old.Encrypt(New("psa-secret"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(enc, "psa-secret") {
		t.Fatal("ciphertext holds the plaintext")
	}
	rotated, _ := NewKeyring(k2, k1)
	got, err := rotated.Decrypt(enc)
	if err != nil || got.Reveal() != "psa-secret" {
		t.Fatalf("decrypt with rotated keyring = %q, %v", got.Reveal(), err)
	}
	only2, _ := NewKeyring(k2)
	if _, err := only2.Decrypt(enc); err == nil {
		t.Fatal("decrypted without the key")
	}
	tampered := enc[:len(enc)-2] + "AA"
	if _, err := old.Decrypt(tampered); err == nil {
		t.Fatal("tampered ciphertext decrypted")
	}
}

func TestDerive(t *testing.T) {
	t.Parallel()
	kr, _ := NewKeyring(bytes.Repeat([]byte{7}, 32))
	a, b := kr.Derive("webhook:x"), kr.Derive("webhook:y")
	if a.Reveal() == b.Reveal() || a.Reveal() != kr.Derive("webhook:x").Reveal() || len(a.Reveal()) != 64 {
		t.Errorf("derive must be stable, distinct per label and 64 hex chars: %d", len(a.Reveal()))
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{strings.Repeat("ab", 32), true},
		{"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", true},
		{"short", false},
		{strings.Repeat("ab", 31), false},
	} {
		if _, err := ParseKey(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseKey(%q) err = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}
