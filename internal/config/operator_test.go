package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOperatorToken: the operator's token comes from the environment or
// a file, and is absent, not made up, when neither is set.
func TestOperatorToken(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "operator.token")
	if err := os.WriteFile(file, []byte("tbo_from_file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"none", map[string]string{}, ""},
		{"value", map[string]string{"TICKETBRIDGE_OPERATOR_TOKEN": "tbo_value"}, "tbo_value"},
		{"file", map[string]string{"TICKETBRIDGE_OPERATOR_TOKEN_FILE": file}, "tbo_from_file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c Config
			if err := c.LoadSecrets(func(k string) string { return tc.env[k] }); err != nil {
				t.Fatal(err)
			}
			if got := c.OperatorToken.Reveal(); got != tc.want {
				t.Errorf("operator token = %q, want %q", got, tc.want)
			}
		})
	}
}
