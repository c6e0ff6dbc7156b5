package integration

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzDecode checks the settings YAML decoder on any input: Decode never
// panics, and every document that decodes and validates also exports and
// decodes again to an equal value (secret values aside: export writes
// only where a secret comes from). Seeds live in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	example, err := os.ReadFile("testdata/example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Fuzz(func(t *testing.T, doc []byte) {
		all, err := Decode(bytes.NewReader(doc))
		if err != nil {
			if all != nil {
				t.Fatalf("settings returned with error %v", err)
			}
			return
		}
		var valid []Settings
		for _, s := range all {
			applyDefaults(&s)
			if validate(s) == nil {
				valid = append(valid, s)
			}
		}
		if len(valid) == 0 {
			return
		}
		out, err := Export(valid)
		if err != nil {
			t.Fatalf("Export of valid settings: %v", err)
		}
		back, err := Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("Decode(Export()) = %v\n%s", err, out)
		}
		if len(back) != len(valid) {
			t.Fatalf("Decode(Export()) gave %d integrations, want %d", len(back), len(valid))
		}
		for i := range valid {
			want := valid[i]
			want.Connection.Secret = redactRef(want.Connection.Secret)
			want.Connection.IntegrationCode = redactRef(want.Connection.IntegrationCode)
			applyDefaults(&back[i])
			if diff := cmp.Diff(want, back[i], cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("round trip of integration %d (-want +got):\n%s\nexported:\n%s", i, diff, out)
			}
		}
	})
}
