package source

import (
	"errors"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

func TestMailDecoder(t *testing.T) {
	t.Parallel()
	d, err := NewMailDecoder([]byte(`{"default_organization": {"id": "org-42"}, "mail": {"allow_senders": ["@trendmicro.example"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	date := time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)
	tests := []struct {
		name                        string
		msg                         MailMessage
		typ, severity, user, device string
	}{
		{"high-risk user", MailMessage{Subject: "[TM] New high-risk users/devices", MessageID: "<a@x>", Date: date,
			Text: "A user became high-risk.\nUser: jane@acme.example\nRisk score: 82\n"}, "New high-risk users/devices", "high", "jane@acme.example", ""},
		{"discovered asset", MailMessage{Subject: "Newly discovered assets", MessageID: "<b@x>", Date: date,
			Text: "Device name: ACME-LT-09\nOS: Windows 11\n"}, "Newly discovered assets", "info", "", "ACME-LT-09"},
		{"risk event with level", MailMessage{Subject: "[TM] New risk event", MessageID: "<c@x>", Date: date,
			Text: "Risk event: Unusual sign-in location\nRisk level: High\nUser: jane@acme.example\n"}, "Unusual sign-in location", "high", "jane@acme.example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := d.Decode(tt.msg, date)
			if err != nil {
				t.Fatal(err)
			}
			if a.Type != tt.typ || string(a.Severity) != tt.severity || a.UserEmail() != tt.user || a.Organization.ID != "org-42" {
				t.Errorf("alert = %+v", a)
			}
			if (a.Device == nil) != (tt.device == "") || (a.Device != nil && a.Device.Name != tt.device) {
				t.Errorf("device = %+v, want %q", a.Device, tt.device)
			}
			again, _ := d.Decode(tt.msg, date.Add(time.Hour))
			if again.ID != a.ID {
				t.Errorf("the same message got ids %s and %s", a.ID, again.ID)
			}
		})
	}
	if _, err := d.Decode(MailMessage{Subject: "Your invoice", Text: "hello"}, date); !errors.Is(err, ErrNoMailRule) {
		t.Errorf("unrelated mail: err = %v, want ErrNoMailRule", err)
	}
	if !d.Allows("<alerts@trendmicro.example>") || d.Allows("mallory@evil.example") {
		t.Error("sender allowlist not applied")
	}

	noOrg, err := NewMailDecoder([]byte(`{"mail": {"builtin": "generic"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var ve *alert.ValidationError
	if _, err := noOrg.Decode(MailMessage{Subject: "CRITICAL disk failure"}, date); !errors.As(err, &ve) {
		t.Errorf("generic mail with no organization: err = %v, want a validation error", err)
	}
}
