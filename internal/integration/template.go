package integration

import (
	"errors"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
	"unicode/utf8"
)

// Template defaults, applied by ApplyDefaults.
const (
	DefaultSubject   = "{{.Type}}: {{.UserOrDevice}}"
	DefaultNoteTitle = "{{.Type}} ({{.Severity}})"
)

// TemplateData is what the subject, description and note title templates
// see. It is flat and made of values only, so a template can never reach a
// nil pointer: an alert without a user simply has an empty UserEmail.
type TemplateData struct {
	ID          string
	Kind        string
	Type        string
	Severity    string
	Status      string
	Title       string
	Description string
	UserEmail   string
	UserName    string
	Device      string
	// UserOrDevice is the user email, else the user name, else the device
	// name, else "unknown user".
	UserOrDevice string
	OrgID        string
	OrgName      string
	RuleKind     string
	RuleID       string
	RuleName     string
	URL          string
	OccurredAt   time.Time
	Attributes   map[string]string
}

// maxTemplateOutput caps what one template may write. A subject is at most
// 255 runes and a description 8,000; the cap stops a runaway template
// (a range over a huge number) long before it costs memory.
const maxTemplateOutput = 64 << 10

// errTooLong is returned when a template writes more than maxTemplateOutput.
var errTooLong = errors.New("template output too long")

// ParseTemplate parses a settings template with the house FuncMap and
// missingkey=error, so a typo in an attribute name fails loudly instead of
// rendering "<no value>".
func ParseTemplate(name, text string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(templateFuncs()).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("parse %s template: %w", name, err)
	}
	// A defined template can call itself; text/template stops only at a
	// depth of 100,000 calls, which costs most of a second per alert.
	// Subjects and titles need none of it.
	if len(t.Templates()) > 1 {
		return nil, fmt.Errorf("parse %s template: define and block are not supported", name)
	}
	if err := checkRanges(t.Root); err != nil {
		return nil, fmt.Errorf("parse %s template: %w", name, err)
	}
	return t, nil
}

// checkRanges allows range only over .Attributes, the one collection in
// TemplateData. Ranging over a number ({{range 1000000000}}) would spin
// a delivery worker with no output for the capped writer to stop.
func checkRanges(n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkRanges(c); err != nil {
				return err
			}
		}
	case *parse.RangeNode:
		if p := strings.TrimSpace(pipeText(n.Pipe)); p != ".Attributes" && p != "$.Attributes" {
			return fmt.Errorf("range over %s: only range over .Attributes is supported", p)
		}
		return errors.Join(checkRanges(n.List), checkRanges(n.ElseList))
	case *parse.IfNode:
		return errors.Join(checkRanges(n.List), checkRanges(n.ElseList))
	case *parse.WithNode:
		return errors.Join(checkRanges(n.List), checkRanges(n.ElseList))
	}
	return nil
}

// pipeText is the pipeline's commands without its variable declarations:
// "$k, $v := .Attributes" → ".Attributes".
func pipeText(p *parse.PipeNode) string {
	cmds := make([]string, len(p.Cmds))
	for i, c := range p.Cmds {
		cmds[i] = c.String()
	}
	return strings.Join(cmds, " | ")
}

// ExecuteTemplate renders t with d. The output is capped, made valid UTF-8
// and trimmed. Panics inside the template machinery become errors so one
// bad template can never take an alert down with it.
func ExecuteTemplate(t *template.Template, d TemplateData) (out string, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = "", fmt.Errorf("render %s template: %v", t.Name(), p)
		}
	}()
	w := &cappedWriter{max: maxTemplateOutput}
	if err := t.Execute(w, d); err != nil {
		return "", fmt.Errorf("render %s template: %w", t.Name(), err)
	}
	return strings.TrimSpace(strings.ToValidUTF8(w.b.String(), "\uFFFD")), nil
}

// CheckTemplate parses text and renders it against sample data, so an
// unknown field ({{.Usr}}) is an apply-time error, not a render-time
// fallback. A missing attribute key is allowed: attributes vary per alert.
func CheckTemplate(name, text string) error {
	t, err := ParseTemplate(name, text)
	if err != nil {
		return err
	}
	_, err = ExecuteTemplate(t, sampleTemplateData())
	if err != nil && !strings.Contains(err.Error(), "map has no entry for key") {
		return err
	}
	return nil
}

func sampleTemplateData() TemplateData {
	return TemplateData{
		ID: "sa-000123", Kind: "issue", Type: "Too Many Downloads", Severity: "high",
		Status: "open", Title: "Too many downloads", UserEmail: "jane@acme.example",
		UserName: "Jane Doe", Device: "ACME-LT-07", UserOrDevice: "jane@acme.example",
		OrgID: "org-42", OrgName: "Acme Corp", RuleKind: "respond", RuleID: "r-17",
		RuleName: "Block risky sign-in", URL: "https://source.example/alerts/sa-000123",
		OccurredAt: time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC),
		Attributes: map[string]string{},
	}
}

// templateFuncs is built per parse rather than held in a package variable:
// no package-level mutable state.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"upper":    strings.ToUpper,
		"lower":    strings.ToLower,
		"default":  defaultString,
		"truncate": truncateRunes,
		// printf is replaced because the builtin happily formats
		// "%0999999999d", allocating a gigabyte before the capped writer
		// sees a byte.
		"printf": safePrintf,
	}
}

// defaultString returns v, or def when v is blank: {{.UserName | default "n/a"}}.
func defaultString(def, v string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

// truncateRunes keeps the first n runes of s: {{.Title | truncate 40}}.
func truncateRunes(n int, s string) string {
	if n <= 0 {
		return ""
	}
	return Truncate(s, n)
}

// Truncate cuts s to at most n runes, ending with "…" when it cut.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return string([]rune(s)[:max(n, 0)])
	}
	return string([]rune(s)[:n-1]) + "…"
}

func safePrintf(format string, args ...any) (string, error) {
	if err := checkPrintfWidths(format); err != nil {
		return "", err
	}
	return fmt.Sprintf(format, args...), nil
}

// checkPrintfWidths rejects widths and precisions above 999 and '*'
// (a width taken from an argument) inside printf verbs; literal text may
// hold any digits.
func checkPrintfWidths(format string) error {
	inVerb, digits := false, 0
	for _, r := range format {
		switch {
		case !inVerb:
			inVerb = r == '%'
		case r == '*':
			return errors.New("printf: '*' widths are not allowed")
		case r >= '0' && r <= '9':
			if digits++; digits > 3 {
				return errors.New("printf: width or precision above 999")
			}
			continue
		case strings.ContainsRune("+-# .[]", r):
		default:
			inVerb = false // the verb letter (or %%) ends the directive
		}
		digits = 0
	}
	return nil
}

type cappedWriter struct {
	b   strings.Builder
	max int
}

func (w *cappedWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > w.max {
		return 0, errTooLong
	}
	return w.b.Write(p)
}
