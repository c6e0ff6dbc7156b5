package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestExecuteTemplate(t *testing.T) {
	t.Parallel()
	data := TemplateData{Type: "Too Many Downloads", Severity: "high", Title: "Too many downloads by jane@acme.example",
		UserEmail: "jane@acme.example", OccurredAt: time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC),
		Attributes: map[string]string{"ip": "203.0.113.9"}}
	tests := []struct {
		name, text, want, wantErr string
	}{
		{"fields", "{{.Type}}: {{.UserEmail}}", "Too Many Downloads: jane@acme.example", ""},
		{"upper lower", "{{.Severity | upper}} {{.Type | lower}}", "HIGH too many downloads", ""},
		{"default on blank", `{{.UserName | default "unknown"}}`, "unknown", ""},
		{"default keeps a value", `{{.UserEmail | default "unknown"}}`, "jane@acme.example", ""},
		{"truncate", "{{.Title | truncate 12}}", "Too many do…", ""},
		{"truncate shorter than limit", "{{.Type | truncate 50}}", "Too Many Downloads", ""},
		{"truncate zero", "{{.Type | truncate 0}}x", "x", ""},
		{"attribute", "{{.Attributes.ip}}", "203.0.113.9", ""},
		{"missing attribute is an error", "{{.Attributes.country}}", "", `map has no entry for key "country"`},
		{"time", `{{.OccurredAt.Format "2006-01-02"}}`, "2026-11-21", ""},
		{"printf within limits", `{{printf "%-10s|%5.2f" .Severity 1.5}}`, "high      | 1.50", ""},
		{"printf digits in text are fine", `{{printf "since 2026: %s" .Severity}}`, "since 2026: high", ""},
		{"printf huge width", `{{printf "%0999999999d" 1}}`, "", "width or precision above 999"},
		{"printf star width", `{{printf "%*d" 5 1}}`, "", "'*' widths are not allowed"},
		{"range over attributes", "{{range $k, $v := .Attributes}}{{$k}}={{$v}} {{end}}", "ip=203.0.113.9", ""},
		{"invalid UTF-8 replaced", "{{.Type}}\xff", "Too Many Downloads\uFFFD", ""},
		{"trimmed", "  {{.Severity}}\n", "high", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := ParseTemplate("subject", tt.text)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ExecuteTemplate(tmpl, data)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ExecuteTemplate() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ExecuteTemplate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExecuteTemplateCapsOutput(t *testing.T) {
	t.Parallel()
	attrs := map[string]string{}
	for i := range 100 {
		attrs[fmt.Sprint("k", i)] = "v"
	}
	tmpl, err := ParseTemplate("description", `{{range .Attributes}}{{printf "%999s" .}}{{printf "%999s" .}}{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ExecuteTemplate(tmpl, TemplateData{Attributes: attrs}); err == nil || !strings.Contains(err.Error(), "template output too long") {
		t.Errorf("ExecuteTemplate() error = %v, want output too long", err)
	}
}

func TestParseTemplateRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, text, want string }{
		{"define", `{{define "x"}}{{template "x" .}}{{end}}{{template "x" .}}`, "define and block are not supported"},
		{"block", `{{block "b" .}}{{.Type}}{{end}}`, "define and block are not supported"},
		{"range over a number", `{{range 1000000000}}{{end}}`, "range over 1000000000: only range over .Attributes is supported"},
		{"range over a variable", `{{$n := 1000000000}}{{range $n}}{{end}}`, "range over $n: only range over .Attributes is supported"},
		{"nested in if", `{{if .Type}}{{range $i := 5}}{{end}}{{end}}`, "range over 5: only range over .Attributes is supported"},
		{"nested in range", `{{range .Attributes}}{{range 7}}{{end}}{{end}}`, "range over 7: only range over .Attributes is supported"},
		{"nested in with else", `{{with .Type}}{{else}}{{range 3}}{{end}}{{end}}`, "range over 3: only range over .Attributes is supported"},
	}
	for _, tt := range tests {
		if _, err := ParseTemplate("subject", tt.text); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseTemplate(%q) error = %v, want %q", tt.name, tt.text, err, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"}, {"abcd", 3, "ab…"}, {"ééééé", 2, "é…"}, {"abc", 1, "a"}, {"abc", 0, ""}, {"", 5, ""},
	}
	for _, tt := range tests {
		if got := Truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
