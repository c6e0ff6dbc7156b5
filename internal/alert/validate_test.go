package alert_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ticketbridge/ticketbridge/internal/alert"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(a *alert.Alert)
		want   []alert.FieldError
	}{
		{"valid example", func(*alert.Alert) {}, nil},
		{"empty enums are defaults", func(a *alert.Alert) { a.Kind, a.Status, a.Rule.Kind = "", "", "" }, nil},
		{"organization name only", func(a *alert.Alert) { a.Organization.ID = "" }, nil},
		{"no organization", func(a *alert.Alert) { a.Organization = alert.Organization{} }, []alert.FieldError{{0, "organization", "required (id or name)"}}},
		{"no occurred_at", func(a *alert.Alert) { a.OccurredAt = time.Time{} }, []alert.FieldError{{0, "occurred_at", "required"}}},
		{"bad severity", func(a *alert.Alert) { a.Severity = "High" }, []alert.FieldError{{0, "severity", `unknown value "High"`}}},
		{"no severity", func(a *alert.Alert) { a.Severity = "" }, []alert.FieldError{{0, "severity", "required"}}},
		{"url too long", func(a *alert.Alert) { a.URL = strings.Repeat("u", alert.MaxURLLen+1) }, []alert.FieldError{{0, "url", "too long"}}},
		{"device name NUL", func(a *alert.Alert) { a.Device.Name = "a\x00" }, []alert.FieldError{{0, "device.name", "NUL"}}},
		{"attribute key too long", func(a *alert.Alert) {
			a.Attributes = map[string]string{strings.Repeat("k", alert.MaxAttributeLen+1): "v"}
		}, []alert.FieldError{{0, "attributes", "too long"}}},
		{"attribute value too long", func(a *alert.Alert) {
			a.Attributes = map[string]string{"k": strings.Repeat("v", alert.MaxAttributeLen+1)}
		}, []alert.FieldError{{0, "attributes.k", "too long"}}},
		{
			"several problems at once", func(a *alert.Alert) { a.ID, a.Title, a.Status = "", "", "done" },
			[]alert.FieldError{{0, "id", "required"}, {0, "title", "required"}, {0, "status", "unknown value"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := exampleAlert("sa-1")
			tt.change(&a)
			got := a.Validate()
			if len(tt.want) == 0 {
				if len(got) > 0 {
					t.Fatalf("Validate = %v, want no errors", got)
				}
				return
			}
			assertFieldErrors(t, &alert.ValidationError{Fields: got}, tt.want)
		})
	}
}
