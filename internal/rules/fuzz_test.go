package rules

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

// FuzzSubjectTemplate feeds arbitrary subject templates and alert fields
// through Compile and Decide: no panic, and titles and bodies are valid
// UTF-8 within their limits, ending with the marker.
func FuzzSubjectTemplate(f *testing.F) {
	f.Add("{{.Type}}: {{.UserOrDevice}}", "Too Many Downloads", "jane@acme.example", "Too many downloads", "ip", "203.0.113.9")
	f.Fuzz(func(t *testing.T, subject, typ, email, title, attrKey, attrVal string) {
		s := resolvedSettings()
		s.Ticket.Subject = subject
		s.Ticket.GroupBy = "subject"
		r, err := Compile(s)
		if err != nil {
			return // Validate rejects templates that do not parse
		}
		a := sampleAlert()
		a.Type, a.Title = typ, title
		a.User = &alert.User{Email: email}
		a.Attributes = map[string]string{attrKey: attrVal}
		d := r.Decide(a, testInput, "src/fuzz")
		if d.Skip != nil {
			return // e.g. a fuzzed type equal to an excluded one
		}
		if !utf8.ValidString(d.Ticket.Title) || utf8.RuneCountInString(d.Ticket.Title) > maxTitle {
			t.Errorf("title %q: invalid UTF-8 or over %d runes", d.Ticket.Title, maxTitle)
		}
		if strings.ContainsAny(d.Ticket.Title, "\r\n") {
			t.Errorf("title %q spans lines", d.Ticket.Title)
		}
		for _, body := range []string{d.Ticket.Description, d.Note.Description} {
			if !utf8.ValidString(body) || utf8.RuneCountInString(body) > maxDescription {
				t.Errorf("body invalid UTF-8 or over %d runes", maxDescription)
			}
			if !strings.HasSuffix(body, "\n"+AlertMarker("src/fuzz")) {
				t.Errorf("body does not end with the marker: %q", body)
			}
		}
		if !utf8.ValidString(d.GroupKey) {
			t.Errorf("group key %q is not valid UTF-8", d.GroupKey)
		}
	})
}
