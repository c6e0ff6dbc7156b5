package integration

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func TestExportGolden(t *testing.T) {
	t.Parallel()
	s := loadExample(t)
	if err := Resolve(&s, testCatalog()); err != nil {
		t.Fatal(err)
	}
	// A value given inline is stored encrypted and exported as stored.
	s.Connection.IntegrationCode = SecretRef{Value: "ATCODE-do-not-print"}
	second := minimal()
	second.Name = "autotask-sandbox"
	got, err := Export([]Settings{s, second})
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/export.golden.yaml"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Export() differs from %s (-want +got):\n%s", golden, diff)
	}
	for _, leak := range []string{"ATCODE-do-not-print", "29683325"} {
		if bytes.Contains(got, []byte(leak)) {
			t.Errorf("Export() contains %q: secrets and ids must not be exported", leak)
		}
	}
	if !bytes.Contains(got, []byte("stored: true")) {
		t.Error("Export() does not mark the inline secret as stored")
	}
}

func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	s := loadExample(t)
	out, err := Export([]Settings{s})
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("Decode(Export()) = %v\n%s", err, out)
	}
	applyDefaults(&back[0])
	if diff := cmp.Diff(s, back[0]); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if c := Plan(&s, back[0]); len(c) != 0 {
		t.Errorf("Plan(example, round trip) = %v, want none", c)
	}
	if !strings.HasPrefix(string(out), "name: autotask\n") {
		t.Errorf("Export() starts with %q", strings.SplitN(string(out), "\n", 2)[0])
	}
}

// TestExportNothing: with no integrations (a new tenant) export writes
// an empty file rather than failing.
func TestExportNothing(t *testing.T) {
	t.Parallel()
	out, err := Export(nil)
	if err != nil || len(out) != 0 {
		t.Fatalf("Export(nil) = %q, %v; want empty", out, err)
	}
}
