package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var testNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func testOptions() Options {
	return Options{
		DefaultOrganization: alert.Organization{ID: "org-default", Name: "Default Org"},
		Now:                 func() time.Time { return testNow },
	}
}

// TestGolden decodes every built-in format's reconstructed sample and
// compares the canonical alerts with its golden file.
func TestGolden(t *testing.T) {
	t.Parallel()
	b, err := LoadBuiltins()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range b.Names()[1:] {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatalf("every built-in format needs a sample: %v", err)
			}
			c, _ := b.Get(name)
			alerts, err := c.Decode(body, testOptions())
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			got, err := json.MarshalIndent(alerts, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update): %v", err)
			}
			if diff := cmp.Diff(string(bytes.TrimSpace(want)), string(got)); diff != "" {
				t.Errorf("canonical alerts differ from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func TestBuiltinsNames(t *testing.T) {
	t.Parallel()
	b := MustLoadBuiltins()
	want := []string{"canonical", "alertmanager", "defender-xdr", "guardz", "huntress", "kaseya-mdr",
		"saas-alerts", "sentinel", "trendai-notification", "trendai-workbench"}
	if diff := cmp.Diff(want, b.Names()); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	for _, n := range []string{"guardz", "kaseya-mdr", "trendai-notification"} {
		if c, _ := b.Get(n); c.Mapping().Verified {
			t.Errorf("%s: Verified = true; its payload is not publicly documented", n)
		}
	}
}

func TestDecodeProblems(t *testing.T) {
	t.Parallel()
	b := MustLoadBuiltins()
	tests := []struct {
		name, format, body string
		want               []string // substrings of field errors, in order
	}{
		{"not json", "alertmanager", `{"alerts": [`, []string{"body: is not valid JSON"}},
		{"no items array", "alertmanager", `{"version": "4"}`, []string{`body: has no array at "alerts"`}},
		{"empty items", "alertmanager", `{"alerts": []}`, []string{"body: holds no alerts"}},
		{"scalar", "huntress", `42`, []string{"body: must be a JSON object or array"}},
		{"missing type names the path", "saas-alerts", `{"eventId": "e1", "customer": {"id": "c"}, "time": "2026-11-21T10:15:00Z"}`,
			[]string{"type: required (format saas-alerts reads it from jointDesc, jointType)", "title: required"}},
		{"bad time", "defender-xdr", `{"id": "1", "displayName": "x", "severity": "high", "createdDateTime": "yesterday"}`,
			[]string{`occurred_at: must be an RFC 3339 time or Unix seconds, got "yesterday"`}},
		{"unmapped severity without default", "custom", `{"id": "1", "t": "x", "sev": "dire", "org": "o"}`,
			[]string{"severity: "}},
	}
	custom, err := ParseMapping([]byte(`{"name": "custom", "fields": {
		"id": {"paths": ["id"]}, "type": {"paths": ["t"]}, "title": {"paths": ["t"]},
		"organization.id": {"paths": ["org"]}, "severity": {"paths": ["sev"], "map": {"bad": "high"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ok := b.Get(tt.format)
			if tt.format == "custom" {
				c, ok = custom, true
			}
			if !ok {
				t.Fatalf("no format %s", tt.format)
			}
			_, err := c.Decode([]byte(tt.body), testOptions())
			var ve *alert.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a validation error", err)
			}
			if len(ve.Fields) < len(tt.want) {
				t.Fatalf("errors = %v, want %d", ve.Fields, len(tt.want))
			}
			for i, w := range tt.want {
				if got := ve.Fields[i].Field + ": " + ve.Fields[i].Reason; !strings.Contains(got, w) {
					t.Errorf("error %d = %q, want it to contain %q", i, got, w)
				}
			}
		})
	}
}

func TestParseMappingRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, want string }{
		{"unknown key", `{"name": "x", "feilds": {}}`, `unknown field "feilds"`},
		{"canonical name", `{"name": "canonical", "fields": {"id": {"paths": ["id"]}}}`, "name: required"},
		{"unknown canonical field", `{"name": "x", "fields": {"colour": {"paths": ["c"]}}}`, "fields.colour: not a canonical field"},
		{"empty rule", `{"name": "x", "fields": {"type": {}}}`, "fields.type: names no paths"},
		{"bad enum value", `{"name": "x", "fields": {"severity": {"map": {"warn": "warning"}, "default": "medium"}}}`, `fields.severity.map.warn: "warning" is not one of`},
		{"bad template", `{"name": "x", "fields": {"title": {"template": "{{.Get"}}}}`, "fields.title: template:"},
		{"empty path", `{"name": "x", "fields": {"title": {"paths": ["^"]}}}`, "fields.title: empty path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseMapping([]byte(tt.body))
			if !errors.Is(err, ErrInvalidMapping) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalidMapping containing %q", err, tt.want)
			}
		})
	}
}

func TestOrganizationRules(t *testing.T) {
	t.Parallel()
	b := MustLoadBuiltins()
	am, _ := b.Get("alertmanager")
	body := []byte(`{"alerts": [{"fingerprint": "f1", "status": "firing", "startsAt": "2026-11-21T10:15:00Z",
		"labels": {"alertname": "A", "customer": "cust-9"}}]}`)
	opt := testOptions()
	got, err := am.Decode(body, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Organization.ID != "org-default" {
		t.Errorf("no organization label: organization = %+v, want the default", got[0].Organization)
	}
	opt.OrganizationFrom = "labels.customer"
	got, err = am.Decode(body, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Organization.ID != "cust-9" {
		t.Errorf("organization_from labels.customer: organization = %+v, want cust-9", got[0].Organization)
	}
}

// TestHashID checks the id rule of a product that sends none: the same
// content gives the same id, other content another.
func TestHashID(t *testing.T) {
	t.Parallel()
	c, _ := MustLoadBuiltins().Get("trendai-notification")
	decode := func(body string) string {
		t.Helper()
		a, err := c.Decode([]byte(body), testOptions())
		if err != nil {
			t.Fatal(err)
		}
		return a[0].ID
	}
	one := decode(`{"title": "Newly discovered assets", "type": "Newly discovered assets", "data": "device ACME-LT-09"}`)
	again := decode(`{"title": "Newly discovered assets", "type": "Newly discovered assets", "data": "device ACME-LT-09"}`)
	other := decode(`{"title": "Newly discovered assets", "type": "Newly discovered assets", "data": "device ACME-LT-10"}`)
	if one != again || one == other || !strings.HasPrefix(one, "tv1n-h-") {
		t.Errorf("ids = %q, %q, %q: want the first two equal, the third different, prefix tv1n-h-", one, again, other)
	}
}
